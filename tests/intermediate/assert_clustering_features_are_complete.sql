-- Assert that every feature the clustering uses has a value for every clean customer, after
-- imputation. KMeans cannot take a missing value, and a customer silently dropped from the
-- fit would have no persona.

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

feature_profiles as (

    select * from {{ ref('int_features_profiled') }}

),

missing_values as (

    {%- for feature in customer_feature_specs() %}
    select
        '{{ feature.name }}' as feature_name,
        count(*) filter (where {{ feature.name }} is null) as missing_count
    from customer_features
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        missing_values.feature_name,
        missing_values.missing_count
    from missing_values
    inner join feature_profiles
        on missing_values.feature_name = feature_profiles.feature_name
    where
        feature_profiles.is_used_for_clustering
        and missing_values.missing_count > 0

)

select * from final
