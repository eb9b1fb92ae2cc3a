-- Which rules the customer file breaks most, with an example line number to look at.

with

rejected_customers as (

    select * from {{ ref('customers_rejected') }}

),

final as (

    select
        reject_reason,
        any_value(reject_reason_description) as reject_reason_description,
        count(*) as rejected_rows,
        min(source_row_number) as first_source_row_number
    from rejected_customers
    group by reject_reason

)

select * from final
order by rejected_rows desc
