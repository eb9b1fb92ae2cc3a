{% macro sql_string(value) %}
    {#- A single-quoted SQL string literal that the value can never end. -#}
    {{- return(adapter.dispatch('sql_string')(value)) -}}
{% endmacro %}

{% macro default__sql_string(value) %}
    {#- Standard SQL (DuckDB): a quote inside the literal is doubled. -#}
    {{- return("'" ~ (value | string | replace("'", "''")) ~ "'") -}}
{% endmacro %}

{% macro spark__sql_string(value) %}
    {#- Spark SQL escapes with a backslash; it reads 'it''s' as two literals, 'its'. -#}
    {{- return("'" ~ (value | string | replace("\\", "\\\\") | replace("'", "\\'")) ~ "'") -}}
{% endmacro %}


{% macro sql_identifier(name) %}
    {#- A quoted SQL identifier, for headers with spaces, brackets or quotes. -#}
    {{- return(adapter.dispatch('sql_identifier')(name)) -}}
{% endmacro %}

{% macro default__sql_identifier(name) %}
    {{- return('"' ~ (name | string | replace('"', '""')) ~ '"') -}}
{% endmacro %}

{% macro spark__sql_identifier(name) %}
    {#- Spark reads "name" as a string literal: identifiers take backticks. -#}
    {{- return('`' ~ (name | string | replace('`', '``')) ~ '`') -}}
{% endmacro %}


{% macro sql_string_list(values) %}
    {#- Comma-separated string literals, for an `in (...)` list. -#}
    {%- set literals = [] -%}
    {%- for value in values -%}{%- do literals.append(sql_string(value)) -%}{%- endfor -%}
    {{- return(literals | join(', ')) -}}
{% endmacro %}
