{{ config(materialized='view') }}
{#- A view over int_customers_scored and the few model rows: nothing here is worth storing. -#}

with

scored_customers as (

    select * from {{ ref('int_customers_scored') }}

),

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

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

        -- persona
        segmentation_models.persona_id,
        segmentation_models.persona_name,
        segmentation_models.persona_id is not null as is_matched_persona,

        -- fit
        scored_customers.distance_to_centroid,
        segmentation_models.persona_match_distance,
        segmentation_models.persona_match_confidence

    from scored_customers
    inner join segmentation_models
        on
            scored_customers.model_version = segmentation_models.model_version
            and scored_customers.cluster_id = segmentation_models.cluster_id

)

select * from final
