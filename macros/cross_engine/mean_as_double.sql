{% macro mean_as_double(column) %}
    {#-
        The mean of a numeric column as a double. Averaging a decimal, Spark returns a decimal
        of four more places (53.142857 for 372/7), which a later cast cannot restore; DuckDB
        returns the full double.
    -#}
    {{- return(adapter.dispatch('mean_as_double')(column)) -}}
{% endmacro %}

{% macro default__mean_as_double(column) -%}
    cast(avg({{ column }}) as double)
{%- endmacro %}

{% macro spark__mean_as_double(column) -%}
    avg(cast({{ column }} as double))
{%- endmacro %}
