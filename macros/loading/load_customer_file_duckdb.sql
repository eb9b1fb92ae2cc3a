{#-
    The DuckDB loader of the customer file (the default): the three tables behind the `crm`
    source, read with DuckDB's read_csv, whose store_rejects keeps the records it cannot split.
    What both engines share (header matching, the plan, the mapping table) is in
    load_customer_file.sql; the Spark loader in load_customer_file_spark.sql.
-#}

{% macro csv_dialect_options() -%}
    delim = {{ sql_string(var('csv_delimiter')) }},
    quote = '"',
    escape = '"',
    encoding = {{ sql_string(var('csv_encoding')) }}
{%- endmacro %}


{% macro default__read_customer_file_header(path) %}
    {#-
        Read as a headerless CSV with 256 text columns and no sniffing, so a ragged file cannot
        trip DuckDB's dialect detection.
    -#}
    {%- set columns = [] -%}
    {%- for position in range(1, 257) -%}
        {%- do columns.append("'c" ~ position ~ "': 'VARCHAR'") -%}
    {%- endfor -%}
    {%- set header_query -%}
        select * from read_csv(
            {{ sql_string(path) }},
            header = false, auto_detect = false, null_padding = true, ignore_errors = true,
            columns = { {{- columns | join(', ') -}} },
            {{ csv_dialect_options() }}
        )
        limit 1
    {%- endset -%}
    {{ return(header_names(run_query(header_query).rows)) }}
{% endmacro %}


{% macro default__load_customer_file() %}
    {#- DuckDB: read_csv with store_rejects, outside the transaction (see the YAML of customer_file_load). -#}
    {%- if execute -%}
        {%- set path = var('customers_path') -%}
        {%- set customers = source('crm', 'customers') -%}
        {%- set errors = source('crm', 'customer_file_errors') -%}
        {%- set file_columns = source('crm', 'customer_file_columns') -%}

        {%- set file_check = run_query("select count(*) from glob(" ~ sql_string(path) ~ ")") -%}
        {%- if file_check.columns[0].values()[0] == 0 -%}
            {%- do stop_on_missing_customer_file(path) -%}
        {%- endif -%}

        {%- set plan = plan_customer_file_load(path) -%}

        {#- Every header as a text column, in file order; the reader then needs no sniffing. -#}
        {%- set reader_columns = [] -%}
        {%- for header in plan.headers -%}
            {%- do reader_columns.append(sql_string(header) ~ ": 'VARCHAR'") -%}
        {%- endfor -%}

        {%- do run_query("create schema if not exists " ~ customers.schema) -%}
        {#- Start clean: the views below are made again from this file's records. -#}
        {%- set old_views = run_query(
            "select table_name from information_schema.tables where table_type = 'VIEW'"
            ~ " and table_schema = " ~ sql_string(customers.schema)
            ~ " and table_name in ('customers', 'customer_file_errors', 'customer_file_columns')"
        ).columns[0].values() -%}
        {%- for view_name in old_views -%}
            {%- do run_query("drop view " ~ customers.schema ~ "." ~ sql_identifier(view_name)) -%}
        {%- endfor -%}
        {%- do run_query("drop table if exists customer_file_reject_errors") -%}
        {%- do run_query("drop table if exists customer_file_reject_scans") -%}
        {%- set records = customers.schema ~ ".customer_file_records" -%}
        {#- customers is a view over the records since this version; earlier ones made it a table. -#}
        {%- do run_query("drop table if exists " ~ customers) -%}
        {#- Streamed into a table in file order (DuckDB keeps insertion order), so each record's
            place among the readable records is its rowid + 1: no window over the whole file. -#}
        {%- set load_records -%}
            create or replace table {{ records }} as
            select
                {{ plan.select_list | join(',\n                ') }}
            from read_csv(
                {{ sql_string(path) }},
                header = true, auto_detect = false, strict_mode = true, null_padding = false,
                columns = { {{- reader_columns | join(', ') -}} },
                {{ csv_dialect_options() }},
                store_rejects = true,
                rejects_table = 'customer_file_reject_errors',
                rejects_scan = 'customer_file_reject_scans'
            )
        {%- endset -%}
        {%- do run_query(load_records) -%}

        {#-
            A record the reader refuses is reported once per problem; keep one row per record.
            Its position is its line less the header: exact unless an earlier record spans
            several lines inside quotes.
        -#}
        {%- set load_errors -%}
            create or replace table {{ errors }} as
            select
                cast(line - 1 as bigint) as source_row_number,
                string_agg(distinct error_type, ', ' order by error_type) as error_type,
                any_value(csv_line) as raw_record,
                string_agg(distinct error_message, ' ' order by error_message) as error_message
            from customer_file_reject_errors
            group by line
        {%- endset -%}
        {%- do run_query(load_errors) -%}
        {%- do run_query("drop table if exists customer_file_reject_errors") -%}
        {%- do run_query("drop table if exists customer_file_reject_scans") -%}

        {%- set counts = run_query(
            "select (select count(*) from " ~ records ~ "), (select count(*) from " ~ errors ~ "),"
            ~ " (select count(*) from " ~ errors ~ " where error_type like '%ENCODING%'),"
            ~ " (select min(source_row_number) + 1 from " ~ errors ~ " where error_type like '%ENCODING%')"
        ).rows[0] -%}
        {%- do stop_on_unreadable_records(path, counts[0], counts[1], counts[2], counts[3]) -%}

        {#- Number readable records by their place among all records, the refused ones included. -#}
        {%- if counts[1] > 0 -%}
            {%- set renumber -%}
                create view {{ customers }} as
                with
                readable_records as (
                    select rowid + 1 as readable_record_number, * from {{ records }}
                ),
                refused_records as (
                    select
                        source_row_number - row_number() over (order by source_row_number) as readable_before,
                        row_number() over (order by source_row_number) as refused_so_far
                    from {{ errors }}
                ),
                refused_before as (
                    select readable_before, max(refused_so_far) as refused_so_far
                    from refused_records
                    group by readable_before
                )
                select
                    readable_records.readable_record_number + coalesce(refused_before.refused_so_far, 0) as source_row_number,
                    readable_records.* exclude (readable_record_number)
                from readable_records
                asof left join refused_before
                    on readable_records.readable_record_number > refused_before.readable_before
            {%- endset -%}
        {%- else -%}
            {%- set renumber -%}
                create view {{ customers }} as
                select rowid + 1 as source_row_number, * from {{ records }}
            {%- endset -%}
        {%- endif -%}
        {%- if plan.numbers_records -%}
            {%- set renumber = renumber | replace("create view " ~ customers ~ " as",
                "create view " ~ customers ~ " as select * replace (cast(source_row_number as varchar) as customer_id) from (")
                ~ ")" -%}
        {%- endif -%}
        {%- do run_query(renumber) -%}

        create or replace table {{ file_columns }} as
        {{ customer_file_columns_sql(plan.resolved) }}
    {%- endif -%}
{% endmacro %}
