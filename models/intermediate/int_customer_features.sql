with

validated_customers as (

    select * from {{ ref('int_customers_validated') }}

),

final as (

    select
        -- ids
        customer_id,
        source_row_number,

        -- attributes
        gender,
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from validated_customers
    where row_status = 'clean'

)

select * from final
