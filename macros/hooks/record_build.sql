{#-
    on-run-end: record every `dbt build` in the database it built, in the table behind the
    source build_log.segmentation_builds: when, with which vars, and whether every node passed.

    The record lives in the database rather than in target/run_results.json, which the next
    dbt command of any kind (docs generate, compile) overwrites, and which says nothing of the
    database it ran against. Publishing and the report read it to refuse marts a failed build
    left behind; make reads the vars back so later commands (docs, publish, report, metrics)
    work on the file the database was built from, never silently on the sample.
-#}

{% macro record_build(results) %}
    {%- if execute and flags.WHICH == 'build' -%}
        {#- A test that warns passes: dbt exits 0 and the marts are this build's. -#}
        {%- set passing = ['success', 'pass', 'warn', 'skipped', 'no-op'] -%}
        {%- set failed = [] -%}
        {%- for result in results if result.status not in passing -%}
            {%- do failed.append(result.node.unique_id ~ " (" ~ result.status ~ ")") -%}
        {%- endfor -%}
        {%- set builds = source('build_log', 'segmentation_builds') -%}
        {%- do run_query("create schema if not exists " ~ builds.schema) -%}
        {%- do run_query(create_build_log_table(builds)) -%}
        {%- set dbt_vars = tojson(invocation_args_dict.get('vars', {})) -%}
        {%- do run_query(
            "insert into " ~ builds ~ " values ("
            ~ sql_string(invocation_id) ~ ", cast(" ~ sql_string(run_started_at) ~ " as "
            ~ timestamp_tz_type() ~ "), now(), "
            ~ sql_string('failed' if failed else 'passed') ~ ", "
            ~ (sql_string(failed | join(', ')) if failed else "null") ~ ", "
            ~ sql_string(var('customers_path')) ~ ", try_cast(" ~ sql_string(as_of_date()) ~ " as date), "
            ~ (sql_string(var('vars_file')) if var('vars_file') else "null") ~ ", "
            ~ (sql_string(dbt_vars) if dbt_vars else "null") ~ ")") -%}
    {%- endif -%}
{% endmacro %}


{% macro create_build_log_table(relation) %}
    {#- The DDL of the build log, created by the first build that records itself. -#}
    {{- return(adapter.dispatch('create_build_log_table')(relation)) -}}
{% endmacro %}

{% macro default__create_build_log_table(relation) %}
    {{- return("create table if not exists " ~ relation ~ " ("
        ~ "invocation_id varchar primary key, started_at timestamptz not null,"
        ~ " finished_at timestamptz not null, status varchar not null, failed_nodes varchar,"
        ~ " customers_path varchar, as_of_date date, vars_file varchar, dbt_vars json)") -}}
{% endmacro %}

{% macro spark__create_build_log_table(relation) %}
    {#- A Parquet table holds no keys or not-null constraints (dbt's invocation id is unique
        anyway, and this macro writes every column it requires), nor a json type. -#}
    {{- return("create table if not exists " ~ relation ~ " ("
        ~ "invocation_id string, started_at timestamp, finished_at timestamp, status string,"
        ~ " failed_nodes string, customers_path string, as_of_date date, vars_file string,"
        ~ " dbt_vars string) using parquet") -}}
{% endmacro %}
