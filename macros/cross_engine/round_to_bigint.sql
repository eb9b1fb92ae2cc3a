{% macro round_to_bigint(value) %}
    {#-
        A double as a whole number, halves to the even neighbour (12.5 gives 12, 13.5 gives 14),
        as DuckDB casts. The median of an even count of whole numbers can end in .5, and a
        whole-number feature is imputed with it.
    -#}
    {{- return(adapter.dispatch('round_to_bigint')(value)) -}}
{% endmacro %}

{% macro default__round_to_bigint(value) -%}
    cast({{ value }} as bigint)
{%- endmacro %}

{% macro spark__round_to_bigint(value) -%}
    {#- Spark's cast drops the fraction (13.5 gives 13); bround rounds halves to even. -#}
    cast(bround({{ value }}, 0) as bigint)
{%- endmacro %}
