{% macro decimal_median(column, scale) %}
    {#-
        The median of a decimal column with `scale` decimals, as DuckDB gives it: between two
        middle values, their mean truncated toward zero at that scale (1.00 and 1.03 give 1.01).
        The imputation value is this median, so both engines must fill the same value.
    -#}
    {{- return(adapter.dispatch('decimal_median')(column, scale)) -}}
{% endmacro %}

{% macro default__decimal_median(column, scale) -%}
    median({{ column }})
{%- endmacro %}

{% macro spark__decimal_median(column, scale) -%}
    {#- Spark's median is a double (3432.165). In units of the last decimal the mean of two
        middle values is exact in a double, and a cast to bigint truncates toward zero. -#}
    cast(median({{ column }} * {{ 10 ** scale }}) as bigint) / {{ 10 ** scale }}.0
{%- endmacro %}
