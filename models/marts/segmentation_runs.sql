with

file_quality as (

    select * from {{ ref('customer_file_quality') }}

),

feature_profiles as (

    select * from {{ ref('feature_profiles') }}

),

model_versions as (

    select * from {{ ref('segmentation_model_versions') }}

),

current_model as (

    select
        model_version,
        fitted_at as model_fitted_at,
        fit_reason as model_fit_reason
    from model_versions
    where is_current

),

file_totals as (

    select
        sum(row_count) as file_record_count,
        sum(row_count) filter (where row_status = 'clean') as clean_customer_count,
        coalesce(sum(row_count) filter (where row_status = 'rejected'), 0) as rejected_row_count,
        coalesce(sum(row_count) filter (where row_status = 'duplicate'), 0) as duplicate_row_count
    from file_quality

),

feature_choices as (

    select
        string_agg(
            feature_name, ', ' order by feature_position
        ) filter (where is_used_for_clustering) as clustering_features_used,
        string_agg(
            feature_name || ' (' || exclusion_reason || ')', ', ' order by feature_position
        ) filter (where exclusion_reason != 'not_requested') as clustering_features_left_out,
        sum(missing_count) filter (where is_imputed) as imputed_value_count
    from feature_profiles

),

final as (

    select
        -- ids
        '{{ invocation_id }}' as invocation_id,

        -- when and on what
        cast('{{ run_started_at }}' as timestamptz) as run_started_at,
        {{ sql_string(var('customers_path')) }} as customers_path,
        file_totals.file_record_count,
        file_totals.clean_customer_count,
        file_totals.rejected_row_count,
        file_totals.duplicate_row_count,
        coalesce(feature_choices.imputed_value_count, 0) as imputed_value_count,

        -- how
        current_model.model_version,
        current_model.model_fitted_at,
        current_model.model_fit_reason,
        feature_choices.clustering_features_used,
        feature_choices.clustering_features_left_out,
        {{ var('n_clusters') }} as n_clusters,
        {{ var('kmeans_random_state') }} as kmeans_random_state,
        {{ var('kmeans_n_init') }} as kmeans_n_init,
        date {{ sql_string(as_of_date()) }} as as_of_date

    from file_totals
    cross join feature_choices
    cross join current_model

)

select * from final
