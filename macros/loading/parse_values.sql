{#-
    Parsers for the text cells of a customer file. Each returns null for a value it cannot
    read unambiguously; validation turns that null into an `<column>_unparseable` reason.
    They render to one line each so that compiled models stay readable.
-#}

{% macro space_characters() -%}
    {#- What the parsers count as space: regex \s (tab, newline, form feed, return, space) and
        the non-breaking space spreadsheets leave behind. -#}
    (' ' || chr(9) || chr(10) || chr(12) || chr(13) || chr(160))
{%- endmacro %}


{% macro strip_spaces(column, mostly_distinct=false) -%}
    {#- DuckDB computes a function of a column with few distinct values once per value, so a
        plain trim is cheap there. On a column of mostly distinct values (ids) trimming with a
        character list is slow and almost no cell needs it, so there look first. -#}
    {%- if mostly_distinct -%}
    case when ascii({{ column }}) <= 32 or ascii({{ column }}) = 160 or ascii(right({{ column }}, 1)) <= 32 or ascii(right({{ column }}, 1)) = 160 then {{ trim_characters(column, space_characters()) }} else {{ column }} end
    {%- else -%}
    {{ trim_characters(column, space_characters()) }}
    {%- endif -%}
{%- endmacro %}


{% macro normalise_text(column) -%}
    {#- For a column already stripped of spaces: empty cells and the configured missing
        markers become null. -#}
    {%- set markers = [] -%}
    {%- for marker in var('missing_value_markers') -%}
        {%- do markers.append(marker | string | trim | lower) -%}
    {%- endfor -%}
    {%- set longest = markers | map('length') | max -%}
    {#- Only cells as short as a marker can be one, so most skip the lookup. -#}
    case when {{ column }} = '' or (length({{ column }}) <= {{ longest }} and {{ is_in_string_list('lower(' ~ column ~ ')', markers) }}) then null else {{ column }} end
{%- endmacro %}


{% macro decimal_separators() -%}
    {#- (decimal, thousands) separators as regex fragments, from var decimal_separator. -#}
    {{- return(('\\.', ',') if var('decimal_separator') == '.' else (',', '\\.')) -}}
{%- endmacro %}


{% macro parse_number(column) -%}
    {#- Plain numbers in the file's decimal notation, inner spaces allowed; no thousands marks. -#}
    {%- set decimal = decimal_separators()[0] -%}
    {%- set compact = "translate(" ~ column ~ ", " ~ space_characters() ~ ", '')" -%}
    case when {{ regexp_full_match(compact, '[-+]?\\d+(' ~ decimal ~ '\\d+)?') }} then cast(replace({{ compact }}, {{ sql_string(var('decimal_separator')) }}, '.') as double) end
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
    {%- set compact = regexp_replace_all(column, '[\\s\\x{00A0}$€£¥]|(?i:usd|eur|gbp)', '') -%}
    {%- set canonical = "replace(" ~ regexp_replace_all(compact, thousands, '') ~ ", "
        ~ sql_string(var('decimal_separator')) ~ ", '.')" -%}
    {%- filter replace('\n    ', ' ') -%}
    case
    when {{ regexp_full_match(compact, '-?\\d+(' ~ decimal ~ '\\d+)?') }}
    then try_cast({{ canonical }} as decimal(18, 2))
    when {{ regexp_full_match(compact, '-?\\d{1,3}(' ~ thousands ~ '\\d{3})+(' ~ decimal ~ '\\d+)?') }}
    then try_cast({{ canonical }} as decimal(18, 2))
    when {{ regexp_full_match(compact, '-?\\d+(' ~ decimal ~ '\\d+)?[kK]') }}
    then cast(try_cast({{ trim_characters(canonical, "'kK'", side='trailing') }} as decimal(18, 2)) * 1000 as decimal(18, 2))
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


{% macro plain_cell_pattern(feature) -%}
    {#-
        The regex of a cell every parser reads the same way as a plain cast would: digits, an
        optional sign the parser allows and an optional decimal part, nothing else. False
        ('') when a missing marker itself looks like such a number, so markers stay markers.
    -#}
    {%- set decimal = decimal_separators()[0] -%}
    {%- set ns = namespace(numeric_marker=false) -%}
    {%- for marker in var('missing_value_markers') -%}
        {%- set digits = (marker | string | trim).lstrip('+-').replace('.', '', 1).replace(',', '', 1) -%}
        {%- if digits.isdigit() -%}{%- set ns.numeric_marker = true -%}{%- endif -%}
    {%- endfor -%}
    {%- if ns.numeric_marker -%}
        {{- return(none) -}}
    {%- elif feature.parser == 'whole_number' -%}
        {{- return('[-+]?\\d+') -}}
    {%- elif feature.parser == 'money' -%}
        {{- return('-?\\d+(' ~ decimal ~ '\\d+)?') -}}
    {%- else -%}
        {{- return('[-+]?\\d+(' ~ decimal ~ '\\d+)?') -}}
    {%- endif -%}
{%- endmacro %}


{% macro is_plain_cell(feature, column) -%}
    {%- set pattern = plain_cell_pattern(feature) -%}
    {%- if pattern is none -%}false{%- else -%}{{ regexp_full_match(column, pattern) }}{%- endif -%}
{%- endmacro %}


{% macro read_plain_cell(feature, column) -%}
    {#- The value of a cell is_plain_cell accepted: a cast, no trimming or lenient parsing. -#}
    {%- set canonical = "replace(" ~ column ~ ", " ~ sql_string(var('decimal_separator')) ~ ", '.')" -%}
    {%- if feature.parser == 'whole_number' -%}
        try_cast({{ column }} as bigint)
    {%- elif feature.parser == 'money' -%}
        try_cast({{ canonical }} as decimal(18, 2))
    {%- else -%}
        cast({{ canonical }} as double)
    {%- endif -%}
{%- endmacro %}
