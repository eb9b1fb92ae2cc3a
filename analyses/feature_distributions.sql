-- How each feature is spread over the clean customers: quartiles, tails and how many values
-- were imputed, one row per feature. Read next to the report's distribution charts.

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

feature_values as (

    {%- for feature in customer_feature_specs() %}
    select
        '{{ feature.name }}' as feature_name,
        {{ loop.index }} as feature_position,
        cast({{ feature.name }} as double) as feature_value,
        coalesce(contains(imputed_features, '{{ feature.name }}'), false) as is_imputed
    from customer_segments
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        feature_name,
        count(feature_value) as customers,
        count(*) filter (where is_imputed) as imputed_values,
        round(min(feature_value), 2) as min_value,
        round(quantile_cont(feature_value, 0.05), 2) as p05,
        round(quantile_cont(feature_value, 0.25), 2) as p25,
        round(median(feature_value), 2) as median_value,
        round(quantile_cont(feature_value, 0.75), 2) as p75,
        round(quantile_cont(feature_value, 0.95), 2) as p95,
        round(max(feature_value), 2) as max_value,
        round(avg(feature_value), 2) as mean_value,
        round(stddev_pop(feature_value), 2) as stddev_value
    from feature_values
    group by feature_name, feature_position

)

select * from final
order by feature_name
