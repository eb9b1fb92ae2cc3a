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

    This file holds what both engines share; each engine's loader is in
    load_customer_file_duckdb.sql and load_customer_file_spark.sql.
-#}

{% macro read_customer_file_header(path) %}
    {#- The header row as a list of names; an empty list for an empty file. -#}
    {{ return(adapter.dispatch('read_customer_file_header')(path)) }}
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
