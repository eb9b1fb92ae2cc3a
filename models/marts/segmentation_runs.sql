with

file_quality as (

    select * from {{ ref('customer_file_quality') }}

),

feature_profiles as (

    select * from {{ ref('feature_profiles') }}

),

file_load as (

    select * from {{ ref('customer_file_load') }}

),

model_versions as (

    select * from {{ ref('segmentation_model_versions') }}

),

segment_profiles as (

    select * from {{ ref('segment_profiles') }}

),

cluster_diagnostics as (

    select * from {{ ref('cluster_diagnostics') }}

),

current_model as (

    select
        model_version,
        fitted_at as model_fitted_at,
        fit_reason as model_fit_reason,
        silhouette_score as fit_silhouette_score
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
        {{ string_agg_ordered(
            'feature_name', ', ', 'feature_position', filter='is_used_for_clustering'
        ) }} as clustering_features_used,
        {{ string_agg_ordered(
            "feature_name || ' (' || exclusion_reason || ')'", ', ', 'feature_position',
            filter="exclusion_reason != 'not_requested'"
        ) }} as clustering_features_left_out,
        sum(missing_count) filter (where is_imputed) as imputed_value_count
    from feature_profiles

),

segment_quality as (

    -- The evidence behind the segment names, for BI tools and the report's summary.
    select
        min(customer_share) as smallest_segment_share,
        count(*) filter (where is_matched_persona) as named_segment_count,
        count(*) filter (where not is_matched_persona) as unnamed_segment_count,
        count(*) filter (where persona_match_strength = 'weak') as weak_match_count,
        cast(sum(extreme_customer_count) as bigint) as extreme_customer_count,
        {{ string_agg_ordered('segment_warning', ' ', 'cluster_id') }} as segment_warnings
    from segment_profiles

),

cluster_count_choice as (

    select
        any_value(is_chosen_cluster_count_supported) as is_cluster_count_supported,
        any_value(cluster_count_verdict) as cluster_count_verdict
    from cluster_diagnostics

),

final as (

    select
        -- ids
        '{{ invocation_id }}' as invocation_id,

        -- when and on what
        cast('{{ run_started_at }}' as {{ timestamp_tz_type() }}) as run_started_at,
        {{ sql_string(var('customers_path')) }} as customers_path,
        -- The file as its load recorded it, so the report can tell whether it has changed
        -- without reading it again.
        file_load.file_size_bytes as customers_file_size_bytes,
        file_load.file_modified_at as customers_file_modified_at,
        file_load.file_sha256 as customers_file_sha256,
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
        cast({{ var('min_persona_share') }} as double) as min_persona_share,
        date {{ sql_string(as_of_date()) }} as as_of_date,

        -- how well the data supports the segments and their names
        current_model.fit_silhouette_score,
        cluster_count_choice.is_cluster_count_supported,
        cluster_count_choice.cluster_count_verdict,
        segment_quality.smallest_segment_share,
        segment_quality.named_segment_count,
        segment_quality.unnamed_segment_count,
        segment_quality.weak_match_count,
        segment_quality.extreme_customer_count,
        segment_quality.segment_warnings

    from file_totals
    cross join file_load
    cross join feature_choices
    cross join current_model
    cross join segment_quality
    cross join cluster_count_choice

)

select * from final
