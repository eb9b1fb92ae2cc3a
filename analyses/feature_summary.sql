-- How each feature is spread over the clean customers, one row per feature, read from the
-- marts the report draws (never from every customer): the range, where the charts stop and
-- how many customers lie beyond, the middle and the spread, how many values were imputed,
-- and the feature it moves with most.

with

feature_distributions as (

    select * from {{ ref('feature_distributions') }}

),

feature_correlations as (

    select * from {{ ref('feature_correlations') }}

),

feature_profiles as (

    select * from {{ ref('feature_profiles') }}

),

feature_ranges as (

    select
        feature_name,
        sum(customer_count) as customers,
        min(bin_lower) as min_value,
        max(bin_upper) as max_value,
        max(bin_lower) filter (where is_above_display_cut) as display_cut,
        sum(customer_count) filter (where is_above_display_cut) as customers_above_display_cut
    from feature_distributions
    group by feature_name

),

correlations_both_ways as (

    select
        left_feature as feature_name,
        right_feature as other_feature,
        pearson_correlation
    from feature_correlations
    union all
    select
        right_feature as feature_name,
        left_feature as other_feature,
        pearson_correlation
    from feature_correlations

),

strongest_correlations as (

    select
        feature_name,
        arg_max(other_feature, abs(pearson_correlation)) as most_correlated_feature,
        arg_max(pearson_correlation, abs(pearson_correlation)) as strongest_correlation
    from correlations_both_ways
    group by feature_name

),

final as (

    select
        feature_ranges.feature_name,
        feature_ranges.customers,
        case when feature_profiles.is_imputed then feature_profiles.missing_count else 0 end
            as imputed_values,
        round(feature_ranges.min_value, 2) as min_value,
        round(feature_profiles.median_value, 2) as median_value,
        round(feature_profiles.mean_value, 2) as mean_value,
        round(feature_profiles.stddev_value, 2) as stddev_value,
        round(feature_ranges.max_value, 2) as max_value,
        round(feature_ranges.display_cut, 2) as display_cut,
        feature_ranges.customers_above_display_cut,
        strongest_correlations.most_correlated_feature,
        round(strongest_correlations.strongest_correlation, 3) as strongest_correlation
    from feature_ranges
    inner join feature_profiles
        on feature_ranges.feature_name = feature_profiles.feature_name
    left join strongest_correlations
        on feature_ranges.feature_name = strongest_correlations.feature_name

)

select * from final
order by feature_name
