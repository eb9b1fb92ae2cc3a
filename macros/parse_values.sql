{#-
    Parsers for the text cells of a customer file. Each returns null for a value it cannot
    read unambiguously; validation turns that null into an `<column>_unparseable` reason.
    They render to one line each so that compiled models stay readable.
-#}

{% macro strip_spaces(column) -%}
    regexp_replace({{ column }}, '^[\s\x{00A0}]+|[\s\x{00A0}]+$', '', 'g')
{%- endmacro %}


{% macro normalise_text(column) -%}
    {#- Trim ordinary and non-breaking spaces; the configured missing markers become null. -#}
    {%- set markers = [] -%}
    {%- for marker in var('missing_value_markers') -%}
        {%- do markers.append(sql_string(marker | string | trim | lower)) -%}
    {%- endfor -%}
    case when lower({{ strip_spaces(column) }}) not in ({{ markers | join(', ') }}) then nullif({{ strip_spaces(column) }}, '') end
{%- endmacro %}


{% macro parse_number(column) -%}
    {#- Plain decimal numbers, inner spaces allowed ("1 234"); no thousands commas. -#}
    try_cast(regexp_replace({{ column }}, '[\s\x{00A0}]', '', 'g') as double)
{%- endmacro %}


{% macro parse_whole_number(column) -%}
    {#- Whole numbers; "42.0" reads as 42, "42.5" does not read. -#}
    case when {{ parse_number(column) }} % 1 = 0 then try_cast({{ parse_number(column) }} as bigint) end
{%- endmacro %}


{% macro parse_money(column) -%}
    {#-
        Money as exports write it: "$12,345.50", "12345.5", "-1,200", "75k" (thousands).
        Currency symbols and spaces go; commas are read as thousands separators only where
        they group exact threes. "12.345,50" (decimal comma) is ambiguous and does not read.
    -#}
    {%- set compact -%}
        regexp_replace({{ column }}, '[\s\x{00A0}$€£¥]|(?i:usd|eur|gbp)', '', 'g')
    {%- endset -%}
    {%- filter replace('\n    ', ' ') -%}
    case
    when regexp_full_match({{ compact }}, '-?\d+(\.\d+)?')
    then try_cast({{ compact }} as decimal(18, 2))
    when regexp_full_match({{ compact }}, '-?\d{1,3}(,\d{3})+(\.\d+)?')
    then try_cast(replace({{ compact }}, ',', '') as decimal(18, 2))
    when regexp_full_match({{ compact }}, '-?\d+(\.\d+)?[kK]')
    then try_cast(rtrim({{ compact }}, 'kK') as decimal(18, 2)) * 1000
    end
    {%- endfilter -%}
{%- endmacro %}


{% macro parse_feature(feature, column) -%}
    {%- if feature.parser == 'money' -%}
        {{ parse_money(column) }}
    {%- elif feature.parser == 'whole_number' -%}
        {{ parse_whole_number(column) }}
    {%- else -%}
        {{ parse_number(column) }}
    {%- endif -%}
{%- endmacro %}
