{{ config(materialized='view') }}
{#-
    A view: segment_profiles reads it once; nothing here is worth storing. It reads the table
    customer_segments, not the view chain behind it, so the scoring is not run again for
    each of the two aggregates below.
-#}
{%- set features = customer_feature_specs() -%}

with

customer_personas as {{ not_materialized() }} (

    -- Read twice below; DuckDB would otherwise store a copy of every clean customer to share.
    select * from {{ ref('customer_segments') }}

),

base_statistics as (

    select
        count(*) as customer_count,
        sum(total_purchase_amount) as revenue,
        {%- for feature in features %}
        -- Doubles on every engine: Spark averages a decimal into a decimal.
        {{ mean_as_double(feature.name) }} as avg_{{ feature.name }},
        cast(stddev_pop({{ feature.name }}) as double) as stddev_{{ feature.name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_personas

),

segment_aggregates as (

    select
        cluster_id,
        any_value(persona_id) as persona_id,
        any_value(persona_name) as persona_name,
        any_value(is_matched_persona) as is_matched_persona,
        any_value(persona_match_distance) as persona_match_distance,
        any_value(persona_match_confidence) as persona_match_confidence,
        any_value(persona_match_strength) as persona_match_strength,
        any_value(unnamed_reason) as unnamed_reason,
        any_value(model_version) as model_version,
        count(*) as customer_count,
        count(*) filter (where is_extreme_profile) as extreme_customer_count,
        sum(total_purchase_amount) as revenue,
        {%- for feature in features %}
        {{ mean_as_double(feature.name) }} as avg_{{ feature.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_personas
    group by cluster_id

),

deviations_by_feature as (

    -- How far each segment's average sits from the whole base, in the base's standard deviations.
    {%- for feature in features %}
    select
        segment_aggregates.cluster_id,
        '{{ feature.name }}' as feature_name,
        (segment_aggregates.avg_{{ feature.name }} - base_statistics.avg_{{ feature.name }})
        / nullif(base_statistics.stddev_{{ feature.name }}, 0) as sd_from_base
    from segment_aggregates
    cross join base_statistics
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

segment_deviations as (

    select
        cluster_id,
        {%- for feature in features %}
        {%- set sd_column = feature.name ~ '_sd_from_base' %}
        max(sd_from_base) filter (where feature_name = '{{ feature.name }}') as {{ sd_column }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from deviations_by_feature
    group by cluster_id

),

ranked_deviations as (

    select
        cluster_id,
        feature_name,
        sd_from_base,
        row_number() over (
            partition by cluster_id order by abs(sd_from_base) desc, feature_name
        ) as distinctiveness_rank
    from deviations_by_feature
    -- A feature without a deviation (absent, constant) is never distinctive; Spark's printf
    -- would also print it as "null sd" where DuckDB's gives null.
    where sd_from_base is not null

),

distinctive_features as (

    select
        cluster_id,
        {{ string_agg_ordered(
            "printf('%s %+.1f sd', feature_name, sd_from_base)", ', ', 'distinctiveness_rank'
        ) }} as distinctive_features
    from ranked_deviations
    where distinctiveness_rank <= 3
    group by cluster_id

),

final as (

    select
        segment_aggregates.*,
        base_statistics.customer_count as base_customer_count,
        base_statistics.revenue as base_revenue,
        {%- for feature in features %}
        segment_deviations.{{ feature.name }}_sd_from_base,
        {%- endfor %}
        distinctive_features.distinctive_features
    from segment_aggregates
    cross join base_statistics
    inner join segment_deviations
        on segment_aggregates.cluster_id = segment_deviations.cluster_id
    inner join distinctive_features
        on segment_aggregates.cluster_id = distinctive_features.cluster_id

)

select * from final
