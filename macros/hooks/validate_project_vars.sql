{% macro validate_project_vars() %}
    {#-
        Check every user-settable var before any model reads it, and stop with one message
        listing each bad var, its value and what it accepts. Runs as on-run-start.
    -#}
    {%- if execute -%}
        {%- set problems = [] -%}

        {%- set path = var('customers_path') -%}
        {%- if path is not string or path | trim == '' -%}
            {%- do problems.append("customers_path = " ~ path ~ ": must be the path of a CSV file") -%}
        {%- endif -%}

        {%- set column_map = var('customer_columns') -%}
        {%- if column_map is not mapping -%}
            {%- do problems.append("customer_columns = " ~ column_map
                ~ ": must be a mapping of canonical column to header, e.g. {\"annual_income\": \"Annual Income (k$)\"}") -%}
        {%- else -%}
            {%- for canonical, header in column_map.items() -%}
                {%- if canonical not in canonical_customer_columns() -%}
                    {%- do problems.append("customer_columns has unknown key '" ~ canonical
                        ~ "': keys must be canonical columns (" ~ canonical_customer_columns() | join(', ') ~ ")") -%}
                {%- elif header is mapping -%}
                    {%- do problems.extend(derivation_problems(canonical, header)) -%}
                {%- elif header is not string or header | trim == '' -%}
                    {%- do problems.append("customer_columns['" ~ canonical ~ "'] = " ~ header
                        ~ ": must be the header text in your file, or a derivation such as {\"birth_year\": \"Year_Birth\"}") -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}

        {%- set as_of = var('as_of_date') -%}
        {%- if as_of is not none and not (modules.re.fullmatch('\\d{4}-\\d{2}-\\d{2}', as_of | string)
            and run_query("select try_cast(" ~ sql_string(as_of) ~ " as date) is not null").rows[0][0]) -%}
            {%- do problems.append("as_of_date = " ~ as_of ~ ": must be an ISO date (YYYY-MM-DD), or null for the date of the build") -%}
        {%- endif -%}

        {%- set delimiter = var('csv_delimiter') -%}
        {%- if delimiter is not string or delimiter | length != 1 -%}
            {%- do problems.append("csv_delimiter = " ~ delimiter ~ ": must be one character, e.g. \",\", \";\", \"|\" or \"\\t\" for tab") -%}
        {%- endif -%}
        {%- set encodings = ['utf-8', 'utf-16', 'latin-1'] -%}
        {%- if var('csv_encoding') not in encodings -%}
            {%- do problems.append("csv_encoding = " ~ var('csv_encoding') ~ ": must be one of " ~ encodings | join(', ')) -%}
        {%- endif -%}
        {%- if var('decimal_separator') not in ['.', ','] -%}
            {%- do problems.append("decimal_separator = " ~ var('decimal_separator') ~ ": must be \".\" or \",\"") -%}
        {%- elif var('decimal_separator') == delimiter -%}
            {%- do problems.append("decimal_separator = " ~ var('decimal_separator') ~ ": cannot equal csv_delimiter") -%}
        {%- endif -%}

        {%- set markers = var('missing_value_markers') -%}
        {%- if markers is string or markers is not sequence -%}
            {%- do problems.append("missing_value_markers = " ~ markers ~ ": must be a list of strings") -%}
        {%- endif -%}

        {%- for range_var in ['valid_age_range', 'valid_spending_score_range', 'valid_engagement_score_range'] -%}
            {%- set bounds = var(range_var) -%}
            {%- if bounds is string or bounds is not sequence or bounds | length != 2
                or not (bounds[0] is number and bounds[1] is number)
                or bounds[0] is boolean or bounds[1] is boolean -%}
                {%- do problems.append(range_var ~ " = " ~ bounds ~ ": must be [min, max], two numbers") -%}
            {%- elif bounds[0] > bounds[1] -%}
                {%- do problems.append(range_var ~ " = " ~ bounds ~ ": min must not exceed max") -%}
            {%- endif -%}
        {%- endfor -%}

        {%- for bound_var in ['min_annual_income_exclusive', 'min_total_purchase_amount', 'min_retention_months'] -%}
            {%- set bound = var(bound_var) -%}
            {%- if bound is not number or bound is boolean -%}
                {%- do problems.append(bound_var ~ " = " ~ bound ~ ": must be a number") -%}
            {%- endif -%}
        {%- endfor -%}

        {%- set share = var('max_rejected_share') -%}
        {%- if share is not number or share is boolean or share != share or share < 0 or share > 1 -%}
            {%- do problems.append("max_rejected_share = " ~ share ~ ": must be a number from 0 to 1") -%}
        {%- endif -%}

        {%- set known_features = [] -%}
        {%- for feature in customer_feature_specs() -%}{%- do known_features.append(feature.name) -%}{%- endfor -%}
        {%- for list_var in ['clustering_features', 'required_features'] -%}
            {%- set features = var(list_var) -%}
            {%- if features is string or features is not sequence or features | length < 2 -%}
                {%- do problems.append(list_var ~ " = " ~ features
                    ~ ": must list at least two of " ~ known_features | join(', ')) -%}
            {%- else -%}
                {%- for feature in features -%}
                    {%- if feature not in known_features -%}
                        {%- do problems.append(list_var ~ " has unknown feature '" ~ feature
                            ~ "': choose from " ~ known_features | join(', ')) -%}
                    {%- endif -%}
                {%- endfor -%}
                {%- if features | unique | list | length != features | length -%}
                    {%- do problems.append(list_var ~ " = " ~ features ~ ": lists a feature twice") -%}
                {%- endif -%}
            {%- endif -%}
        {%- endfor -%}

        {%- set n_clusters = var('n_clusters') -%}
        {%- if n_clusters is not integer or n_clusters < 2 or n_clusters > 12 -%}
            {%- do problems.append("n_clusters = " ~ n_clusters ~ ": must be an integer from 2 to 12") -%}
        {%- endif -%}
        {%- set min_share = var('min_persona_share') -%}
        {#- NaN passes both comparisons (a vars file may hold .nan): it alone differs from itself. -#}
        {%- if min_share is not number or min_share is boolean or min_share != min_share
            or min_share < 0 or min_share > 0.25 -%}
            {%- do problems.append("min_persona_share = " ~ min_share ~ ": must be a number from 0 to 0.25") -%}
        {%- endif -%}
        {%- set n_init = var('kmeans_n_init') -%}
        {%- if n_init is not integer or n_init < 1 or n_init > 100 -%}
            {%- do problems.append("kmeans_n_init = " ~ n_init ~ ": must be an integer from 1 to 100") -%}
        {%- endif -%}
        {%- set random_state = var('kmeans_random_state') -%}
        {%- if random_state is not integer or random_state < 0 -%}
            {%- do problems.append("kmeans_random_state = " ~ random_state ~ ": must be a non-negative integer") -%}
        {%- endif -%}

        {%- if var('refit') is not boolean -%}
            {%- do problems.append("refit = " ~ var('refit') ~ ": must be true or false") -%}
        {%- endif -%}

        {%- set k_range = var('diagnostics_cluster_counts') -%}
        {%- if k_range is string or k_range is not sequence or k_range | length != 2
            or not (k_range[0] is integer and k_range[1] is integer)
            or k_range[0] < 2 or k_range[1] > 12 or k_range[0] > k_range[1] -%}
            {%- do problems.append("diagnostics_cluster_counts = " ~ k_range
                ~ ": must be [smallest, largest], integers with 2 <= smallest <= largest <= 12") -%}
        {%- endif -%}
        {%- set fit_sample_size = var('fit_sample_size') -%}
        {%- if fit_sample_size is not integer or fit_sample_size < 1000 -%}
            {%- do problems.append("fit_sample_size = " ~ fit_sample_size ~ ": must be an integer of at least 1000") -%}
        {%- endif -%}
        {%- set sample_size = var('diagnostics_sample_size') -%}
        {%- if sample_size is not integer or sample_size < 100 -%}
            {%- do problems.append("diagnostics_sample_size = " ~ sample_size ~ ": must be an integer of at least 100") -%}
        {%- endif -%}

        {%- if problems -%}
            {{ exceptions.raise_compiler_error(
                "Invalid dbt vars (set them in dbt_project.yml or with --vars):\n  - "
                ~ problems | join("\n  - ")) }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}
