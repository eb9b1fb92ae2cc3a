{{ config(materialized='view') }}
{#-
    Nearest-centroid scoring as one pass over the customers: the current model version is
    pivoted into one row of scalars (per feature its transform, clipping bounds, fences, mean
    and scale; per cluster its centroid), and every customer's squared distance to each
    cluster is a plain expression on its own row: one scan, no join fanning customers out.
    Features are prepared exactly as customer_segmentation.preprocessing prepares the fit's:
    ln(1 + value) where the version says log1p, clipped to the stored bounds, standardised.
    The clusters are addressed by position (1 to n_clusters, in cluster_id order): a version
    always has var n_clusters clusters, because a change of n_clusters fits a new version
    before this model runs. Features the version does not use have no parameters and add 0;
    a cluster position the version lacks has a null distance, which least() passes over.
    A view: customer_segments is the one table of scored customers, and no test reads this.
-#}
{%- set features = customer_feature_specs() -%}
{%- set cluster_positions = range(1, var('n_clusters') + 1) -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

centroid_features as (

    select * from {{ ref('int_model_centroid_features') }}

),

current_version as (

    -- The latest stored model version scores every customer.
    select max(model_version) as model_version from centroid_features

),

current_version_centroids as (

    select
        centroid_features.model_version,
        centroid_features.cluster_id,
        centroid_features.feature_name,
        centroid_features.feature_transform,
        centroid_features.clip_lower,
        centroid_features.clip_upper,
        centroid_features.extreme_lower,
        centroid_features.extreme_upper,
        centroid_features.scaler_mean,
        centroid_features.scaler_scale,
        centroid_features.centroid_standardised,
        dense_rank() over (order by centroid_features.cluster_id) as cluster_position
    from centroid_features
    inner join current_version
        on centroid_features.model_version = current_version.model_version

),

-- The parameter lists below are generated, one column per feature and cluster position.
-- noqa: disable=LT02,LT05
model_parameters as (

    select
        any_value(model_version) as model_version,
        {%- for position in cluster_positions %}
        max(cluster_id) filter (where cluster_position = {{ position }}) as cluster_id_{{ position }},
        {%- endfor %}
        {%- for feature in features %}
        {%- set is_last_feature = loop.last %}
        max(feature_transform) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_transform,
        max(clip_lower) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_clip_lower,
        max(clip_upper) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_clip_upper,
        max(extreme_lower) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_extreme_lower,
        max(extreme_upper) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_extreme_upper,
        max(scaler_mean) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_mean,
        max(scaler_scale) filter (where feature_name = '{{ feature.name }}') as {{ feature.name }}_scale,
        {%- for position in cluster_positions %}
        max(centroid_standardised) filter (
            where feature_name = '{{ feature.name }}' and cluster_position = {{ position }}
        ) as {{ feature.name }}_centroid_{{ position }}{% if not (loop.last and is_last_feature) %},{% endif %}
        {%- endfor %}
        {%- endfor %}
    from current_version_centroids

),

transformed_customers as (

    -- Money on a log scale where the version says so; greatest(.., 0) as in the fit.
    select
        customer_features.*,
        model_parameters.*,
        {%- for feature in features %}
        case
            when model_parameters.{{ feature.name }}_transform = 'log1p'
                then ln(1 + greatest(cast(customer_features.{{ feature.name }} as double), 0))
            else cast(customer_features.{{ feature.name }} as double)
        end as {{ feature.name }}_transformed{% if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_features
    cross join model_parameters

),

standardised_customers as (

    -- Clipped to the stored bounds and scaled with the stored means and scales, never
    -- refitted on new data. least/greatest pass over null bounds (features the version
    -- does not cluster, versions fitted before clipping).
    select
        *,
        {%- for feature in features %}
        (
            least(greatest({{ feature.name }}_transformed, {{ feature.name }}_clip_lower), {{ feature.name }}_clip_upper)
            - {{ feature.name }}_mean
        ) / {{ feature.name }}_scale as {{ feature.name }}_standardised,
        {%- endfor %}
        nullif(concat_ws(
            ', ',
            {%- for feature in features %}
            case
                when
                    {{ feature.name }}_transformed < {{ feature.name }}_extreme_lower
                    or {{ feature.name }}_transformed > {{ feature.name }}_extreme_upper
                    then '{{ feature.name }}'
            end{% if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') as extreme_features
    from transformed_customers

),

squared_distances as (

    select
        *,
        {%- for position in cluster_positions %}
        {%- set is_last_position = loop.last %}
        case
            when cluster_id_{{ position }} is not null then
                {%- for feature in features %}
                coalesce(
                    ({{ feature.name }}_standardised - {{ feature.name }}_centroid_{{ position }})
                    * ({{ feature.name }}_standardised - {{ feature.name }}_centroid_{{ position }}),
                    0
                ){% if not loop.last %} +{% endif %}
                {%- endfor %}
        end as squared_distance_{{ position }}{% if not is_last_position %},{% endif %}
        {%- endfor %}
    from standardised_customers

),
-- noqa: enable=LT02,LT05

nearest_clusters as (

    select
        *,
        least(
            {%- for position in cluster_positions %}
            squared_distance_{{ position }}{% if not loop.last %},{% endif %}
            {%- endfor %}
        ) as nearest_squared_distance
    from squared_distances

),

final as (

    select
        -- ids
        customer_id,
        source_row_number,
        model_version,
        -- Ties go to the lower cluster_id, as numpy's argmin does in model_store.score.
        case
            {%- for position in cluster_positions %}
            when squared_distance_{{ position }} = nearest_squared_distance then cluster_id_{{ position }}
            {%- endfor %}
        end as cluster_id,

        -- attributes, carried so that the marts read one relation, not a self-join
        gender,
        {%- for feature in features %}
        {{ feature.name }},
        {%- endfor %}
        has_imputed_features,
        imputed_features,
        extreme_features is not null as is_extreme_profile,
        extreme_features,

        -- numerics
        sqrt(nearest_squared_distance) as distance_to_centroid

    from nearest_clusters

)

select * from final
