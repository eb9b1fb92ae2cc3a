-- Reads the tables the loading node fills: depends_on: {{ ref('customer_file_load') }}

with

source as (

    select * from {{ source('crm', 'customers') }}

),

plain_cells as (

    -- Almost every numeric cell of a real export is a plain number, which one regex
    -- recognises and a cast reads; only the other cells go through trimming, missing
    -- markers and the lenient parsers below, which read plain numbers the same way.
    select
        source_row_number,
        customer_id,
        gender,
        derived_from,
        {%- for feature in customer_feature_specs() %}
        {%- set is_plain = is_plain_cell(feature, feature.name) %}
        {{ feature.name }},
        {{ is_plain }} as {{ feature.name }}_is_plain{% if not loop.last %},{% endif %}
        {%- endfor %}
    from source

),

stripped as (

    select
        source_row_number,
        {{ strip_spaces('customer_id', mostly_distinct=true) }} as customer_id,
        {{ strip_spaces('gender') }} as gender,
        derived_from,
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }}_is_plain,
        case
            when {{ feature.name }}_is_plain then {{ feature.name }}
            else {{ strip_spaces(feature.name) }}
        end as {{ feature.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from plain_cells

),

normalised as (

    select
        -- ids
        source_row_number,
        {{ normalise_text('customer_id') }} as customer_id,

        -- text
        {{ normalise_text('gender') }} as gender_raw,
        derived_from,

        -- numerics, as written
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }}_is_plain,
        case
            when {{ feature.name }}_is_plain then {{ feature.name }}
            else {{ normalise_text(feature.name) }}
        end as {{ feature.name }}_raw{% if not loop.last %},{% endif %}
        {%- endfor %}

    from stripped

),

parsed as (

    select
        -- ids
        source_row_number,
        customer_id,

        -- text
        gender_raw,
        derived_from,
        -- gender spellings collapse to one lookup key: " Non Binary " -> "non-binary"
        {{ regexp_replace_all('lower(gender_raw)', '[\\s_]+', '-') }} as gender_key,

        -- numerics, as written and parsed
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }}_raw,
        case
            when {{ feature.name }}_is_plain then {{ read_plain_cell(feature, feature.name ~ '_raw') }}
            else {{ parse_feature(feature, feature.name ~ '_raw') }}
        end as {{ feature.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from normalised

)

select * from parsed
