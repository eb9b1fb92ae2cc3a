{% macro calendar_days(first_day, day_after_last) %}
    {#- A query of one column, date_day: every date from first_day up to day_after_last, excluded. -#}
    {{- return(adapter.dispatch('calendar_days')(first_day, day_after_last)) -}}
{% endmacro %}

{% macro default__calendar_days(first_day, day_after_last) %}
    select cast(range as date) as date_day
    from range(date '{{ first_day }}', date '{{ day_after_last }}', interval 1 day)
{% endmacro %}

{% macro spark__calendar_days(first_day, day_after_last) %}
    {#- Spark has no range() of dates; sequence() includes its end, hence the day before. -#}
    select explode(sequence(
        date '{{ first_day }}', date_sub(date '{{ day_after_last }}', 1), interval 1 day
    )) as date_day
{% endmacro %}
