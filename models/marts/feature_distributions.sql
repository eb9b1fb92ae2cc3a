-- Histograms of every numeric feature by gender over the clean customers, with the bins
-- chosen here so the report only draws: 30 bins of equal width, common to every gender of a
-- feature, from the smallest value to the largest. Money (the features the fit takes on a
-- log scale) is heavy-tailed: one customer earning millions would squash everyone else into
-- the first bar, so its bins stop at the 99.5th percentile and one more bin counts the
-- customers above it. Edges and bins follow numpy.histogram's formula (a value on an edge
-- opens the next bin; the last bin holds its upper edge), so the bars are the ones pandas draws.

{%- set features = customer_feature_specs() %}
{%- set bin_count = 30 %}
{%- set display_quantile = 0.995 %}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

feature_ranges as (

    select
        -- every feature in one pass over the customers
        {%- for feature in features %}
        {%- set value = 'cast(' ~ feature.name ~ ' as double)' %}
        min({{ value }}) as {{ feature.name }}_lowest,
        max({{ value }}) as {{ feature.name }}_highest,
        {%- if feature.parser == 'money' %}
        -- money: the features the fit takes on a log scale (annual_income, total_purchase_amount)
        percentile_cont({{ display_quantile }}) within group (order by {{ value }})
            as {{ feature.name }}_upper
        {%- else %}
        max({{ value }}) as {{ feature.name }}_upper
        {%- endif %}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_segments

),

customer_bins as (

    select
        customer_segments.gender,
        -- each value's bin: the one it opens (numpy.histogram's formula), the last one closed;
        -- bin {{ bin_count + 1 }} above the cut; one bin of no width for a constant feature
        {%- for feature in features %}
        {%- set value = 'cast(customer_segments.' ~ feature.name ~ ' as double)' %}
        {%- set lowest = 'feature_ranges.' ~ feature.name ~ '_lowest' %}
        {%- set upper = 'feature_ranges.' ~ feature.name ~ '_upper' %}
        case
            when {{ value }} is null then null
            when {{ value }} > {{ upper }} then {{ bin_count + 1 }}
            when {{ upper }} = {{ lowest }} then 1
            else least(
                cast(
                    floor(({{ value }} - {{ lowest }}) / ({{ upper }} - {{ lowest }}) * {{ bin_count }})
                    as integer
                ) + 1,
                {{ bin_count }}
            )
        end as {{ feature.name }}_bin
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_segments
    cross join feature_ranges

),

bin_counts as (

    {%- for feature in features %}
    select
        '{{ feature.name }}' as feature_name,
        gender,
        {{ feature.name }}_bin as bin_number,
        count(*) as customer_count
    from customer_bins
    where {{ feature.name }}_bin is not null
    group by gender, {{ feature.name }}_bin
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

feature_bounds as (

    -- one row per feature the file carries
    {%- for feature in features %}
    select
        '{{ feature.name }}' as feature_name,
        {{ 'true' if feature.parser == 'money' else 'false' }} as has_display_cut,
        {{ feature.name }}_lowest as lowest_value,
        {{ feature.name }}_highest as highest_value,
        {{ feature.name }}_upper as range_upper,
        ({{ feature.name }}_upper - {{ feature.name }}_lowest) / {{ bin_count }} as bin_width
    from feature_ranges
    where {{ feature.name }}_lowest is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

genders as (

    select distinct gender from customer_segments

),

bin_numbers as (

    -- A literal list: DuckDB's and Spark's series generators differ in name and shape.
    select bins.bin_number
    from (
        values
        {%- for bin_number in range(1, bin_count + 2) %}
        ({{ bin_number }}){% if not loop.last %},{% endif %}
        {%- endfor %}
    ) as bins (bin_number)

),

feature_bins as (

    -- every bin of every feature for every gender, so an empty bin is a zero, not a gap
    select
        feature_bounds.feature_name,
        genders.gender,
        bin_numbers.bin_number,
        bin_numbers.bin_number > {{ bin_count }} as is_above_display_cut,
        case
            when bin_numbers.bin_number > {{ bin_count }} then feature_bounds.range_upper
            else (bin_numbers.bin_number - 1) * feature_bounds.bin_width + feature_bounds.lowest_value
        end as bin_lower,
        case
            when bin_numbers.bin_number > {{ bin_count }} then feature_bounds.highest_value
            when bin_numbers.bin_number = {{ bin_count }} then feature_bounds.range_upper
            else bin_numbers.bin_number * feature_bounds.bin_width + feature_bounds.lowest_value
        end as bin_upper
    from feature_bounds
    cross join genders
    inner join bin_numbers
        on
            bin_numbers.bin_number <= {{ bin_count }}
            or feature_bounds.has_display_cut

),

final as (

    select
        -- ids
        feature_bins.feature_name,
        feature_bins.gender,
        feature_bins.bin_number,

        -- the bin
        feature_bins.is_above_display_cut,
        feature_bins.bin_lower,
        feature_bins.bin_upper,

        -- counts
        coalesce(bin_counts.customer_count, 0) as customer_count

    from feature_bins
    left join bin_counts
        on
            feature_bins.feature_name = bin_counts.feature_name
            and feature_bins.gender = bin_counts.gender
            and feature_bins.bin_number = bin_counts.bin_number

)

select * from final
