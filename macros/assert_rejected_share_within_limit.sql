{% macro assert_rejected_share_within_limit(validated_relation) %}
    {#-
        Post-hook of int_customers_validated: stop the build before clustering when more than
        var max_rejected_share of the source rows were rejected. A file that bad is usually the
        wrong file, the wrong delimiter or a changed export, and segmenting what is left would
        mislead.
    -#}
    {%- if execute -%}
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
                ~ ". Reasons: " ~ ns.reasons | join(", ")
                ~ ". Check the file and var customer_columns, or raise max_rejected_share with --vars.") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
