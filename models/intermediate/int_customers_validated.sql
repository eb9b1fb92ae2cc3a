{%- set required_features = var('required_features') -%}

{#- A row the rejects take: it breaks a rule or its id has conflicting versions. -#}
{%- set is_rejected_row = "not is_exact_duplicate and (row_reject_reason is not null"
    ~ " or has_conflicting_versions)" -%}

with

customers as {{ not_materialized() }} (

    -- Not materialized (nor two CTEs below): parsing again beats storing a copy to share.
    select * from {{ ref('stg_crm__customers') }}

),

malformed_records as (

    select * from {{ ref('stg_crm__customer_file_errors') }}

),

gender_aliases as (

    select * from {{ ref('gender_aliases') }}

),

customers_with_gender as {{ not_materialized() }} (

    select
        customers.*,
        coalesce(gender_aliases.gender, 'unknown') as gender,
        gender_aliases.gender is not null as is_gender_recognised
    from customers
    left join gender_aliases
        on customers.gender_key = gender_aliases.gender_alias

),

row_checks as {{ not_materialized() }} (

    -- The first rule a row breaks names its reason, checked in canonical column order. A
    -- missing optional feature is no reason: it is imputed downstream.
    select
        *,
        case
            when customer_id is null then 'customer_id_missing'
            {%- for feature in customer_feature_specs() %}
            {%- if feature.name in required_features %}
            when {{ feature.name }}_raw is null then '{{ feature.name }}_missing'
            {%- endif %}
            when {{ feature.name }}_raw is not null and {{ feature.name }} is null
                then '{{ feature.name }}_unparseable'
            when not ({{ feature_within_domain(feature, feature.name) }})
                then '{{ feature.name }}_out_of_range'
            {%- endfor %}
        end as row_reject_reason
    from customers_with_gender

),

repeated_customer_ids as (

    -- Only rows sharing an id can be duplicates or conflicts; comparing just those keeps the
    -- cost of duplicate checks to the few repeated ids, not every row of a large file.
    select customer_id
    from customers
    where customer_id is not null
    group by customer_id
    having count(*) > 1

),

repeated_rows as (

    select
        *,
        -- Two rows are the same record when every value reads the same; unreadable
        -- values are compared as written.
        md5(concat_ws(
            '|', gender,
            {%- for feature in customer_feature_specs() %}
            coalesce(
                cast({{ feature.name }} as string), {{ feature.name }}_raw, '<missing>'
            ){% if not loop.last %},{% endif %}
            {%- endfor %}
        )) as record_fingerprint
    from row_checks
    where customer_id in (select repeated_customer_ids.customer_id from repeated_customer_ids)

),

repeated_row_checks as (

    select
        *,
        row_number() over (
            partition by customer_id, record_fingerprint order by source_row_number
        ) > 1 as is_exact_duplicate,
        min(source_row_number) over (
            partition by customer_id, record_fingerprint
        ) as first_source_row_number,
        min(record_fingerprint) over (partition by customer_id)
        != max(record_fingerprint) over (partition by customer_id) as has_conflicting_versions
    from repeated_rows

),

duplicate_checks as (

    select
        row_checks.*,
        repeated_row_checks.record_fingerprint,
        coalesce(repeated_row_checks.is_exact_duplicate, false) as is_exact_duplicate,
        repeated_row_checks.first_source_row_number,
        coalesce(repeated_row_checks.has_conflicting_versions, false) as has_conflicting_versions
    from row_checks
    left join repeated_row_checks
        on row_checks.source_row_number = repeated_row_checks.source_row_number

),

readable_rows as (

    select
        -- ids
        source_row_number,
        customer_id,

        -- outcome
        case
            when is_exact_duplicate then 'duplicate'
            when {{ is_rejected_row }} then 'rejected'
            else 'clean'
        end as row_status,
        case
            when is_exact_duplicate then null
            else coalesce(
                row_reject_reason,
                case when has_conflicting_versions then 'duplicate_id_conflict' end
            )
        end as reject_reason,
        cast(null as string) as reject_detail,
        case when is_exact_duplicate then first_source_row_number end as duplicate_of_source_row_number,

        -- attributes
        gender,
        case when {{ is_rejected_row }} then gender_raw end as gender_raw,
        is_gender_recognised,
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }},
        {%- endfor %}

        -- as written, for the rejects only: storing every clean cell twice doubled the write
        {%- for feature in customer_feature_specs() %}
        case when {{ is_rejected_row }} then {{ feature.name }}_raw end as {{ feature.name }}_raw,
        {%- endfor %}
        derived_from,
        cast(null as string) as raw_record,
        record_fingerprint

    from duplicate_checks

),

unreadable_rows as (

    -- Records the CSV reader could not split: null for what they lack, in readable_rows' order.
    select
        source_row_number,
        cast(null as string) as customer_id,
        'rejected' as row_status,
        'malformed_row' as reject_reason,
        error_type || ': ' || error_message as reject_detail,
        cast(null as bigint) as duplicate_of_source_row_number,
        'unknown' as gender,
        cast(null as string) as gender_raw,
        false as is_gender_recognised,
        {%- for feature in customer_feature_specs() %}
        null as {{ feature.name }},
        {%- endfor %}
        {%- for feature in customer_feature_specs() %}
        cast(null as string) as {{ feature.name }}_raw,
        {%- endfor %}
        cast(null as string) as derived_from,
        raw_record,
        md5(raw_record) as record_fingerprint
    from malformed_records

),

final as (

    select * from readable_rows
    union all
    select * from unreadable_rows

)

select * from final
