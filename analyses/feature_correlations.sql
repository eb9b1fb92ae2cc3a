-- Pearson correlation of every pair of features over the clean customers, strongest first:
-- the figures behind the report's correlation heatmap, and a check that no two clustering
-- features say the same thing.

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

feature_pairs as (

    {%- set features = customer_feature_specs() %}
    {%- set pairs = [] %}
    {%- for left in features %}
    {%- for right in features if left.name < right.name %}
    {%- do pairs.append((left.name, right.name)) %}
    {%- endfor %}
    {%- endfor %}
    {%- for left_name, right_name in pairs %}
    select
        '{{ left_name }}' as left_feature,
        '{{ right_name }}' as right_feature,
        corr({{ left_name }}, {{ right_name }}) as pearson_correlation
    from customer_segments
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        left_feature,
        right_feature,
        round(pearson_correlation, 3) as pearson_correlation
    from feature_pairs

)

select * from final
order by abs(pearson_correlation) desc nulls last
