with

customer_personas as (

    select * from {{ ref('int_customer_personas') }}

),

persona_definitions as (

    select * from {{ ref('persona_definitions') }}

),

final as (

    select
        -- ids
        customer_personas.customer_id,
        customer_personas.source_row_number,
        customer_personas.cluster_id,
        customer_personas.persona_id,
        customer_personas.model_version,
        cast('{{ run_started_at.strftime("%Y-%m-%d") }}' as date) as segmented_on,

        -- attributes
        customer_personas.gender,
        {%- for feature in customer_feature_specs() %}
        customer_personas.{{ feature.name }},
        {%- endfor %}
        customer_personas.has_imputed_features,
        customer_personas.imputed_features,
        -- Summing this weight over any group gives the group's share of all clean customers,
        -- which is how the semantic layer's `share_of_customers` stays additive.
        -- A double on every engine: Spark reads 1.0 as a decimal.
        cast(1 as double) / customer_personas.customer_base_count as customer_base_share,
        customer_personas.is_extreme_profile,
        customer_personas.extreme_features,

        -- segment
        customer_personas.persona_name,
        persona_definitions.persona_slug,
        customer_personas.is_matched_persona,
        customer_personas.unnamed_reason,
        customer_personas.distance_to_centroid,
        customer_personas.persona_match_distance,
        customer_personas.persona_match_confidence,
        customer_personas.persona_match_strength

    from customer_personas
    left join persona_definitions
        on customer_personas.persona_id = persona_definitions.persona_id

)

select * from final
