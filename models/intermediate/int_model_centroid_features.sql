with

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

),

unnested as (

    -- The stored lists run in feature order; one row per element, the lists kept aligned.
    {{ model_version_feature_rows('segmentation_models') }}

),

final as (

    select
        -- ids
        model_version,
        cluster_id,
        feature_name,

        -- numerics
        feature_position,
        feature_transform,
        clip_lower,
        clip_upper,
        extreme_lower,
        extreme_upper,
        scaler_mean,
        scaler_scale,
        centroid_standardised,
        centroid_original

    from unnested

)

select * from final
