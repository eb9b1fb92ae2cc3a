with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

scored_customers as (

    select * from {{ ref('int_customers_scored') }}

),

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

),

persona_definitions as (

    select * from {{ ref('persona_definitions') }}

),

segment_strategies as (

    select * from {{ ref('segment_strategies') }}

),

final as (

    select
        -- ids
        customer_features.customer_id,
        customer_features.source_row_number,
        scored_customers.cluster_id,
        segmentation_models.persona_id,
        scored_customers.model_version,

        -- attributes
        customer_features.gender,
        {%- for feature in customer_feature_specs() %}
        customer_features.{{ feature.name }},
        {%- endfor %}
        customer_features.has_imputed_features,
        customer_features.imputed_features,

        -- segment
        segmentation_models.persona_name,
        persona_definitions.persona_slug,
        segmentation_models.persona_id is not null as is_matched_persona,
        scored_customers.distance_to_centroid,
        segmentation_models.persona_match_distance,
        segmentation_models.persona_match_confidence,

        -- strategy
        segment_strategies.strategy_headline,
        segment_strategies.channel as strategy_channel,
        segment_strategies.offer as strategy_offer,
        segment_strategies.message as strategy_message,
        segment_strategies.kpi as strategy_kpi

    from customer_features
    inner join scored_customers
        on customer_features.customer_id = scored_customers.customer_id
    inner join segmentation_models
        on
            scored_customers.model_version = segmentation_models.model_version
            and scored_customers.cluster_id = segmentation_models.cluster_id
    left join persona_definitions
        on segmentation_models.persona_id = persona_definitions.persona_id
    left join segment_strategies
        on segmentation_models.persona_id = segment_strategies.persona_id

)

select * from final
