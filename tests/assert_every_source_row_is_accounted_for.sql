-- Assert that every record of the customer file ends in exactly one place: a clean customer in
-- customer_segments, a row in customers_rejected, or an exact duplicate collapsed into its
-- first copy. Nothing may be lost silently, so the counts must add up to the file's records,
-- readable or not. Reads the sources directly (not staging) so that a row dropped anywhere
-- downstream shows.

with

source_rows as (

    select
        (select count(*) from {{ source('crm', 'customers') }})
        + (select count(*) from {{ source('crm', 'customer_file_errors') }}) as row_count

),

clean_rows as (

    select count(*) as row_count from {{ ref('customer_segments') }}

),

rejected_rows as (

    select count(*) as row_count from {{ ref('customers_rejected') }}

),

duplicate_rows as (

    select count(*) as row_count
    from {{ ref('int_customers_validated') }}
    where row_status = 'duplicate'

),

final as (

    select
        source_rows.row_count as source_row_count,
        clean_rows.row_count as clean_row_count,
        rejected_rows.row_count as rejected_row_count,
        duplicate_rows.row_count as duplicate_row_count
    from source_rows
    cross join clean_rows
    cross join rejected_rows
    cross join duplicate_rows

)

select * from final
where source_row_count != clean_row_count + rejected_row_count + duplicate_row_count
