{#-
    Every row of customer_persona_changes is one customer's move at one build, with the state
    it left written beside it: counting the moves is a grouped scan of that table, with no
    join of a period to the one before it.
-#}

with

persona_changes as (

    select * from {{ ref('customer_persona_changes') }}

),

moves as (

    select
        valid_from as moved_at,
        previous_model_version as from_model_version,
        model_version as to_model_version,
        coalesce(previous_persona_name, '(new customer)') as from_persona_name,
        coalesce(persona_name, '(no longer in the file)') as to_persona_name,
        coalesce(persona_name != previous_persona_name, false) as is_persona_change
    from persona_changes

),

final as (

    select
        md5(concat_ws(
            '|', moved_at, from_model_version, to_model_version, from_persona_name, to_persona_name
        )) as migration_id,
        moved_at,
        from_model_version,
        to_model_version,
        from_persona_name,
        to_persona_name,
        is_persona_change,
        count(*) as customer_count
    from moves
    group by
        moved_at,
        from_model_version,
        to_model_version,
        from_persona_name,
        to_persona_name,
        is_persona_change

)

select * from final
