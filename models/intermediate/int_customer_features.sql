{{
    config(
        materialized='view',
        post_hook="{{ assert_customers_are_segmentable(this, ref('int_features_profiled')) }}"
    )
}}
{#- A view: filling a few gaps is cheaper to repeat than storing every clean customer again. -#}

with

validated_customers as (

    select * from {{ ref('int_customers_validated') }}

),

feature_profiles as (

    select * from {{ ref('int_features_profiled') }}

),

imputation_values as (

    -- One row holding each feature's imputation value, null where nothing is imputed.
    select
        count(*) as feature_count,
        {%- for feature in customer_feature_specs() %}
        {%- set imputation_column = feature.name ~ '_imputation' %}
        max(imputation_value) filter (where feature_name = '{{ feature.name }}') as {{ imputation_column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from feature_profiles

),

clean_customers as (

    select * from validated_customers
    where row_status = 'clean'

),

imputed as (

    select
        clean_customers.customer_id,
        clean_customers.source_row_number,
        clean_customers.gender,
        {%- for feature in customer_feature_specs() %}
        {%- set imputation = 'imputation_values.' ~ feature.name ~ '_imputation' %}
        coalesce(
            clean_customers.{{ feature.name }},
            {%- if feature.parser == 'whole_number' %}
            {{ round_to_bigint(imputation) }}
            {%- else %}
            cast({{ imputation }} as {{ 'decimal(18, 2)' if feature.parser == 'money' else 'double' }})
            {%- endif %}
        ) as {{ feature.name }},
        {%- endfor %}
        -- concat_ws skips nulls, so only the imputed features are listed.
        nullif(concat_ws(
            ', ',
            {%- for feature in customer_feature_specs() %}
            case
                when
                    clean_customers.{{ feature.name }} is null
                    and imputation_values.{{ feature.name }}_imputation is not null
                    then '{{ feature.name }}'
            end{% if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') as imputed_features
    from clean_customers
    cross join imputation_values

),

final as (

    select
        -- ids
        customer_id,
        source_row_number,

        -- attributes
        gender,
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }},
        {%- endfor %}

        -- imputation
        imputed_features is not null as has_imputed_features,
        imputed_features

    from imputed

)

select * from final
