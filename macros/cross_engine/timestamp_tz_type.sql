{% macro timestamp_tz_type() %}
    {#- The type of an instant in time: DuckDB's timestamptz; Spark's timestamp is one already
        (shown in the session time zone), and Spark has no timestamptz. -#}
    {{- return(adapter.dispatch('timestamp_tz_type')()) -}}
{% endmacro %}

{% macro default__timestamp_tz_type() %}timestamptz{% endmacro %}

{% macro spark__timestamp_tz_type() %}timestamp{% endmacro %}
