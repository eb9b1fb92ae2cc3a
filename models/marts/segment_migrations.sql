{#-
    A snapshot period closes at the very build in which the customer's next period opens, so
    a period's predecessor is found by that timestamp: joins instead of a window over every
    customer's history, which cost a sort of the whole snapshot.
-#}

with

persona_history as not materialized (

    -- Read several times below; DuckDB would otherwise store a copy of the whole snapshot.
    select * from {{ ref('customer_persona_history') }}

),

closed_periods as not materialized (

    select * from persona_history
    where dbt_valid_to is not null

),

arrivals as (

    -- Each period is an arrival: from the period it follows, or as a new customer.
    select
        persona_period.dbt_valid_from as moved_at,
        previous_period.model_version as from_model_version,
        persona_period.model_version as to_model_version,
        coalesce(previous_period.persona_name, '(new customer)') as from_persona_name,
        persona_period.persona_name as to_persona_name,
        coalesce(
            previous_period.persona_name != persona_period.persona_name, false
        ) as is_persona_change
    from persona_history as persona_period
    left join closed_periods as previous_period
        on
            persona_period.customer_id = previous_period.customer_id
            and persona_period.dbt_valid_from = previous_period.dbt_valid_to

),

departures as (

    -- A closed period no period follows: the customer left the file at that build.
    select
        closed_period.dbt_valid_to as moved_at,
        closed_period.model_version as from_model_version,
        cast(null as bigint) as to_model_version,
        closed_period.persona_name as from_persona_name,
        '(no longer in the file)' as to_persona_name,
        false as is_persona_change
    from closed_periods as closed_period
    left join persona_history as next_period
        on
            closed_period.customer_id = next_period.customer_id
            and closed_period.dbt_valid_to = next_period.dbt_valid_from
    where next_period.customer_id is null

),

moves as (

    select * from arrivals
    union all
    select * from departures

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
