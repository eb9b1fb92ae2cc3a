with

persona_history as (

    select * from {{ ref('customer_persona_history') }}

),

ordered_history as (

    select
        customer_id,
        persona_name,
        model_version,
        dbt_valid_from,
        dbt_valid_to,
        lag(persona_name) over by_customer as previous_persona_name,
        lag(model_version) over by_customer as previous_model_version,
        lead(dbt_valid_from) over by_customer as next_valid_from
    from persona_history
    window by_customer as (partition by customer_id order by dbt_valid_from)

),

arrivals as (

    -- Each history row is an arrival: in a persona, or as a new customer.
    select
        customer_id,
        dbt_valid_from as moved_at,
        previous_model_version as from_model_version,
        model_version as to_model_version,
        coalesce(previous_persona_name, '(new customer)') as from_persona_name,
        persona_name as to_persona_name,
        previous_persona_name is not null
        and previous_persona_name != persona_name as is_persona_change
    from ordered_history

),

departures as (

    -- A closed last row: the customer is no longer in the file.
    select
        customer_id,
        dbt_valid_to as moved_at,
        model_version as from_model_version,
        cast(null as bigint) as to_model_version,
        persona_name as from_persona_name,
        '(no longer in the file)' as to_persona_name,
        false as is_persona_change
    from ordered_history
    where dbt_valid_to is not null and next_valid_from is null

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
