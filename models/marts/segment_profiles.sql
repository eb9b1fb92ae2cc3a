{{ config(post_hook="{{ log_segment_warnings(this) }}") }}
{%- set features = customer_feature_specs() -%}

with

segment_aggregates as (

    select * from {{ ref('int_segments_aggregated') }}

),

persona_definitions as (

    select * from {{ ref('persona_definitions') }}

),

segment_strategies as (

    select * from {{ ref('segment_strategies') }}

),

segmentation_models as (

    select * from {{ ref('segmentation_models') }}

),

features_profiled as (

    select * from {{ ref('int_features_profiled') }}

),

-- sqlfluff misreads the indent of a generated first column that holds a comparison.
-- noqa: disable=LT02
features_in_file as (

    -- One row, a flag per feature: plain columns read the same on every engine, lists do not.
    select
        {%- for feature in features %}
        {%- set flag = 'is_' ~ feature.name ~ '_in_file' %}
        count(*) filter (where feature_name = '{{ feature.name }}' and is_in_file) > 0 as {{ flag }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from features_profiled

),
-- noqa: enable=LT02

segment_strategy as (

    -- A segment without a persona name gets the generic plan, persona_id 0 in the seed.
    select
        segment_aggregates.cluster_id,
        segment_strategies.*,
        nullif(concat_ws(
            ', ',
            {%- for feature in features %}
            case
                -- kpi_features lists names between commas; the commas around keep `age` from
                -- matching inside another name.
                when
                    contains(
                        ',' || replace(segment_strategies.kpi_features, ' ', '') || ',',
                        ',{{ feature.name }},'
                    )
                    and not features_in_file.is_{{ feature.name }}_in_file
                    then '{{ feature.name }}'
            end{% if not loop.last %},{% endif %}
            {%- endfor %}
        ), '') as kpi_missing_features
    from segment_aggregates
    cross join features_in_file
    inner join segment_strategies
        on coalesce(segment_aggregates.persona_id, 0) = segment_strategies.persona_id

),

segment_evidence as (

    select
        segment_aggregates.cluster_id,
        segmentation_models.segment_name,
        segmentation_models.persona_evidence,
        segmentation_models.min_persona_share,
        segment_aggregates.customer_count / segment_aggregates.base_customer_count as customer_share
    from segment_aggregates
    inner join segmentation_models
        on
            segment_aggregates.model_version = segmentation_models.model_version
            and segment_aggregates.cluster_id = segmentation_models.cluster_id

),

segment_warnings as (

    -- What a marketer must know before acting on the segment's name; null when nothing.
    select
        segment_aggregates.cluster_id,
        case
            when segment_aggregates.unnamed_reason = 'below_min_persona_share'
                then
                    'Too small to name: ' || segment_evidence.segment_name || ' holds '
                    || round(100 * segment_evidence.customer_share, 1) || '% of customers, below'
                    || ' min_persona_share (' || round(100 * segment_evidence.min_persona_share, 1)
                    || '%).'
            when segment_aggregates.unnamed_reason = 'no_defining_feature_in_file'
                then
                    {{ sql_string("Not named: the file has none of the closest persona's defining") }}
                    || ' features (' || segment_evidence.persona_evidence || ').'
            when segment_aggregates.unnamed_reason = 'profile_disagrees'
                then
                    {{ sql_string("Not named: the segment does not show the closest persona's defining") }}
                    || ' traits (' || segment_evidence.persona_evidence || ').'
            when segment_aggregates.persona_match_strength = 'weak'
                then
                    'Weak match to ' || segment_aggregates.persona_name || ' (confidence '
                    || round(segment_aggregates.persona_match_confidence, 2) || '): '
                    || segment_evidence.persona_evidence || '.'
        end as segment_warning
    from segment_aggregates
    inner join segment_evidence
        on segment_aggregates.cluster_id = segment_evidence.cluster_id

),

final as (

    select
        -- ids
        segment_aggregates.cluster_id,
        segment_aggregates.persona_id,

        -- persona
        segment_aggregates.persona_name,
        persona_definitions.persona_slug,
        persona_definitions.persona_summary,
        segment_evidence.segment_name,
        segment_aggregates.is_matched_persona,
        segment_aggregates.unnamed_reason,
        segment_aggregates.persona_match_distance,
        segment_aggregates.persona_match_confidence,
        segment_aggregates.persona_match_strength,
        segment_evidence.persona_evidence,
        segment_warnings.segment_warning,

        -- size and value
        segment_aggregates.customer_count,
        segment_evidence.customer_share,
        segment_aggregates.revenue,
        -- Doubles on every engine: Spark divides decimals into a decimal.
        cast(
            segment_aggregates.revenue / nullif(segment_aggregates.base_revenue, 0) as double
        ) as revenue_share,
        cast(
            segment_aggregates.revenue / segment_aggregates.customer_count as double
        ) as revenue_per_customer,
        segment_aggregates.extreme_customer_count,

        -- average profile
        {%- for feature in features %}
        segment_aggregates.avg_{{ feature.name }},
        {%- endfor %}
        {%- for feature in features %}
        segment_aggregates.{{ feature.name }}_sd_from_base,
        {%- endfor %}
        segment_aggregates.distinctive_features,

        -- strategy
        segment_strategy.strategy_headline,
        segment_strategy.channel as strategy_channel,
        segment_strategy.offer as strategy_offer,
        segment_strategy.message as strategy_message,
        segment_strategy.kpi as strategy_kpi,
        segment_strategy.kpi_missing_features as strategy_kpi_missing_features

    from segment_aggregates
    inner join segment_evidence
        on segment_aggregates.cluster_id = segment_evidence.cluster_id
    inner join segment_warnings
        on segment_aggregates.cluster_id = segment_warnings.cluster_id
    left join segment_strategy
        on segment_aggregates.cluster_id = segment_strategy.cluster_id
    left join persona_definitions
        on segment_aggregates.persona_id = persona_definitions.persona_id

)

select * from final
