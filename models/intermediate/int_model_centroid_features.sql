with

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

),

unnested as (

    -- The stored lists run in feature order; unnesting them together keeps them aligned.
    select
        model_version,
        cluster_id,
        unnest(string_split(features, ', ')) as feature_name,
        unnest(range(1, len(scaler_means) + 1)) as feature_position,
        unnest(feature_transforms) as feature_transform,
        unnest(clip_lowers) as clip_lower,
        unnest(clip_uppers) as clip_upper,
        unnest(extreme_lowers) as extreme_lower,
        unnest(extreme_uppers) as extreme_upper,
        unnest(scaler_means) as scaler_mean,
        unnest(scaler_scales) as scaler_scale,
        unnest(centroid_standardised) as centroid_standardised,
        unnest(centroid_original) as centroid_original
    from segmentation_models

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
