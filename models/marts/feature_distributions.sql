-- Histograms of every numeric feature by gender over the clean customers, with the bins
-- chosen here so the report only draws: 30 bins of equal width, common to every gender of a
-- feature, from the smallest value to the largest. Money (the features the fit takes on a
-- log scale) is heavy-tailed: one customer earning millions would squash everyone else into
-- the first bar, so its bins stop at the 99.5th percentile and one more bin counts the
-- customers above it. Edges and bins follow numpy.histogram's formula (a value on an edge
-- opens the next bin; the last bin holds its upper edge), so the bars are the ones pandas draws.

{%- set bin_count = 30 %}
{%- set display_quantile = 0.995 %}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

feature_values as (

    {%- for feature in customer_feature_specs() %}
    select
        '{{ feature.name }}' as feature_name,
        -- money: the features the fit takes on a log scale (annual_income, total_purchase_amount)
        {{ 'true' if feature.parser == 'money' else 'false' }} as is_money,
        gender,
        cast({{ feature.name }} as double) as feature_value
    from customer_segments
    where {{ feature.name }} is not null
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

feature_ranges as (

    select
        feature_name,
        bool_or(is_money) as has_display_cut,
        min(feature_value) as lowest_value,
        max(feature_value) as highest_value,
        coalesce(
            quantile_cont(feature_value, {{ display_quantile }}) filter (where is_money),
            max(feature_value)
        ) as range_upper
    from feature_values
    group by feature_name

),

bin_widths as (

    select
        *,
        (range_upper - lowest_value) / {{ bin_count }} as bin_width
    from feature_ranges

),

customer_bins as (

    select
        feature_values.feature_name,
        feature_values.gender,
        case
            when feature_values.feature_value > bin_widths.range_upper then {{ bin_count + 1 }}
            -- a constant feature: one bin of no width holds every value
            when bin_widths.bin_width = 0 then 1
            -- as numpy.histogram places a value: the bin it opens, the last one closed
            else least(
                cast(floor(
                    (feature_values.feature_value - bin_widths.lowest_value)
                    / (bin_widths.range_upper - bin_widths.lowest_value) * {{ bin_count }}
                ) as integer) + 1,
                {{ bin_count }}
            )
        end as bin_number
    from feature_values
    inner join bin_widths
        on feature_values.feature_name = bin_widths.feature_name

),

bin_counts as (

    select
        feature_name,
        gender,
        bin_number,
        count(*) as customer_count
    from customer_bins
    group by feature_name, gender, bin_number

),

genders as (

    select distinct gender from customer_segments

),

bin_numbers as (

    select cast(generate_series as integer) as bin_number
    from generate_series(1, {{ bin_count + 1 }})

),

feature_bins as (

    -- every bin of every feature for every gender, so an empty bin is a zero, not a gap
    select
        bin_widths.feature_name,
        genders.gender,
        bin_numbers.bin_number,
        bin_numbers.bin_number > {{ bin_count }} as is_above_display_cut,
        case
            when bin_numbers.bin_number > {{ bin_count }} then bin_widths.range_upper
            else (bin_numbers.bin_number - 1) * bin_widths.bin_width + bin_widths.lowest_value
        end as bin_lower,
        case
            when bin_numbers.bin_number > {{ bin_count }} then bin_widths.highest_value
            when bin_numbers.bin_number = {{ bin_count }} then bin_widths.range_upper
            else bin_numbers.bin_number * bin_widths.bin_width + bin_widths.lowest_value
        end as bin_upper
    from bin_widths
    cross join genders
    inner join bin_numbers
        on
            bin_numbers.bin_number <= {{ bin_count }}
            or bin_widths.has_display_cut

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
