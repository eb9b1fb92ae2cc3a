-- Assert that every segment's name rests on strong enough evidence. A weak persona match, a
-- segment left without a persona name and one too small to name are returned with their
-- warning: a warning, not an error, since the build's output is still right, but a marketer
-- must read it before acting on the segment (the report's summary page lists the same).
{{ config(severity='warn') }}

with

segment_profiles as (

    select * from {{ ref('segment_profiles') }}

),

final as (

    select
        cluster_id,
        persona_name,
        segment_warning
    from segment_profiles
    where segment_warning is not null

)

select * from final
