with

validated_customers as (

    select * from {{ ref('int_customers_validated') }}

),

reject_reasons as (

    select * from {{ ref('reject_reasons') }}

),

final as (

    select
        -- ids
        validated_customers.source_row_number,
        validated_customers.customer_id,

        -- why
        validated_customers.reject_reason,
        reject_reasons.reject_reason_description,
        validated_customers.reject_detail,

        -- as written in the file
        validated_customers.gender_raw,
        {%- for feature in customer_feature_specs() %}
        validated_customers.{{ feature.name }}_raw,
        {%- endfor %}
        validated_customers.derived_from,
        validated_customers.raw_record

    from validated_customers
    left join reject_reasons
        on validated_customers.reject_reason = reject_reasons.reject_reason
    where validated_customers.row_status = 'rejected'

)

select * from final
