{#-
    Text functions whose spelling differs between DuckDB and Spark SQL. Each default__ renders
    the DuckDB SQL the project has always run; each spark__ the Spark SQL that returns the
    same values. Patterns and characters are passed as Python strings and quoted here,
    because Spark reads a backslash in a string literal as an escape ('\d' is 'd').
-#}

{% macro regexp_full_match(expression, pattern) -%}
    {#- True when the whole text matches the regex, as RE2's full match. -#}
    {{- adapter.dispatch('regexp_full_match')(expression, pattern) -}}
{%- endmacro %}

{% macro default__regexp_full_match(expression, pattern) -%}
    regexp_full_match({{ expression }}, {{ sql_string(pattern) }})
{%- endmacro %}

{% macro spark__regexp_full_match(expression, pattern) -%}
    {#- rlike matches anywhere; anchored with \z, as $ also matches before a final newline. -#}
    {{ expression }} rlike {{ sql_string('^(?:' ~ pattern ~ ')\\z') }}
{%- endmacro %}


{% macro regexp_replace_all(expression, pattern, replacement) -%}
    {#- Every match replaced (DuckDB needs the 'g' flag; Spark returns null given one). -#}
    {{- adapter.dispatch('regexp_replace_all')(expression, pattern, replacement) -}}
{%- endmacro %}

{% macro default__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ sql_string(pattern) }}, {{ sql_string(replacement) }}, 'g')
{%- endmacro %}

{% macro spark__regexp_replace_all(expression, pattern, replacement) -%}
    regexp_replace({{ expression }}, {{ sql_string(pattern) }}, {{ sql_string(replacement) }})
{%- endmacro %}


{% macro trim_characters(expression, characters, side='both') -%}
    {#- The text without the given characters (an SQL expression) at both ends, or at the end. -#}
    {{- adapter.dispatch('trim_characters')(expression, characters, side) -}}
{%- endmacro %}

{% macro default__trim_characters(expression, characters, side) -%}
    {{ 'rtrim' if side == 'trailing' else 'trim' }}({{ expression }}, {{ characters }})
{%- endmacro %}

{% macro spark__trim_characters(expression, characters, side) -%}
    {#- Spark's two-argument trim takes the characters first: the standard form says which is which. -#}
    trim({{ side }} {{ characters }} from {{ expression }})
{%- endmacro %}


{% macro is_in_string_list(expression, values) -%}
    {#- True when the text is one of the values; not true for null text. -#}
    {{- adapter.dispatch('is_in_string_list')(expression, values) -}}
{%- endmacro %}

{% macro default__is_in_string_list(expression, values) -%}
    {#- array_position, not `in (...)`: DuckDB plans an in-list (and list_contains) as a join,
        which stays in every query of the view, even one that never reads the column. -#}
    array_position([{{ sql_string_list(values) }}], {{ expression }}) is not null
{%- endmacro %}

{% macro spark__is_in_string_list(expression, values) -%}
    {#- Spark has no list literal, and its array_position gives 0, not null, for no match. -#}
    {{ expression }} in ({{ sql_string_list(values) }})
{%- endmacro %}
