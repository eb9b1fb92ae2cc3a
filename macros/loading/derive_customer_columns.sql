{#-
    Derived canonical columns: a value of var customer_columns may name a header, or say how
    to compute the column from the file's raw columns. The loader (load_customer_file) emits
    each derived value as text under the canonical name, so staging parses and validates it
    like a direct one: a value that cannot be derived is emitted as text no parser reads
    (`unreadable date: 31/13/2020`), which staging reports as `<column>_unparseable`, never as
    missing. The raw cells behind every derived value go to the column `derived_from`.

      age:                   {birth_year: "<header>"}
      retention_months:      {since_date: "<header>", date_format: "%d/%m/%Y"}
      annual_income,
      total_purchase_amount: {sum_of: ["<header>", ...]}
      customer_id:           {row_number: true}
-#}

{% macro customer_column_derivations() %}
    {#- Each derivation kind: the canonical columns it may produce and the shape of its value. -#}
    {%- set money_features = [] -%}
    {%- for feature in customer_feature_specs() if feature.parser == 'money' -%}
        {%- do money_features.append(feature.name) -%}
    {%- endfor -%}
    {{ return({
        'birth_year': {'columns': ['age'], 'value': 'a header, e.g. {"birth_year": "Year_Birth"}'},
        'since_date': {'columns': ['retention_months'],
                       'value': 'a header, e.g. {"since_date": "Dt_Customer", "date_format": "%d/%m/%Y"}'},
        'sum_of': {'columns': money_features, 'value': 'a list of headers, e.g. {"sum_of": ["MntWines", "MntGold"]}'},
        'row_number': {'columns': ['customer_id'], 'value': 'true, i.e. {"row_number": true}'},
    }) }}
{% endmacro %}


{% macro as_of_date() %}
    {#- The date derived ages and months are measured to: var as_of_date, else the build's date. -#}
    {%- set value = var('as_of_date') -%}
    {{ return(run_started_at.strftime('%Y-%m-%d') if value is none else value | string) }}
{% endmacro %}


{% macro default_date_format() %}
    {{ return('%Y-%m-%d') }}
{% endmacro %}


{% macro derivation_kind(spec) %}
    {#- The kind of a customer_columns value that is a derivation; none for a header. -#}
    {%- if spec is mapping -%}
        {%- for kind in customer_column_derivations() if kind in spec -%}
            {{ return(kind) }}
        {%- endfor -%}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro derivation_headers(spec) %}
    {#- The file headers a derivation reads, in the order written. -#}
    {%- set kind = derivation_kind(spec) -%}
    {%- if kind == 'sum_of' -%}
        {{ return(spec.sum_of | list) }}
    {%- elif kind in ['birth_year', 'since_date'] -%}
        {{ return([spec[kind]]) }}
    {%- endif -%}
    {{ return([]) }}
{% endmacro %}


{% macro date_format_problem(date_format) %}
    {#-
        Why a strftime-style format cannot read dates, or none. Only DuckDB's specifiers are
        allowed, and a date written with the format must read back as the same day, so the
        format carries day, month and year.
    -#}
    {%- if date_format is not string or date_format | trim == '' -%}
        {{ return("must be a strftime-style format string, e.g. \"%d/%m/%Y\"") }}
    {%- endif -%}
    {%- set specifier = '%(-?[aAwudbhBmyYHIpMSgfnzZjUWcxX]|%)' -%}
    {%- if '%' in modules.re.sub(specifier, '', date_format) -%}
        {{ return("has an unknown % code: use %d (day), %m (month), %Y or %y (year), %b (month name), ...") }}
    {%- endif -%}
    {%- set engine_problem = date_format_engine_problem(date_format) -%}
    {%- if engine_problem is not none -%}
        {{ return(engine_problem) }}
    {%- endif -%}
    {%- set round_trip = run_query("select " ~ parse_date(format_date("date '2000-01-31'", date_format), date_format)
        ~ " = date '2000-01-31'").rows[0][0] -%}
    {%- if not round_trip -%}
        {{ return("does not carry a day, a month and a year: 2000-01-31 written with it does not read back") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro derivation_problems(canonical, spec) %}
    {#- The problems of one derivation in customer_columns, for validate_project_vars. -#}
    {%- set derivations = customer_column_derivations() -%}
    {%- set label = "customer_columns['" ~ canonical ~ "']" -%}
    {%- set kinds = [] -%}
    {%- set unknown = [] -%}
    {%- for key in spec -%}
        {%- if key in derivations -%}{%- do kinds.append(key) -%}
        {%- elif key != 'date_format' -%}{%- do unknown.append(key) -%}{%- endif -%}
    {%- endfor -%}
    {%- set kind_list = [] -%}
    {%- for kind, rule in derivations.items() -%}
        {%- do kind_list.append(kind ~ " (" ~ rule.columns | join(', ') ~ ")") -%}
    {%- endfor -%}
    {%- if unknown or kinds | length != 1 -%}
        {{ return([label ~ " = " ~ tojson(spec) ~ ": " ~ ("unknown derivation '" ~ unknown | join("', '") ~ "'; " if unknown else "")
            ~ "give a header, or exactly one derivation: " ~ kind_list | join(', ')]) }}
    {%- endif -%}
    {%- set kind = kinds[0] -%}
    {%- set problems = [] -%}
    {%- if canonical not in derivations[kind].columns -%}
        {%- do problems.append(label ~ ": " ~ kind ~ " derives only " ~ derivations[kind].columns | join(', ')) -%}
    {%- endif -%}
    {%- set value = spec[kind] -%}
    {%- if kind == 'row_number' -%}
        {%- set is_valid = value is sameas true -%}
    {%- elif kind == 'sum_of' -%}
        {%- set ns = namespace(is_valid=(value is not string and value is sequence and value | length > 0)) -%}
        {%- for header in (value if ns.is_valid else []) if header is not string or header | trim == '' -%}
            {%- set ns.is_valid = false -%}
        {%- endfor -%}
        {%- set is_valid = ns.is_valid -%}
    {%- else -%}
        {%- set is_valid = value is string and value | trim != '' -%}
    {%- endif -%}
    {%- if not is_valid -%}
        {%- do problems.append(label ~ "." ~ kind ~ " = " ~ tojson(value) ~ ": must be " ~ derivations[kind].value) -%}
    {%- endif -%}
    {%- if 'date_format' in spec -%}
        {%- if kind != 'since_date' -%}
            {%- do problems.append(label ~ ": date_format goes with since_date only") -%}
        {%- else -%}
            {%- set format_problem = date_format_problem(spec.date_format) -%}
            {%- if format_problem is not none -%}
                {%- do problems.append(label ~ ".date_format = " ~ tojson(spec.date_format) ~ ": " ~ format_problem) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endif -%}
    {{ return(problems) }}
{% endmacro %}


{% macro resolve_derivation(spec, header_by_key) %}
    {#-
        The derivation with the user's header names replaced by the file's own (matched
        ignoring case and surrounding spaces), and the names the file lacks.
    -#}
    {%- set kind = derivation_kind(spec) -%}
    {%- set resolved = {} -%}
    {%- do resolved.update(spec) -%}
    {%- set found = [] -%}
    {%- set missing = [] -%}
    {%- for header in derivation_headers(spec) -%}
        {%- set key = header | trim | lower -%}
        {%- if key in header_by_key -%}
            {%- do found.append(header_by_key[key]) -%}
        {%- else -%}
            {%- do missing.append(header) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if kind == 'sum_of' -%}
        {%- do resolved.update({'sum_of': found}) -%}
    {%- elif kind in ['birth_year', 'since_date'] and found -%}
        {%- do resolved.update({kind: found[0]}) -%}
    {%- endif -%}
    {{ return({'spec': resolved, 'headers': found, 'missing': missing}) }}
{% endmacro %}


{% macro describe_derivation(spec) %}
    {#- A derivation in words, for the build log and customer_file_columns. -#}
    {%- set kind = derivation_kind(spec) -%}
    {%- if kind == 'birth_year' -%}
        {{ return("age at " ~ as_of_date() ~ " from birth year '" ~ spec.birth_year ~ "'") }}
    {%- elif kind == 'since_date' -%}
        {{ return("whole months from '" ~ spec.since_date ~ "' (" ~ spec.get('date_format', default_date_format())
            ~ ") to " ~ as_of_date()) }}
    {%- elif kind == 'sum_of' -%}
        {{ return("sum of '" ~ spec.sum_of | join("' + '") ~ "'") }}
    {%- else -%}
        {{ return("the record's position in the file") }}
    {%- endif -%}
{% endmacro %}


{% macro clean_cell(header) -%}
    {#- A raw cell of the file as staging would see it: trimmed, missing markers as null. -#}
    {{ normalise_text(strip_spaces(sql_identifier(header))) }}
{%- endmacro %}


{% macro derived_column_sql(spec) -%}
    {#-
        SQL, over the file's raw text columns, of a derived canonical column as text: the value
        in the file's own number notation, null when a source cell is missing, or text that no
        parser reads when a source cell cannot be read.
    -#}
    {%- set kind = derivation_kind(spec) -%}
    {%- set as_of = "date " ~ sql_string(as_of_date()) -%}
    {%- filter replace('\n    ', ' ') -%}
    {%- if kind == 'row_number' -%}
    {#- Filled in from source_row_number once the records are numbered. -#}
    cast(null as string)
    {%- elif kind == 'birth_year' -%}
    {%- set cell = clean_cell(spec.birth_year) -%}
    case
    when {{ cell }} is null then null
    when {{ parse_whole_number(cell) }} is null then 'unreadable birth year: ' || {{ cell }}
    else cast(year({{ as_of }}) - {{ parse_whole_number(cell) }} as string)
    end
    {%- elif kind == 'since_date' -%}
    {%- set cell = clean_cell(spec.since_date) -%}
    {%- set since = parse_date(cell, spec.get('date_format', default_date_format())) -%}
    case
    when {{ cell }} is null then null
    when {{ since }} is null then 'unreadable date: ' || {{ cell }}
    else cast({{ whole_months_between(since, as_of) }} as string)
    end
    {%- elif kind == 'sum_of' -%}
    {%- set amounts = [] -%}
    case
    {%- for header in spec.sum_of %}
    {%- set cell = clean_cell(header) %}
    {%- do amounts.append(parse_money(cell)) %}
    when {{ cell }} is not null and {{ parse_money(cell) }} is null then {{ sql_string('unreadable amount in ' ~ header ~ ': ') }} || {{ cell }}
    {%- endfor %}
    when {{ amounts | join(' is null or ') }} is null then null
    else replace(cast({{ amounts | join(' + ') }} as string), '.', {{ sql_string(var('decimal_separator')) }})
    end
    {%- endif -%}
    {%- endfilter -%}
{%- endmacro %}


{% macro derived_from_sql(derivations) -%}
    {#- SQL of the column `derived_from`: `header=cell` for every cell a derivation reads. -#}
    {%- set parts = [] -%}
    {%- for spec in derivations.values() -%}
        {%- for header in derivation_headers(spec) -%}
            {%- do parts.append(sql_string(header ~ '=') ~ ' || ' ~ sql_identifier(header)) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- if parts -%}
    nullif(concat_ws('; ', {{ parts | join(', ') }}), '')
    {%- else -%}
    cast(null as string)
    {%- endif -%}
{%- endmacro %}
