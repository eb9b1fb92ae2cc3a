{#-
    Pre-hook of the loading node customer_file_load (outside its transaction, so the tables
    are committed before its Python runs): open the customer file named by var customers_path, check it as a whole, and
    load it into the three tables behind the `crm` source:

      customers              one row per readable record, every value as text under its
                             canonical column name, with its position in the file
      customer_file_errors   one row per record the CSV reader could not split into the
                             header's columns (ragged rows, unterminated quotes, bad bytes)
      customer_file_columns  one row per canonical column: the header that carries it, if any

    Header matching happens here, where the file's real headers are known, so every model's SQL
    stays static. Whole-file problems stop the build with a message naming the problem and the
    fix; problems with single records become rows of customer_file_errors.

    This file holds the DuckDB loader and what both engines share; the Spark loader is in
    load_customer_file_spark.sql.
-#}

{% macro csv_dialect_options() -%}
    delim = {{ sql_string(var('csv_delimiter')) }},
    quote = '"',
    escape = '"',
    encoding = {{ sql_string(var('csv_encoding')) }}
{%- endmacro %}


{% macro read_customer_file_header(path) %}
    {#- The header row as a list of names; an empty list for an empty file. -#}
    {{ return(adapter.dispatch('read_customer_file_header')(path)) }}
{% endmacro %}


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


{% macro header_names(rows) %}
    {#- The first row's cells up to the last filled one; an empty cell is named by its position. -#}
    {%- if rows | length == 0 -%}
        {{ return([]) }}
    {%- endif -%}
    {%- set cells = rows[0].values() | list -%}
    {%- set ns = namespace(last=0) -%}
    {%- for cell in cells -%}
        {%- if cell is not none -%}{%- set ns.last = loop.index -%}{%- endif -%}
    {%- endfor -%}
    {%- set headers = [] -%}
    {%- for cell in cells[:ns.last] -%}
        {%- do headers.append(cell if cell is not none and cell | trim != '' else 'column' ~ loop.index) -%}
    {%- endfor -%}
    {{ return(headers) }}
{% endmacro %}


{% macro resolve_customer_headers(headers) %}
    {#-
        Map each canonical column to the header that carries it in the user's file, using the
        var customer_columns (canonical -> header, or a derivation) and matching ignoring case
        and surrounding spaces. Returns {'found': {canonical: header}, 'derived': {canonical:
        derivation with the file's headers}, 'unresolved': {canonical: [headers the file
        lacks]}, 'missing': [...], 'extra': [...]}.
    -#}
    {%- set column_map = var('customer_columns') -%}
    {%- set by_key = {} -%}
    {%- for header in headers -%}
        {%- do by_key.update({(header | trim | lower): header}) -%}
    {%- endfor -%}
    {%- set found = {} -%}
    {%- set derived = {} -%}
    {%- set unresolved = {} -%}
    {%- set missing = [] -%}
    {%- set used = [] -%}
    {%- for canonical in canonical_customer_columns() -%}
        {%- set spec = column_map.get(canonical, canonical) -%}
        {%- if spec is mapping -%}
            {%- set derivation = resolve_derivation(spec, by_key) -%}
            {%- do derived.update({canonical: derivation.spec}) -%}
            {%- do used.extend(derivation.headers) -%}
            {%- if derivation.missing -%}
                {%- do unresolved.update({canonical: derivation.missing}) -%}
            {%- endif -%}
        {%- elif (spec | trim | lower) in by_key -%}
            {%- do found.update({canonical: by_key[spec | trim | lower]}) -%}
            {%- do used.append(by_key[spec | trim | lower]) -%}
        {%- else -%}
            {%- do missing.append(canonical) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set extra = [] -%}
    {%- for header in headers if header not in used -%}
        {%- do extra.append(header) -%}
    {%- endfor -%}
    {{ return({'found': found, 'derived': derived, 'unresolved': unresolved, 'missing': missing, 'extra': extra}) }}
{% endmacro %}


{% macro load_customer_file(inside_transaction=false) %}
    {#- The pre-hook of the loading node, listed twice (see is_active_hook_entry). -#}
    {%- if is_active_hook_entry(inside_transaction) -%}
        {{ return(adapter.dispatch('load_customer_file')()) }}
    {%- endif -%}
{% endmacro %}


{% macro is_active_hook_entry(inside_transaction) %}
    {#-
        A hook that must run outside the node's transaction on DuckDB (so that what it writes,
        or the rows it counts, are committed) is listed twice: outside and inside. dbt-duckdb
        runs both entries and dbt-spark only the inside one (Spark has no transactions): each
        engine does the work in one entry, and the other renders nothing.
    -#}
    {{ return(adapter.dispatch('is_active_hook_entry')(inside_transaction)) }}
{% endmacro %}

{% macro default__is_active_hook_entry(inside_transaction) %}
    {{ return(not inside_transaction) }}
{% endmacro %}

{% macro spark__is_active_hook_entry(inside_transaction) %}
    {{ return(inside_transaction) }}
{% endmacro %}


{% macro plan_customer_file_load(path) %}
    {#-
        What both loaders do before reading the records: read the header, stop on one the
        project cannot use, log what is ignored, left empty or derived, and build the select
        list that turns the file's raw columns into the canonical ones. Returns {'headers',
        'resolved', 'select_list', 'numbers_records'}.
    -#}
    {%- set headers = read_customer_file_header(path) -%}
    {%- set resolved = resolve_customer_headers(headers) -%}
    {%- do stop_on_unusable_header(path, headers, resolved) -%}
    {%- if resolved.extra -%}
        {{ log("Customer file: ignoring columns not in the canonical set: " ~ resolved.extra | join(', '), info=true) }}
    {%- endif -%}
    {%- set absent_optional = [] -%}
    {%- for column in resolved.missing if column not in required_customer_columns() -%}
        {%- do absent_optional.append(column) -%}
    {%- endfor -%}
    {%- if absent_optional -%}
        {{ log("Customer file: optional column(s) not in the file, left empty: " ~ absent_optional | join(', '), info=true) }}
    {%- endif -%}
    {%- for canonical, spec in resolved.derived.items() -%}
        {{ log("Customer file: " ~ canonical ~ " is derived: " ~ describe_derivation(spec), info=true) }}
    {%- endfor -%}
    {%- set numbers_records = derivation_kind(resolved.derived.get('customer_id')) == 'row_number' -%}
    {%- if numbers_records -%}
        {{ exceptions.warn("customer_id is each record's position in the file (customer_columns customer_id:"
            ~ " {row_number: true}). Such ids are not stable across files: the same customer gets another id in"
            ~ " the next export, so persona history and migrations compare different people, and repeated"
            ~ " records cannot be recognised as duplicates.") }}
    {%- endif -%}
    {%- set select_list = [] -%}
    {%- for column in canonical_customer_columns() -%}
        {%- if column in resolved.found -%}
            {%- do select_list.append(sql_identifier(resolved.found[column]) ~ " as " ~ column) -%}
        {%- elif column in resolved.derived -%}
            {%- do select_list.append(derived_column_sql(resolved.derived[column]) ~ " as " ~ column) -%}
        {%- else -%}
            {%- do select_list.append("cast(null as string) as " ~ column) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do select_list.append(derived_from_sql(resolved.derived) ~ " as derived_from") -%}
    {{ return({'headers': headers, 'resolved': resolved, 'select_list': select_list, 'numbers_records': numbers_records}) }}
{% endmacro %}


{% macro customer_file_columns_sql(resolved) %}
    {#- The rows of customer_file_columns: one per canonical column, the header or derivation behind it. -#}
    {%- set column_rows = [] -%}
    {%- for column in canonical_customer_columns() -%}
        {%- if column in resolved.found -%}
            {%- set header, derivation = sql_string(resolved.found[column]), "cast(null as string)" -%}
        {%- elif column in resolved.derived -%}
            {%- set read_headers = derivation_headers(resolved.derived[column]) -%}
            {%- set header = sql_string(read_headers | join(', ')) if read_headers else "cast(null as string)" -%}
            {%- set derivation = sql_string(describe_derivation(resolved.derived[column])) -%}
        {%- else -%}
            {%- set header, derivation = "cast(null as string)", "cast(null as string)" -%}
        {%- endif -%}
        {%- do column_rows.append("(" ~ sql_string(column) ~ ", " ~ header ~ ", " ~ derivation ~ ", " ~ loop.index ~ ")") -%}
    {%- endfor -%}
    {{ return("select * from (values " ~ column_rows | join(', ')
        ~ ") as mapping (canonical_column, file_header, derivation, column_position)") }}
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
