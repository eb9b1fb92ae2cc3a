{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
{#- Rows whose value lies outside [min_value, max_value]; nulls are left to not_null. -#}

with

values_out_of_range as (

    select {{ column_name }} as value_out_of_range
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            false
            {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
            {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
        )

)

select * from values_out_of_range

{% endtest %}
