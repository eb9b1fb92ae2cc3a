{#-
    The Spark loader of the customer file: the same three tables behind the `crm` source, and
    the same stops, as the DuckDB loader in load_customer_file_duckdb.sql, read with Spark's own CSV
    reader. README "Running on Spark or Databricks" lists where the two readers differ.

    Spark's reader in PERMISSIVE mode keeps a record it cannot split into the header's
    columns whole in a corrupt-record column; those records become customer_file_errors. The
    records are numbered in file order once, into a Parquet table, so every later query sees
    the same positions, and dbt test or docs generate work after the file is gone.
-#}

{% macro spark_csv_options(path, header) -%}
    {#-
        The reader's options: every cell as text (the schema is given), the file's dialect from
        the vars, and multiLine, which reads a quoted line break as part of its cell as DuckDB
        does (and lets an unterminated quote run to the end of the file, as DuckDB does); it is
        also what Spark needs to read UTF-16. It costs parallelism: one task parses one file.
    -#}
    {%- set charsets = {'utf-8': 'UTF-8', 'utf-16': 'UTF-16', 'latin-1': 'ISO-8859-1'} -%}
    path {{ sql_string(path) }},
    header {{ sql_string(header | lower) }},
    sep {{ sql_string(var('csv_delimiter')) }},
    quote '"',
    escape '"',
    encoding {{ sql_string(charsets[var('csv_encoding')]) }},
    multiLine 'true',
    mode 'PERMISSIVE',
    columnNameOfCorruptRecord 'corrupt_record'
{%- endmacro %}


{% macro spark__read_customer_file_header(path) %}
    {#- Read as a headerless CSV with 256 text columns, as on DuckDB. -#}
    {%- set columns = [] -%}
    {%- for position in range(1, 257) -%}
        {%- do columns.append('c' ~ position ~ ' string') -%}
    {%- endfor -%}
    {%- do run_query("create or replace temporary view customer_file_header_line (" ~ columns | join(', ')
        ~ ") using csv options (" ~ spark_csv_options(path, header=false) ~ ")") -%}
    {%- set rows = run_query("select * from customer_file_header_line limit 1").rows -%}
    {%- do run_query("drop view customer_file_header_line") -%}
    {{ return(header_names(rows)) }}
{% endmacro %}


{% macro spark__load_customer_file() %}
    {%- if execute -%}
        {%- set path = var('customers_path') -%}
        {%- set customers = source('crm', 'customers') -%}
        {%- set errors = source('crm', 'customer_file_errors') -%}
        {%- set file_columns = source('crm', 'customer_file_columns') -%}
        {%- set records = customers.schema ~ ".customer_file_records" -%}

        {#- Spark cannot ask whether a file exists, only fail to list it: that failure is the stop. -#}
        {%- do try_or_compiler_error(customer_file_not_found_message(path), run_query,
            "select count(*) from binaryFile." ~ sql_identifier(path)) -%}

        {%- set plan = plan_customer_file_load(path) -%}

        {#- Every header as a text column, in file order, and the corrupt-record column last. -#}
        {%- set reader_columns = [] -%}
        {%- for header in plan.headers -%}
            {%- do reader_columns.append(sql_identifier(header) ~ ' string') -%}
        {%- endfor -%}
        {%- do reader_columns.append('corrupt_record string') -%}
        {%- do run_query("create or replace temporary view customer_file_lines (" ~ reader_columns | join(', ')
            ~ ") using csv options (" ~ spark_csv_options(path, header=true) ~ ")") -%}

        {%- do run_query("create schema if not exists " ~ customers.schema) -%}
        {%- for relation in [customers] -%}
            {%- do run_query("drop view if exists " ~ relation) -%}
        {%- endfor -%}
        {%- for relation in [records, errors, file_columns] -%}
            {%- do run_query("drop table if exists " ~ relation) -%}
        {%- endfor -%}

        {#-
            One pass over the file. monotonically_increasing_id rises in file order (its
            partition, then its place in it), so row_number over it is each record's position
            among all records, refused ones included. Spark reads bytes that do not decode as
            U+FFFD; such records are counted for the encoding stop.
        -#}
        {%- set raw_cells = [] -%}
        {%- for header in plan.headers -%}
            {%- do raw_cells.append(sql_identifier(header)) -%}
        {%- endfor -%}
        {%- set load_records -%}
            create table {{ records }} using parquet as
            with
            lines as (
                select *, monotonically_increasing_id() as file_order from customer_file_lines
            )
            select
                cast(row_number() over (order by file_order) as bigint) as source_row_number,
                {{ plan.select_list | join(',\n                ') }},
                corrupt_record as raw_record,
                instr(concat_ws('', {{ raw_cells | join(', ') }}, corrupt_record), '\uFFFD') > 0 as has_undecodable_bytes
            from lines
        {%- endset -%}
        {%- do run_query(load_records) -%}
        {%- do run_query("drop view customer_file_lines") -%}

        {%- set counts = run_query(
            "select count(*) filter (where raw_record is null), count(*) filter (where raw_record is not null),"
            ~ " count(*) filter (where has_undecodable_bytes),"
            ~ " min(source_row_number) filter (where has_undecodable_bytes) + 1 from " ~ records
        ).rows[0] -%}
        {%- do stop_on_unreadable_records(path, counts[0], counts[1], counts[2], counts[3]) -%}

        {%- set canonical_columns = canonical_customer_columns() -%}
        {%- set load_customers -%}
            create view {{ customers }} as
            select
                source_row_number,
                {%- for column in canonical_columns %}
                {% if column == 'customer_id' and plan.numbers_records -%}
                cast(source_row_number as string) as customer_id,
                {%- else -%}
                {{ column }},
                {%- endif -%}
                {%- endfor %}
                derived_from
            from {{ records }}
            where raw_record is null
        {%- endset -%}
        {%- do run_query(load_customers) -%}

        {%- set load_errors -%}
            create table {{ errors }} using parquet as
            {{ spark_customer_file_errors_sql(records, plan.headers | length) }}
        {%- endset -%}
        {%- do run_query(load_errors) -%}

        {%- do run_query("create table " ~ file_columns ~ " using parquet as "
            ~ customer_file_columns_sql(plan.resolved)) -%}
    {%- endif -%}
{% endmacro %}


{% macro spark_customer_file_errors_sql(records, column_count) %}
    {#-
        The refused records with the error kinds and messages DuckDB's reader gives, as Spark's
        reader does not say why it refused one: a quote left open, else too many or too few
        fields (counted outside quoted cells).
    -#}
    {%- set delimiter = sql_string(var('csv_delimiter')) -%}
    {%- set unquoted = regexp_replace_all('raw_record', '"([^"]|"")*"', '') -%}
    {%- set sql -%}
        with
        refused_records as (
            select
                source_row_number,
                raw_record,
                (length(raw_record) - length(replace(raw_record, '"', ''))) % 2 = 0 as has_closed_quotes,
                length({{ unquoted }}) - length(replace({{ unquoted }}, {{ delimiter }}, '')) + 1 as field_count
            from {{ records }}
            where raw_record is not null
        )
        select
            source_row_number,
            case
                when not has_closed_quotes then 'UNQUOTED VALUE'
                when field_count > {{ column_count }} then 'TOO MANY COLUMNS'
                else 'MISSING COLUMNS'
            end as error_type,
            raw_record,
            case
                when not has_closed_quotes then 'Value with unterminated quote found.'
                else 'Expected Number of Columns: {{ column_count }} Found: ' || field_count
            end as error_message
        from refused_records
    {%- endset -%}
    {{ return(sql) }}
{% endmacro %}
