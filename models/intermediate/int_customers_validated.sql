{{
    config(
        post_hook="{{ assert_rejected_share_within_limit(this) }}"
    )
}}

with

customers as (

    select * from {{ ref('stg_crm__customers') }}

),

gender_aliases as (

    select * from {{ ref('gender_aliases') }}

),

customers_with_gender as (

    select
        customers.*,
        coalesce(gender_aliases.gender, 'unknown') as gender,
        gender_aliases.gender is not null as is_gender_recognised
    from customers
    left join gender_aliases
        on customers.gender_key = gender_aliases.gender_alias

),

row_checks as (

    -- The first rule a row breaks names its reason, checked in canonical column order.
    select
        *,
        case
            when customer_id is null then 'customer_id_missing'
            {%- for feature in customer_feature_specs() %}
            when {{ feature.name }}_raw is null then '{{ feature.name }}_missing'
            when {{ feature.name }} is null then '{{ feature.name }}_unparseable'
            when not ({{ feature_within_domain(feature, feature.name) }})
                then '{{ feature.name }}_out_of_range'
            {%- endfor %}
        end as row_reject_reason,
        -- Two rows are the same record when every value reads the same; unreadable
        -- values are compared as written.
        md5(concat_ws(
            '|',
            gender,
            {%- for feature in customer_feature_specs() %}
            coalesce(
                cast({{ feature.name }} as varchar), {{ feature.name }}_raw, '<missing>'
            ){% if not loop.last %},{% endif %}
            {%- endfor %}
        )) as record_fingerprint
    from customers_with_gender

),

duplicate_checks as (

    select
        *,
        -- Rows without an id are never collapsed: nothing says they are the same customer.
        customer_id is not null
        and row_number() over (
            partition by customer_id, record_fingerprint order by source_row_number
        ) > 1 as is_exact_duplicate,
        min(source_row_number) over (
            partition by customer_id, record_fingerprint
        ) as first_source_row_number,
        customer_id is not null
        and min(record_fingerprint) over (partition by customer_id)
        != max(record_fingerprint) over (partition by customer_id) as has_conflicting_versions
    from row_checks

),

final as (

    select
        -- ids
        source_row_number,
        customer_id,

        -- outcome
        case
            when is_exact_duplicate then 'duplicate'
            when row_reject_reason is not null or has_conflicting_versions then 'rejected'
            else 'clean'
        end as row_status,
        case
            when is_exact_duplicate then null
            else coalesce(
                row_reject_reason,
                case when has_conflicting_versions then 'duplicate_id_conflict' end
            )
        end as reject_reason,
        case when is_exact_duplicate then first_source_row_number end as duplicate_of_source_row_number,

        -- attributes
        gender,
        gender_raw,
        is_gender_recognised,
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }},
        {%- endfor %}

        -- as written in the file
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }}_raw,
        {%- endfor %}
        record_fingerprint

    from duplicate_checks

)

select * from final
