{#-
    Contracts on Spark. DuckDB enforces a model's constraints as it writes the rows (not_null,
    check, primary_key, unique). dbt-spark applies not_null and check only to Delta tables
    (spark__persist_constraints skips any other format) and no engine on Spark enforces a
    primary key or unique. Parquet, the format this project writes on a plain Spark, would
    hold whatever rows the SQL produced. So on Spark each table with an enforced contract is
    checked by one query after it is written, and the model fails naming every constraint a
    row breaks; the table is dropped, as DuckDB would never have written it.
-#}

{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {%- set is_delta = config.get('file_format', 'delta') == 'delta' -%}
        {%- if is_delta -%}
            {#- Delta enforces not_null and check itself, as dbt-spark declares them. -#}
            {%- do alter_table_add_constraints(relation, model.constraints) -%}
            {%- do alter_column_set_constraints(relation, model.columns) -%}
        {%- endif -%}
        {%- do assert_contract_constraints_hold(relation, model, keys_only=is_delta) -%}
    {%- endif -%}
{% endmacro %}


{% macro contract_constraint_checks(model, keys_only=false) %}
    {#- Each constraint of the model as (description, SQL counting the rows that break it). -#}
    {%- set checks = [] -%}
    {%- set constraints = [] -%}
    {%- for constraint in model.constraints -%}
        {%- do constraints.append((constraint, constraint.columns or [])) -%}
    {%- endfor -%}
    {%- for column_name, column in model.columns.items() -%}
        {%- for constraint in column.constraints -%}
            {%- do constraints.append((constraint, [column_name])) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for constraint, columns in constraints -%}
        {%- set kind = constraint.type -%}
        {%- if kind in ('not_null', 'primary_key') and not keys_only -%}
            {%- for column_name in columns -%}
                {%- do checks.append(("not_null(" ~ column_name ~ ")",
                    "count(*) filter (where " ~ column_name ~ " is null)")) -%}
            {%- endfor -%}
        {%- endif -%}
        {%- if kind == 'check' and not keys_only -%}
            {#- As in SQL, a check whose expression is null (unknown) passes. -#}
            {%- do checks.append(("check(" ~ constraint.expression | trim ~ ")",
                "count(*) filter (where not (" ~ constraint.expression ~ "))")) -%}
        {%- endif -%}
        {%- if kind in ('primary_key', 'unique') -%}
            {#- Rows beyond the first of each key; rows with a null in the key are not compared. -#}
            {%- set key = columns | join(', ') -%}
            {%- set not_null_key = columns | join(' is not null and ') ~ ' is not null' -%}
            {%- do checks.append((kind ~ "(" ~ key ~ ")",
                "count(*) filter (where " ~ not_null_key ~ ") - count(distinct " ~ key ~ ")")) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(checks) }}
{% endmacro %}


{% macro assert_contract_constraints_hold(relation, model, keys_only=false, where=none) %}
    {#- Stops the model when a row of `relation` (those matching `where`, if given) breaks a
        constraint of its contract, listing each broken constraint with its row count. -#}
    {%- set checks = contract_constraint_checks(model, keys_only) -%}
    {%- if checks -%}
        {%- set columns = [] -%}
        {%- for check in checks -%}
            {%- do columns.append(check[1] ~ " as check_" ~ loop.index) -%}
        {%- endfor -%}
        {%- set counts = run_query("select " ~ columns | join(', ') ~ " from " ~ relation
            ~ (" where " ~ where if where else "")).rows[0] -%}
        {%- set broken = [] -%}
        {%- for check in checks -%}
            {%- if counts[loop.index0] > 0 -%}
                {%- do broken.append(check[0] ~ ": " ~ counts[loop.index0] ~ " row(s)") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if broken -%}
            {%- if not where -%}
                {%- do adapter.drop_relation(relation) -%}
            {%- endif -%}
            {{ exceptions.raise_compiler_error("Contract of " ~ model.name ~ " broken: "
                ~ broken | join('; ') ~ ". Spark does not enforce these constraints on "
                ~ config.get('file_format', 'delta') ~ " tables, so the project checks them after"
                ~ " writing" ~ (" (the table was dropped)" if not where else "") ~ ".") }}
        {%- endif -%}
    {%- endif -%}
{% endmacro %}


{% macro assert_appended_rows_meet_contract(relation, appended_where) %}
    {#- Post-hook of an append-only incremental model: dbt-spark checks the contract only when
        it creates the table, so a later build's appended rows are checked here. DuckDB
        enforces the table's constraints on every insert. -#}
    {{- return(adapter.dispatch('assert_appended_rows_meet_contract')(relation, appended_where)) -}}
{% endmacro %}

{% macro default__assert_appended_rows_meet_contract(relation, appended_where) %}{% endmacro %}

{% macro spark__assert_appended_rows_meet_contract(relation, appended_where) %}
    {%- if execute and is_incremental() -%}
        {%- do assert_contract_constraints_hold(relation, model, where=appended_where) -%}
    {%- endif -%}
{% endmacro %}
