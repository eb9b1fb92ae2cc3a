-- Pearson correlation of every pair of numeric features over the clean customers, in one
-- pass over customer_segments: the report's correlation heatmap draws these figures, and
-- analysts read them to see whether two clustering features say the same thing.

{%- set features = customer_feature_specs() %}
{%- set pairs = [] %}
{%- for left in features %}
{%- for right in features[loop.index:] %}
{%- do pairs.append({'left': left.name, 'right': right.name}) %}
{%- endfor %}
{%- endfor %}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

pair_statistics as (

    select
        -- every pair in one pass over the customers
        {%- for pair in pairs %}
        corr({{ pair.left }}, {{ pair.right }}) as pair_{{ loop.index }}_correlation,
        regr_count({{ pair.left }}, {{ pair.right }}) as pair_{{ loop.index }}_customers
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_segments

),

feature_pairs as (

    {%- for pair in pairs %}
    select
        '{{ pair.left }}' as left_feature,
        '{{ pair.right }}' as right_feature,
        pair_{{ loop.index }}_correlation as pearson_correlation,
        pair_{{ loop.index }}_customers as customer_count
    from pair_statistics
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

final as (

    select
        -- ids
        left_feature,
        right_feature,

        -- statistics
        -- corr() is null when a feature is absent from the file or constant
        cast(pearson_correlation as double) as pearson_correlation,
        cast(customer_count as bigint) as customer_count

    from feature_pairs

)

select * from final
