{% macro model_version_feature_rows(versions) %}
    {#-
        One row per model version, cluster and feature from the version table `versions`, whose
        lists (features, transforms, bounds, means, scales, centroids) run in feature order:
        the i-th element of every list belongs to the i-th feature.
    -#}
    {{- return(adapter.dispatch('model_version_feature_rows')(versions)) -}}
{% endmacro %}

{% macro default__model_version_feature_rows(versions) %}
    {#- Unnesting the lists together keeps them aligned (a shorter or null list pads with null). -#}
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
    from {{ versions }}
{% endmacro %}

{% macro spark__model_version_feature_rows(versions) %}
    {#- Spark has no multi-list unnest: explode the feature names with their position and
        take each list's element at it. try_element_at (1-based) gives null for a null list or
        a missing element under ANSI mode too (Databricks' default), where [i] would fail. -#}
    select
        model_version,
        cluster_id,
        feature_name,
        cast(feature_index + 1 as bigint) as feature_position,
        try_element_at(feature_transforms, feature_index + 1) as feature_transform,
        try_element_at(clip_lowers, feature_index + 1) as clip_lower,
        try_element_at(clip_uppers, feature_index + 1) as clip_upper,
        try_element_at(extreme_lowers, feature_index + 1) as extreme_lower,
        try_element_at(extreme_uppers, feature_index + 1) as extreme_upper,
        try_element_at(scaler_means, feature_index + 1) as scaler_mean,
        try_element_at(scaler_scales, feature_index + 1) as scaler_scale,
        try_element_at(centroid_standardised, feature_index + 1) as centroid_standardised,
        try_element_at(centroid_original, feature_index + 1) as centroid_original
    from {{ versions }}
    lateral view posexplode(split(features, ', ')) feature_list as feature_index, feature_name
{% endmacro %}
