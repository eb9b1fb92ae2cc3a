with

source as (

    select * from {{ source('crm', 'customers') }}

),

normalised as (

    select
        -- ids
        source_row_number,
        {{ normalise_text('customer_id') }} as customer_id,

        -- text
        {{ normalise_text('gender') }} as gender_raw,

        -- numerics, as written
        {%- for feature in customer_feature_specs() %}
        {{ normalise_text(feature.name) }} as {{ feature.name }}_raw{% if not loop.last %},{% endif %}
        {%- endfor %}

    from source

),

parsed as (

    select
        *,
        -- gender spellings collapse to one lookup key: " Non Binary " -> "non-binary"
        regexp_replace(lower(gender_raw), '[\s_]+', '-', 'g') as gender_key,
        {%- for feature in customer_feature_specs() %}
        {{ parse_feature(feature, feature.name ~ '_raw') }} as {{ feature.name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}

    from normalised

)

select * from parsed
