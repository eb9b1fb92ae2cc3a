{#-
    Dates written with a user's strftime-style format (customer_columns' date_format, README
    "Derived columns"), on DuckDB as they are, on Spark through the Java pattern they mean.
-#}

{% macro parse_date(expression, date_format) -%}
    {#- The date the text spells in the format; null when it does not read. -#}
    {{- adapter.dispatch('parse_date')(expression, date_format) -}}
{%- endmacro %}

{% macro default__parse_date(expression, date_format) -%}
    cast(try_strptime({{ expression }}, {{ sql_string(date_format) }}) as date)
{%- endmacro %}

{% macro spark__parse_date(expression, date_format) -%}
    cast(try_to_timestamp({{ expression }}, {{ sql_string(java_date_pattern(date_format)) }}) as date)
{%- endmacro %}


{% macro format_date(expression, date_format) -%}
    {#- The date written in the format. -#}
    {{- adapter.dispatch('format_date')(expression, date_format) -}}
{%- endmacro %}

{% macro default__format_date(expression, date_format) -%}
    strftime({{ expression }}, {{ sql_string(date_format) }})
{%- endmacro %}

{% macro spark__format_date(expression, date_format) -%}
    date_format({{ expression }}, {{ sql_string(java_date_pattern(date_format)) }})
{%- endmacro %}


{% macro whole_months_between(start_date, end_date) -%}
    {#- Complete months from start to end, counted towards zero (negative for a later start). -#}
    {{- adapter.dispatch('whole_months_between')(start_date, end_date) -}}
{%- endmacro %}

{% macro default__whole_months_between(start_date, end_date) -%}
    date_sub('month', {{ start_date }}, {{ end_date }})
{%- endmacro %}

{% macro spark__whole_months_between(start_date, end_date) -%}
    {#-
        DuckDB's rule, checked against date_sub day by day over 30 years: a month is complete
        once the later date reaches the earlier one's day of month, or the end of its own
        month. Spark's months_between counts 31-day fractions and differs near month ends.
    -#}
    {%- set months = "(year({1}) - year({0})) * 12 + month({1}) - month({0})"
        ~ " - case when day({1}) < day({0}) and {1} != last_day({1}) then 1 else 0 end" -%}
    case when {{ start_date }} <= {{ end_date }} then {{ months.format(start_date, end_date) }} else -({{ months.format(end_date, start_date) }}) end
{%- endmacro %}


{% macro date_format_engine_problem(date_format) %}
    {#- Why this engine cannot use a strftime-style format the project accepts, or none. -#}
    {{ return(adapter.dispatch('date_format_engine_problem')(date_format)) }}
{% endmacro %}

{% macro default__date_format_engine_problem(date_format) %}
    {{ return(none) }}
{% endmacro %}

{% macro spark__date_format_engine_problem(date_format) %}
    {%- if java_date_pattern(date_format) is none -%}
        {{ return("uses a % code Spark has no pattern for (week numbers, weekday numbers, locale formats):"
            ~ " use %d, %m, %Y or %y, %b or %B, %H, %M, %S") }}
    {%- endif -%}
    {{ return(none) }}
{% endmacro %}


{% macro java_date_pattern(date_format) %}
    {#-
        The Java (Spark) datetime pattern of a strftime-style format, or none when a % code has
        no equivalent. A number takes one letter (any width, as strptime reads "3" for %d)
        unless another number follows without a separator, where it takes its fixed width.
        Literal text is quoted, as Java reserves letters and brackets.
    -#}
    {%- set numbers = {'d': ('d', 'dd'), 'm': ('M', 'MM'), 'Y': ('y', 'yyyy'), 'y': ('yy', 'yy'),
        'H': ('H', 'HH'), 'I': ('h', 'hh'), 'M': ('m', 'mm'), 'S': ('s', 'ss'), 'j': ('D', 'DDD')} -%}
    {%- set texts = {'b': 'MMM', 'h': 'MMM', 'B': 'MMMM', 'a': 'EEE', 'A': 'EEEE', 'p': 'a',
        'f': 'SSSSSS', 'z': 'Z', 'Z': 'z', '%': "'%'"} -%}
    {%- set tokens = modules.re.findall('%-?.|[^%]+', date_format) -%}
    {%- set parts = [] -%}
    {%- for token in tokens -%}
        {%- set code = token[-1] if token.startswith('%') else none -%}
        {%- if code is none -%}
            {%- do parts.append("'" ~ token | replace("'", "''") ~ "'") -%}
        {%- elif code in numbers -%}
            {%- set next_token = tokens[loop.index] if not loop.last else '' -%}
            {%- set is_adjacent = next_token.startswith('%') and next_token[-1] in numbers -%}
            {%- do parts.append(numbers[code][1 if is_adjacent else 0]) -%}
        {%- elif code in texts -%}
            {%- do parts.append(texts[code]) -%}
        {%- else -%}
            {{ return(none) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join('')) }}
{% endmacro %}
