{% macro check_database_file_name() %}
    {#-
        On-run-start: stop on a DuckDB file named after one of DuckDB's own catalogs (main,
        temp, system). DuckDB then renames the file's catalog (main.duckdb opens as main_db),
        while dbt-duckdb names every relation after the file, so the first table the build
        writes fails with "Schema with name raw_crm does not exist".
    -#}
    {%- if execute and target.type == 'duckdb' -%}
        {%- set file_name = modules.re.split('[/\\\\]', target.path) | last -%}
        {%- set stem = file_name.rsplit('.', 1)[0] if '.' in file_name else file_name -%}
        {%- if stem | lower in ('main', 'temp', 'system') -%}
            {{ exceptions.raise_compiler_error("The DuckDB file " ~ target.path ~ " is named '" ~ stem
                ~ "', which DuckDB keeps for its own catalogs, so dbt cannot address the tables in it."
                ~ " Give the file another name, e.g. DUCKDB_PATH=" ~ target.path | replace(file_name, 'segments_' ~ file_name)
                ~ " (make run and dbt read DUCKDB_PATH).") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
