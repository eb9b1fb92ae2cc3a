{#-
    Post-hooks that stop the build, before clustering, on problems with the customer file as a
    whole. Each message names the file, the problem and the fix; row-level problems are never
    raised here: they are rejected rows.
-#}

{% macro assert_customer_file_is_usable(validated_relation, inside_transaction=false) %}
    {#- Post-hook of int_customers_validated, listed twice (see is_active_hook_entry). -#}
    {%- if execute and is_active_hook_entry(inside_transaction) -%}
        {%- set file_label = "Customer file '" ~ var('customers_path') ~ "'" -%}

        {#- A required feature empty in every readable row: the column is there but unused. -#}
        {%- for feature in var('required_features') -%}
            {#- A clean row keeps its parsed value, a rejected one its text as written. -#}
            {%- set filled = run_query("select count(coalesce(cast(" ~ feature ~ " as string), " ~ feature
                ~ "_raw)) from " ~ validated_relation ~ " where raw_record is null").columns[0].values()[0] -%}
            {%- if filled == 0 -%}
                {{ exceptions.raise_compiler_error(file_label ~ ": required feature " ~ feature
                    ~ " is empty in every row. Fill the column, or, if your data has no such"
                    ~ " measure, drop it from the var required_features.") }}
            {%- endif -%}
        {%- endfor -%}

        {#- A score column on a 0-1 scale: a contract change, not a thousand bad rows. -#}
        {%- for feature in customer_feature_specs() if feature.max is not none and feature.max >= 10 -%}
            {%- set scale = run_query("select count(" ~ feature.name ~ "), max(" ~ feature.name ~ ") from "
                ~ validated_relation).rows[0] -%}
            {%- if scale[0] >= 10 and scale[1] <= 1 -%}
                {{ exceptions.raise_compiler_error(file_label ~ ": every " ~ feature.name ~ " lies between 0 and 1,"
                    ~ " but the project expects " ~ describe_feature_domain(feature) ~ ". The export's scale"
                    ~ " changed: rescale the column, or set the var valid_" ~ feature.name ~ "_range to [0, 1].") }}
            {%- endif -%}
        {%- endfor -%}

        {#- Too many rejects: usually the wrong file, a changed export or a wrong mapping. -#}
        {%- set limit = var('max_rejected_share') -%}
        {%- set counts = run_query(
            "select reject_reason, count(*) as row_count from " ~ validated_relation
            ~ " group by all order by row_count desc, reject_reason"
        ) -%}
        {%- set ns = namespace(total=0, rejected=0, reasons=[]) -%}
        {%- for row in counts.rows -%}
            {%- set ns.total = ns.total + row[1] -%}
            {%- if row[0] is not none -%}
                {%- set ns.rejected = ns.rejected + row[1] -%}
                {%- do ns.reasons.append(row[0] ~ ": " ~ row[1]) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if ns.total > 0 and ns.rejected / ns.total > limit -%}
            {{ exceptions.raise_compiler_error(
                "Rejected " ~ ns.rejected ~ " of " ~ ns.total ~ " rows of '" ~ var('customers_path') ~ "' ("
                ~ "%.1f" | format(100 * ns.rejected / ns.total) ~ "%), above max_rejected_share = " ~ limit
                ~ ". Reasons: " ~ ns.reasons | join(", ") ~ ".\n" ~ first_rejected_rows(validated_relation)
                ~ "\nEvery row's verdict (row_status, reject_reason; for a rejected row, the values as written) is in "
                ~ read_table_hint(validated_relation.identifier) ~ "\nCheck the file and the var customer_columns, or raise"
                ~ " max_rejected_share (in your vars file, or with --vars).") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro first_rejected_rows(validated_relation) %}
    {#- The first few rejected rows, each with the cell behind its reason, for the stop message. -#}
    {#- A quote as a literal each engine reads: Spark reads four quotes as two empty literals. -#}
    {%- set quote = sql_string("'") -%}
    {%- set cells = [] -%}
    {%- for feature in customer_feature_specs() -%}
        {%- do cells.append("when left(reject_reason, " ~ (feature.name | length + 1) ~ ") = '" ~ feature.name ~ "_' then '" ~ feature.name
            ~ " ' || coalesce(" ~ quote ~ " || " ~ feature.name ~ "_raw || " ~ quote ~ ", 'missing')") -%}
    {%- endfor -%}
    {%- set rows = run_query(
        "select source_row_number, reject_reason, case " ~ cells | join(' ')
        ~ " when reject_reason = 'malformed_row' then " ~ sql_string("record '") ~ " || raw_record || " ~ quote
        ~ " else 'id ' || coalesce(" ~ quote ~ " || customer_id || " ~ quote ~ ", 'missing') end, derived_from from "
        ~ validated_relation ~ " where row_status = 'rejected' order by source_row_number limit 3").rows -%}
    {%- set examples = [] -%}
    {%- for row in rows -%}
        {%- do examples.append("row " ~ row[0] ~ ": " ~ row[1] ~ " (" ~ row[2]
            ~ ("; from " ~ row[3] if row[3] is not none else "") ~ ")") -%}
    {%- endfor -%}
    {{ return("First rejected rows: " ~ examples | join(", ") ~ ".") }}
{% endmacro %}


{% macro assert_customers_are_segmentable(customer_features_relation, feature_profiles_relation) %}
    {#- Post-hook of int_customer_features: KMeans needs k customers and k distinct profiles. -#}
    {%- if execute -%}
        {%- set file_label = "Customer file '" ~ var('customers_path') ~ "'" -%}
        {%- set k = var('n_clusters') -%}
        {%- set profiles = run_query("select feature_name, is_used_for_clustering, exclusion_reason from "
            ~ feature_profiles_relation ~ " order by feature_position").rows -%}
        {%- set used = [] -%}
        {%- set excluded = [] -%}
        {%- for profile in profiles -%}
            {%- if profile[1] -%}
                {%- do used.append(profile[0]) -%}
            {%- elif profile[2] != 'not_requested' -%}
                {%- do excluded.append(profile[0] ~ " (" ~ profile[2] | replace('_', ' ') ~ ")") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if excluded -%}
            {{ exceptions.warn("Clustering without " ~ excluded | join(', ') ~ "; using " ~ used | join(', ') ~ ".") }}
        {%- endif -%}
        {%- if used | length < 2 -%}
            {{ exceptions.raise_compiler_error(file_label ~ ": only " ~ (used | join(', ') or 'no feature')
                ~ " can be clustered on; at least two features are needed. Left out: "
                ~ excluded | join(', ') ~ ". Add feature columns to the file or map them with customer_columns.") }}
        {%- endif -%}

        {#- Counting every distinct profile of a large file is costly and almost never needed:
            when the first rows already hold k distinct profiles, the file does. -#}
        {%- set profile = "(" ~ used | join(', ') ~ ")" -%}
        {%- set sizes = run_query("select (select count(*) from " ~ customer_features_relation ~ "),"
            ~ " (select count(distinct " ~ profile ~ ") from (select * from " ~ customer_features_relation
            ~ " limit 10000))").rows[0] -%}
        {%- if sizes[1] < k -%}
            {%- set sizes = run_query("select count(*), count(distinct " ~ profile ~ ") from "
                ~ customer_features_relation).rows[0] -%}
        {%- endif -%}
        {%- if sizes[0] < k -%}
            {{ exceptions.raise_compiler_error(file_label ~ ": only " ~ sizes[0] ~ " clean customer(s) for n_clusters = "
                ~ k ~ ". The rows refused are those with row_status 'rejected' in int_customers_validated"
                ~ " (" ~ export_table_command('int_customers_validated') ~ "); or lower"
                ~ " n_clusters (in your vars file, or with --vars).") }}
        {%- endif -%}
        {%- if sizes[1] < k -%}
            {{ exceptions.raise_compiler_error(file_label ~ ": the " ~ sizes[0] ~ " clean customers have only "
                ~ sizes[1] ~ " distinct profile(s) over " ~ used | join(', ') ~ ", fewer than n_clusters = " ~ k
                ~ "; KMeans would return empty segments. Lower n_clusters or add customers.") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro export_table_command(identifier) %}
    {#- The command that shows a table of this build to the user who ran it. -#}
    {{ return(adapter.dispatch('export_table_command')(identifier)) }}
{% endmacro %}

{% macro default__export_table_command(identifier) %}
    {{ return("DUCKDB_PATH=" ~ target.path ~ " make export TABLE=" ~ identifier) }}
{% endmacro %}

{% macro spark__export_table_command(identifier) %}
    {%- if run_query("set spark.sql.catalogImplementation").rows[0][1] == 'in-memory' -%}
        {#- An in-memory catalog (the local session) ends with the build; the table's files stay. -#}
        {%- set warehouse = run_query("set spark.sql.warehouse.dir").rows[0][1] -%}
        {{ return("select * from parquet.`" ~ warehouse.rstrip('/') ~ "/" ~ target.schema ~ ".db/"
            ~ identifier ~ "`") }}
    {%- endif -%}
    {{ return("select * from " ~ target.schema ~ "." ~ identifier) }}
{% endmacro %}


{% macro read_table_hint(identifier) %}
    {#- Where a table of this build is, and how to read it, for a stop message. -#}
    {{ return(adapter.dispatch('read_table_hint')(identifier)) }}
{% endmacro %}

{% macro default__read_table_hint(identifier) %}
    {{ return("the table " ~ identifier ~ " of the database " ~ target.path ~ ", which this build wrote."
        ~ " To open it as a spreadsheet, run in the project folder: " ~ export_table_command(identifier)
        ~ " (writes exports/" ~ identifier ~ ".csv).") }}
{% endmacro %}

{% macro spark__read_table_hint(identifier) %}
    {{ return("the table " ~ target.schema ~ "." ~ identifier ~ ", which this build wrote. Read it with: "
        ~ export_table_command(identifier) ~ " where row_status = 'rejected'.") }}
{% endmacro %}
