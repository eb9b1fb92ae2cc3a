{% macro not_materialized() %}
    {#-
        A CTE hint: `name as {{ not_materialized() }} (...)`. DuckDB stores a CTE read twice
        unless told not to, and storing a copy of every clean customer costs more than
        computing the rows again; Spark SQL has no such hint (and inlines CTEs anyway).
    -#}
    {{- return(adapter.dispatch('not_materialized')()) -}}
{% endmacro %}

{% macro default__not_materialized() %}not materialized{% endmacro %}

{% macro spark__not_materialized() %}{% endmacro %}
