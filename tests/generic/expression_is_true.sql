{% test expression_is_true(model, expression) %}
{#- Rows for which a boolean SQL expression over the model's columns is not true. -#}

with

rows_failing_expression as (

    select *
    from {{ model }}
    where not coalesce(({{ expression }}), false)

)

select * from rows_failing_expression

{% endtest %}
