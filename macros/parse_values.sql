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
        {%- do markers.append(marker | string | trim | lower) -%}
    {%- endfor -%}
    case when lower({{ strip_spaces(column) }}) not in ({{ sql_string_list(markers) }}) then nullif({{ strip_spaces(column) }}, '') end
{%- endmacro %}


{% macro decimal_separators() -%}
    {#- (decimal, thousands) separators as regex fragments, from var decimal_separator. -#}
    {{- return(('\\.', ',') if var('decimal_separator') == '.' else (',', '\\.')) -}}
{%- endmacro %}


{% macro parse_number(column) -%}
    {#- Plain numbers in the file's decimal notation, inner spaces allowed; no thousands marks. -#}
    {%- set decimal = decimal_separators()[0] -%}
    {%- set compact = "regexp_replace(" ~ column ~ ", '[\\s\\x{00A0}]', '', 'g')" -%}
    case when regexp_full_match({{ compact }}, '[-+]?\d+({{ decimal }}\d+)?') then cast(replace({{ compact }}, {{ sql_string(var('decimal_separator')) }}, '.') as double) end
{%- endmacro %}


{% macro parse_whole_number(column) -%}
    {#- Whole numbers; "42.0" reads as 42, "42.5" does not read. -#}
    case when {{ parse_number(column) }} % 1 = 0 then try_cast({{ parse_number(column) }} as bigint) end
{%- endmacro %}


{% macro parse_money(column) -%}
    {#-
        Money as exports write it: "$12,345.50", "12345.5", "-1,200", "75k" (thousands), with
        the decimal and thousands marks of var decimal_separator. Currency symbols and spaces
        go; thousands marks are accepted only where they group exact threes, so "12.345,50"
        does not read under decimal_separator "." (it is ambiguous), nor "1,2345".
    -#}
    {%- set decimal, thousands = decimal_separators() -%}
    {%- set compact = "regexp_replace(" ~ column ~ ", '[\\s\\x{00A0}$€£¥]|(?i:usd|eur|gbp)', '', 'g')" -%}
    {%- set canonical = "replace(regexp_replace(" ~ compact ~ ", '" ~ thousands ~ "', '', 'g'), "
        ~ sql_string(var('decimal_separator')) ~ ", '.')" -%}
    {%- filter replace('\n    ', ' ') -%}
    case
    when regexp_full_match({{ compact }}, '-?\d+({{ decimal }}\d+)?')
    then try_cast({{ canonical }} as decimal(18, 2))
    when regexp_full_match({{ compact }}, '-?\d{1,3}({{ thousands }}\d{3})+({{ decimal }}\d+)?')
    then try_cast({{ canonical }} as decimal(18, 2))
    when regexp_full_match({{ compact }}, '-?\d+({{ decimal }}\d+)?[kK]')
    then try_cast(rtrim({{ canonical }}, 'kK') as decimal(18, 2)) * 1000
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
