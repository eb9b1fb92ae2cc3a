{% macro check_database_file_name() %}
    {#-
        On-run-start: stop on a DuckDB file named after one of DuckDB's own catalogs (main,
        temp, system). DuckDB names a file's catalog after its name up to the first dot and
        renames these (main.duckdb and main.v2.db open as main_db), while dbt-duckdb names every
        relation after the file, so the first table the build writes fails with "Schema with
        name raw_crm does not exist".
    -#}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set file_name = modules.re.split('[/\\\\]', target.path) | last -%}
        {%- set catalog = file_name.lstrip('.').split('.')[0] -%}
        {%- if catalog | lower in ('main', 'temp', 'system') -%}
            {%- set folder = target.path[:(target.path | length) - (file_name | length)] -%}
            {{ exceptions.raise_compiler_error("The DuckDB file " ~ target.path ~ " is named '" ~ catalog
                ~ "', which DuckDB keeps for its own catalogs, so dbt cannot address the tables in it."
                ~ " Give the file another name, e.g. DUCKDB_PATH=" ~ folder ~ "segments_" ~ file_name.lstrip('.')
                ~ " (make run and dbt read DUCKDB_PATH).") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
