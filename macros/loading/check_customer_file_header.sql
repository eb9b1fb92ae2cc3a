{#-
    Part of load_customer_file: stop on a file the project cannot use (missing, a header it
    cannot use, undecodable bytes, no records), with a message that names what the file has
    and the exact var that would build on it.
-#}

{% macro stop_on_unusable_header(path, headers, resolved) %}
    {%- set file_label = "Customer file '" ~ path ~ "'" -%}
    {%- if headers | length == 0 -%}
        {{ exceptions.raise_compiler_error(file_label ~ " is empty: it has no header row. "
            ~ "Export the file again with a header line naming the columns.") }}
    {%- endif -%}
    {%- set header_text = headers | join(var('csv_delimiter')) -%}
    {%- if '\x00' in header_text or header_text.startswith('\xff\xfe') or header_text.startswith('\xfe\xff') -%}
        {{ exceptions.raise_compiler_error(file_label ~ " looks UTF-16 encoded (its header holds NUL bytes). "
            ~ "Set --vars '{\"csv_encoding\": \"utf-16\"}' (in a vars file: csv_encoding: utf-16) or save the file as UTF-8.") }}
    {%- endif -%}
    {%- for canonical, lacking in resolved.unresolved.items() -%}
        {{ exceptions.raise_compiler_error(file_label ~ " lacks the header(s) '" ~ lacking | join("', '")
            ~ "' that customer_columns['" ~ canonical ~ "'] = " ~ tojson(var('customer_columns')[canonical])
            ~ " derives " ~ canonical ~ " from.\nHeaders found: " ~ headers | join(', ')
            ~ ".\nCorrect the header name in customer_columns (case and surrounding spaces do not matter).") }}
    {%- endfor -%}
    {%- set missing_required = [] -%}
    {%- for column in resolved.missing if column in required_customer_columns() -%}
        {%- do missing_required.append(column ~ " (looked for header '"
            ~ var('customer_columns').get(column, column) ~ "')") -%}
    {%- endfor -%}
    {%- if missing_required -%}
        {%- set hints = [] -%}
        {%- if 'customer_id' in resolved.missing -%}
            {%- do hints.append("If the file has no id column, number its records instead: --vars '{\"customer_columns\": "
                ~ "{\"customer_id\": {\"row_number\": true}}}' (in a vars file: customer_columns: {customer_id: {row_number: true}});"
                ~ " such ids are each record's position in the file, so they are not stable across files.") -%}
        {%- endif -%}
        {%- set lacking_features = [] -%}
        {%- for feature in var('required_features') if feature in resolved.missing -%}
            {%- do lacking_features.append(feature) -%}
        {%- endfor -%}
        {%- if lacking_features -%}
            {%- do hints.append(required_features_hint(resolved, lacking_features)) -%}
        {%- endif -%}
        {%- set ns = namespace(hint="Map your headers with --vars '{\"customer_columns\": {\"annual_income\": \"Your Income Header\"}}'"
            ~ " (in a vars file: customer_columns: {annual_income: Your Income Header}).") -%}
        {%- if headers | length == 1 -%}
            {%- for candidate, label in [(';', ';'), ('\t', '\\t'), ('|', '|'), (',', ',')] -%}
                {%- if candidate != var('csv_delimiter') and candidate in headers[0] -%}
                    {%- set ns.hint = "The whole header reads as one column, so the file is probably not '"
                        ~ var('csv_delimiter') ~ "'-separated but '" ~ label ~ "'-separated: set --vars '{\"csv_delimiter\": \""
                        ~ label ~ "\"}' (in a vars file: csv_delimiter: \"" ~ label ~ "\")." -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
        {%- do hints.append(ns.hint) -%}
        {{ exceptions.raise_compiler_error(file_label ~ " lacks required column(s): "
            ~ missing_required | join(', ') ~ ".\nHeaders found: " ~ headers | join(', ')
            ~ ".\nRequired: " ~ required_customer_columns() | join(', ')
            ~ " (var required_features); optional: "
            ~ optional_customer_features() | join(', ') ~ ".\n" ~ hints | join('\n')) }}
    {%- endif -%}
{% endmacro %}


{% macro required_features_hint(resolved, lacking_features) %}
    {#-
        How to go on when the file lacks a required feature: the clustering features it does
        have, and the required_features that would build on it (the required ones present,
        topped up to two in canonical order).
    -#}
    {%- set present = [] -%}
    {%- for feature in customer_feature_specs() if feature.name in resolved.found or feature.name in resolved.derived -%}
        {%- do present.append(feature.name) -%}
    {%- endfor -%}
    {%- set suggested = [] -%}
    {%- for feature in var('required_features') if feature in present -%}
        {%- do suggested.append(feature) -%}
    {%- endfor -%}
    {%- for feature in present if feature not in suggested and suggested | length < 2 -%}
        {%- do suggested.append(feature) -%}
    {%- endfor -%}
    {%- set intro = "The file has the clustering feature(s) " ~ (present | join(', ') or 'none') ~ " but not "
        ~ lacking_features | join(', ') ~ ". " -%}
    {%- if suggested | length < 2 -%}
        {{ return(intro ~ "At least two features are needed: map more columns with customer_columns.") }}
    {%- endif -%}
    {{ return(intro ~ "If your data has no such measure, build on what it has: --vars '{\"required_features\": "
        ~ tojson(suggested) ~ "}' (in a vars file: required_features: [" ~ suggested | join(', ') ~ "])."
        ~ " If it is there under another header, map it with customer_columns.") }}
{% endmacro %}


{% macro stop_on_missing_customer_file(path) %}
    {{ exceptions.raise_compiler_error(customer_file_not_found_message(path)) }}
{% endmacro %}


{% macro customer_file_not_found_message(path) %}
    {{ return("Customer file '" ~ path ~ "' not found (var customers_path). "
        ~ "Relative paths resolve from the directory dbt runs in; pass an absolute path with "
        ~ "--vars '{\"customers_path\": \"/abs/path/customers.csv\"}' (in a vars file:"
        ~ " customers_path: /abs/path/customers.csv).") }}
{% endmacro %}


{% macro stop_on_unreadable_records(path, readable_count, error_count, encoding_error_count, first_encoding_line) %}
    {#- After the records are read: bytes that do not decode, or no records at all. -#}
    {%- set file_label = "Customer file '" ~ path ~ "'" -%}
    {%- if encoding_error_count > 0 -%}
        {{ exceptions.raise_compiler_error(file_label ~ " is not valid " ~ var('csv_encoding')
            ~ ": " ~ encoding_error_count ~ " record(s) hold bytes that do not decode, the first on line "
            ~ first_encoding_line ~ ". Set the file's encoding with --vars '{\"csv_encoding\": \"latin-1\"}' "
            ~ "(or \"utf-16\"; in a vars file: csv_encoding: latin-1), or save the file as UTF-8.") }}
    {%- endif -%}
    {%- if readable_count + error_count == 0 -%}
        {{ exceptions.raise_compiler_error(file_label ~ " has a header but no data rows. "
            ~ "Check that the export finished, or point customers_path at the full file.") }}
    {%- endif -%}
{% endmacro %}
