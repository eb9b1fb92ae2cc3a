{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook="{{ assert_appended_rows_meet_contract(
            this, 'valid_from = (select max(valid_from) from ' ~ this ~ ')'
        ) }}"
    )
}}
{#-
    Each customer's persona over time, append-only. A build appends a row only for a
    customer who arrived (new, or back after leaving), whose persona or model version
    changed, or who left the file; no written row is ever rewritten, so the write grows with
    the changes, not with the customer base. A customer's current state is its latest row;
    the build finds it with one grouped pass over this table's few narrow columns (no sort,
    no update), then one join with this build's customer_segments.
-#}

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

{% if is_incremental() %}

persona_changes as (

    select * from {{ this }}

),

current_states as (

    -- Each customer's latest row (max_by: DuckDB's arg_max, by the name Spark knows too).
    -- Only customers whose latest row is in the file are compared below, so the nulls of a
    -- departure row never reach the comparison.
    select
        customer_id,
        max_by(is_in_file, valid_from) as is_in_file,
        max_by(persona_name, valid_from) as persona_name,
        max_by(model_version, valid_from) as model_version
    from persona_changes
    group by customer_id

),

customers_in_file as (

    select
        customer_id,
        persona_name,
        model_version
    from current_states
    where is_in_file

),

{% else %}

customers_in_file as (

    -- The first build: nobody is in the history yet.
    select
        cast(null as string) as customer_id,
        cast(null as string) as persona_name,
        cast(null as bigint) as model_version
    where false

),

{% endif %}

compared as (

    -- Customers of this build beside the customers the history has in the file.
    select
        coalesce(customer_segments.customer_id, customers_in_file.customer_id) as customer_id,
        customer_segments.customer_id is not null as is_in_file,
        customer_segments.model_version,
        customer_segments.cluster_id,
        customer_segments.persona_id,
        customer_segments.persona_name,
        customer_segments.is_matched_persona,
        customer_segments.distance_to_centroid,
        customer_segments.persona_match_distance,
        customer_segments.persona_match_confidence,
        customers_in_file.persona_name as previous_persona_name,
        customers_in_file.model_version as previous_model_version
    from customer_segments
    full outer join customers_in_file
        on customer_segments.customer_id = customers_in_file.customer_id

),

changes as (

    -- Arrivals, departures and moves; a customer whose persona and version held adds nothing.
    select * from compared
    where
        previous_persona_name is null
        or not is_in_file
        or persona_name != previous_persona_name
        or model_version != previous_model_version

),

final as (

    select
        customer_id,
        cast('{{ run_started_at.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as timestamp) as valid_from,
        is_in_file,
        model_version,
        cluster_id,
        persona_id,
        persona_name,
        is_matched_persona,
        distance_to_centroid,
        persona_match_distance,
        persona_match_confidence,
        previous_persona_name,
        previous_model_version
    from changes

)

select * from final
