{% macro sql_string(value) %}
    {#- A single-quoted SQL string literal; quotes are doubled so the value can never end it. -#}
    {{- return("'" ~ (value | string | replace("'", "''")) ~ "'") -}}
{% endmacro %}


{% macro sql_identifier(name) %}
    {#- A double-quoted SQL identifier, for headers with spaces, brackets or quotes. -#}
    {{- return('"' ~ (name | string | replace('"', '""')) ~ '"') -}}
{% endmacro %}


{% macro sql_string_list(values) %}
    {#- Comma-separated string literals, for an `in (...)` list. -#}
    {%- set literals = [] -%}
    {%- for value in values -%}{%- do literals.append(sql_string(value)) -%}{%- endfor -%}
    {{- return(literals | join(', ')) -}}
{% endmacro %}
