{% macro spark__load_csv_rows(model, agate_table) %}
    {#-
        dbt-spark's own version binds each value with `%s`, and its session cursor fills the
        bindings in with `sql % parameters`, quoting nothing: a value holding an apostrophe
        ("what's next") ends its literal and the insert fails with "Syntax error at or near
        's'". This writes every value as a literal the project's sql_string escapes, in the
        column's type, in batches as dbt's. DuckDB keeps dbt's own loader.
    -#}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set column_types = [] -%}
    {%- for column_name in agate_table.column_names -%}
        {%- do column_types.append(
            column_override.get(column_name, adapter.convert_type(agate_table, loop.index0))) -%}
    {%- endfor -%}
    {%- set statements = [] -%}
    {%- for chunk in agate_table.rows | batch(get_batch_size()) -%}
        {%- set rows = [] -%}
        {%- for row in chunk -%}
            {%- set values = [] -%}
            {%- for value in row -%}
                {%- set literal = 'null' if value is none else sql_string(value) -%}
                {%- do values.append('cast(' ~ literal ~ ' as ' ~ column_types[loop.index0] ~ ')') -%}
            {%- endfor -%}
            {%- do rows.append('(' ~ values | join(', ') ~ ')') -%}
        {%- endfor -%}
        {%- set sql = 'insert into ' ~ this.render() ~ ' values\n' ~ rows | join(',\n') -%}
        {%- do adapter.add_query(sql, abridge_sql_log=True) -%}
        {%- do statements.append(sql) -%}
    {%- endfor -%}
    {#- dbt writes the first statement to the compiled seed file. -#}
    {{ return(statements[0] if statements else '') }}
{% endmacro %}
