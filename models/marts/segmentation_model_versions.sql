with

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

),

versions as (

    select
        model_version,
        any_value(fitted_at) as fitted_at,
        any_value(fit_reason) as fit_reason,
        any_value(source_file_name) as source_file_name,
        any_value(source_file_sha256) as source_file_sha256,
        any_value(source_record_count) as source_record_count,
        any_value(fitted_customer_count) as fitted_customer_count,
        any_value(n_clusters) as n_clusters,
        any_value(kmeans_random_state) as kmeans_random_state,
        any_value(kmeans_n_init) as kmeans_n_init,
        any_value(features) as features,
        any_value(inertia) as inertia,
        any_value(silhouette_score) as silhouette_score,
        any_value(customers_changing_persona) as customers_changing_persona,
        any_value(share_changing_persona) as share_changing_persona,
        {{ string_agg_ordered('persona_name', ', ', 'cluster_id') }} as persona_names
    from segmentation_models
    group by model_version

),

final as (

    select
        *,
        model_version = max(model_version) over () as is_current
    from versions

)

select * from final
