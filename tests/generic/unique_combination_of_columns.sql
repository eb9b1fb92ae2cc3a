{% test unique_combination_of_columns(model, combination_of_columns) %}
{#- Key values that appear on more than one row, for a key made of several columns. -#}

with

key_counts as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    group by {{ combination_of_columns | join(', ') }}

)

select * from key_counts
where row_count > 1

{% endtest %}
