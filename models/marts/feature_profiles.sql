with

feature_profiles as (

    select * from {{ ref('int_features_profiled') }}

),

final as (

    select
        -- ids
        feature_name,
        feature_position,

        -- decisions
        is_required,
        is_in_file,
        is_used_for_clustering,
        exclusion_reason,
        is_imputed,
        imputation_value,

        -- statistics over clean customers, before imputation
        clean_customer_count,
        value_count,
        missing_count,
        min_value,
        max_value,
        mean_value,
        stddev_value,
        median_value

    from feature_profiles

)

select * from final
