{% snapshot customer_persona_history %}

{#-
    The persona columns only: int_customer_personas also carries every feature, and a row of
    history per persona period needs none of them. A SQL snapshot, since a YAML snapshot takes
    every column of its relation.
-#}

with

customer_personas as (

    select * from {{ ref('int_customer_personas') }}

),

final as (

    select
        customer_id,
        model_version,
        cluster_id,
        persona_id,
        persona_name,
        is_matched_persona,
        distance_to_centroid,
        persona_match_distance,
        persona_match_confidence
    from customer_personas

)

select * from final

{% endsnapshot %}
