-- Reads the tables the loading node fills: depends_on: {{ ref('customer_file_load') }}

with

source as (

    select * from {{ source('crm', 'customer_file_columns') }}

),

renamed as (

    select
        -- ids
        canonical_column,

        -- text
        file_header,
        derivation,

        -- numerics
        column_position,

        -- booleans
        file_header is not null or derivation is not null as is_in_file

    from source

)

select * from renamed
