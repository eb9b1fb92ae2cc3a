{% macro log_segment_warnings(segment_profiles_relation) %}
    {#-
        Post-hook of segment_profiles: print each segment's warning in the build log, in words,
        next to the test that raises them as dbt warnings (which shows only a count).
    -#}
    {%- if execute -%}
        {%- set warnings = run_query(
            "select segment_warning from " ~ segment_profiles_relation
            ~ " where segment_warning is not null order by cluster_id"
        ).columns[0].values() -%}
        {%- for warning in warnings -%}
            {{ log("Segment evidence: " ~ warning, info=true) }}
        {%- endfor -%}
    {%- endif -%}
{% endmacro %}
