{% macro string_agg_ordered(value, separator, order_by, filter=none) %}
    {#-
        The non-null values of a group joined by separator in order_by's order; null when
        there are none. `filter` is an optional predicate: only its rows are aggregated.
        dbt.listagg cannot serve: dbt-spark's version ignores its order_by. order_by is one
        ascending key, non-null and unique in the group, so both engines order alike.
    -#}
    {{- return(adapter.dispatch('string_agg_ordered')(value, separator, order_by, filter)) -}}
{% endmacro %}

{% macro default__string_agg_ordered(value, separator, order_by, filter) -%}
    string_agg({{ value }}, {{ sql_string(separator) }} order by {{ order_by }})
    {%- if filter %} filter (where {{ filter }}){% endif %}
{%- endmacro %}

{% macro spark__string_agg_ordered(value, separator, order_by, filter) -%}
    {#- collect_list keeps no order: sort (key, value) pairs, then keep the values.
        array_join skips nulls, and gives '' for none, where string_agg gives null. -#}
    nullif(array_join(transform(
        array_sort(collect_list(struct({{ order_by }} as sort_key, {{ value }} as item))
        {%- if filter %} filter (where {{ filter }}){% endif %}),
        entry -> entry.item
    ), {{ sql_string(separator) }}), '')
{%- endmacro %}
