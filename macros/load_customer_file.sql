{% macro customer_file_reader(path) %}
    {#-
        read_csv over the customer file with every option pinned: DuckDB's sniffer can guess a
        wrong delimiter or types, and every value arrives as text so that staging decides
        what is a number.
    -#}
    read_csv(
        {{ sql_string(path) }},
        header = true,
        all_varchar = true,
        delim = ',',
        quote = '"',
        escape = '"',
        encoding = 'utf-8',
        strict_mode = true,
        null_padding = false
    )
{% endmacro %}


{% macro resolve_customer_headers(headers) %}
    {#-
        Map each canonical column to the header that carries it in the user's file, using the
        var customer_columns (canonical -> header) and matching ignoring case and surrounding
        spaces. Returns {'found': {canonical: header}, 'missing': [...], 'extra': [...]}.
    -#}
    {%- set column_map = var('customer_columns') -%}
    {%- set by_key = {} -%}
    {%- for header in headers -%}
        {%- do by_key.update({(header | trim | lower): header}) -%}
    {%- endfor -%}
    {%- set found = {} -%}
    {%- set missing = [] -%}
    {%- for canonical in canonical_customer_columns() -%}
        {%- set wanted = (column_map.get(canonical, canonical)) | trim | lower -%}
        {%- if wanted in by_key -%}
            {%- do found.update({canonical: by_key[wanted]}) -%}
        {%- else -%}
            {%- do missing.append(canonical) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set used = found.values() | list -%}
    {%- set extra = [] -%}
    {%- for header in headers if header not in used -%}
        {%- do extra.append(header) -%}
    {%- endfor -%}
    {{ return({'found': found, 'missing': missing, 'extra': extra}) }}
{% endmacro %}


{% macro load_customer_file() %}
    {#-
        on-run-start: open the customer file named by var customers_path, check its headers
        and expose it as the view behind source('crm', 'customers'), one text column per
        canonical column. Renaming here, where the file's real headers are known, keeps every
        model's SQL static and lets unit tests mock the source with canonical names.
    -#}
    {%- if execute -%}
        {%- set path = var('customers_path') -%}
        {%- set reader = customer_file_reader(path) -%}
        {%- set source_relation = source('crm', 'customers') -%}

        {%- set file_check = run_query("select count(*) from glob(" ~ sql_string(path) ~ ")") -%}
        {%- if file_check.columns[0].values()[0] == 0 -%}
            {{ exceptions.raise_compiler_error(
                "Customer file not found: '" ~ path ~ "' (var customers_path). Relative paths resolve "
                ~ "from the directory dbt runs in; pass an absolute path with "
                ~ "--vars '{\"customers_path\": \"/abs/path/customers.csv\"}'.") }}
        {%- endif -%}

        {%- set headers = run_query("describe select * from " ~ reader).columns[0].values() | list -%}
        {%- set resolved = resolve_customer_headers(headers) -%}
        {%- set required = ['customer_id'] -%}
        {%- for feature in customer_feature_specs() -%}{%- do required.append(feature.name) -%}{%- endfor -%}
        {%- set missing_required = [] -%}
        {%- for column in resolved.missing if column in required -%}
            {%- do missing_required.append(column) -%}
        {%- endfor -%}
        {%- if missing_required -%}
            {%- set expected = [] -%}
            {%- for column in missing_required -%}
                {%- do expected.append(column ~ " (looked for header '"
                    ~ var('customer_columns').get(column, column) ~ "')") -%}
            {%- endfor -%}
            {{ exceptions.raise_compiler_error(
                "Customer file '" ~ path ~ "' lacks required column(s): " ~ expected | join(', ')
                ~ ".\nHeaders found: " ~ headers | join(', ')
                ~ ".\nMap your headers with --vars '{\"customer_columns\": {\"annual_income\": \"Your Income Header\"}}'"
                ~ (" (a single header suggests the file is not comma-separated)" if headers | length == 1 else "")
                ~ ".") }}
        {%- endif -%}
        {%- if resolved.extra -%}
            {{ log("Customer file: ignoring columns not in the canonical set: " ~ resolved.extra | join(', '), info=true) }}
        {%- endif -%}

        {%- set select_list = [] -%}
        {%- for column in canonical_customer_columns() -%}
            {%- if column in resolved.found -%}
                {%- do select_list.append(sql_identifier(resolved.found[column]) ~ " as " ~ column) -%}
            {%- else -%}
                {%- do select_list.append("cast(null as varchar) as " ~ column) -%}
            {%- endif -%}
        {%- endfor -%}

        {%- do run_query("create schema if not exists " ~ source_relation.schema) -%}
        create or replace view {{ source_relation }} as
        select {{ select_list | join(', ') }}
        from {{ reader }}
    {%- endif -%}
{% endmacro %}
