-- Reads the tables the loading node fills: depends_on: {{ ref('customer_file_load') }}

with

source as (

    select * from {{ source('crm', 'customer_file_errors') }}

),

renamed as (

    select
        -- ids
        source_row_number,

        -- text
        lower(error_type) as error_type,
        raw_record,
        error_message

    from source

)

select * from renamed
