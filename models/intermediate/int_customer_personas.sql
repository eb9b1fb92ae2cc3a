{{ config(materialized='view') }}
{#-
    A view over int_customers_scored and the few model rows: nothing here is worth storing;
    customer_segments stores it, with the strategy, in one write.
    The persona a segment was named after at fit time holds only while the segment keeps at
    least the version's min_persona_share of the customers scored now: a stored model applied
    to a later file can leave a segment smaller than when it was fitted, and a handful of
    customers is not a persona.
-#}

with

scored_customers as {{ not_materialized() }} (

    -- Read twice below; DuckDB would otherwise store a copy of every clean customer to share.
    select * from {{ ref('int_customers_scored') }}

),

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

),

cluster_sizes as (

    select
        model_version,
        cluster_id,
        count(*) as cluster_customer_count
    from scored_customers
    group by model_version, cluster_id

),

customer_base as (

    select sum(cluster_customer_count) as customer_count from cluster_sizes

),

segments as (

    select
        segmentation_models.model_version,
        segmentation_models.cluster_id,
        segmentation_models.persona_id as fitted_persona_id,
        segmentation_models.persona_name as fitted_persona_name,
        segmentation_models.segment_name,
        segmentation_models.unnamed_reason as fitted_unnamed_reason,
        segmentation_models.persona_match_distance,
        segmentation_models.persona_match_confidence,
        segmentation_models.persona_match_strength,
        customer_base.customer_count as customer_base_count,
        segmentation_models.persona_id is not null
        and cluster_sizes.cluster_customer_count
        >= segmentation_models.min_persona_share * customer_base.customer_count as is_matched_persona
    from segmentation_models
    inner join cluster_sizes
        on
            segmentation_models.model_version = cluster_sizes.model_version
            and segmentation_models.cluster_id = cluster_sizes.cluster_id
    cross join customer_base

),

final as (

    select
        -- ids
        scored_customers.customer_id,
        scored_customers.source_row_number,
        scored_customers.model_version,
        scored_customers.cluster_id,

        -- attributes
        scored_customers.gender,
        {%- for feature in customer_feature_specs() %}
        scored_customers.{{ feature.name }},
        {%- endfor %}
        scored_customers.has_imputed_features,
        scored_customers.imputed_features,
        scored_customers.is_extreme_profile,
        scored_customers.extreme_features,
        segments.customer_base_count,

        -- persona
        case when segments.is_matched_persona then segments.fitted_persona_id end as persona_id,
        case
            when segments.is_matched_persona then segments.fitted_persona_name
            else segments.segment_name
        end as persona_name,
        segments.is_matched_persona,
        case
            when segments.is_matched_persona then null
            when segments.fitted_persona_id is not null then 'below_min_persona_share'
            else segments.fitted_unnamed_reason
        end as unnamed_reason,

        -- fit
        scored_customers.distance_to_centroid,
        segments.persona_match_distance,
        case when segments.is_matched_persona then segments.persona_match_confidence end
            as persona_match_confidence,
        case when segments.is_matched_persona then segments.persona_match_strength end
            as persona_match_strength

    from scored_customers
    inner join segments
        on
            scored_customers.model_version = segments.model_version
            and scored_customers.cluster_id = segments.cluster_id

)

select * from final
