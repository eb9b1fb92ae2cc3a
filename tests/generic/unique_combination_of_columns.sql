{% test unique_combination_of_columns(model, combination_of_columns, latest_of=none) %}
{#-
    Key values that appear on more than one row, for a key made of several columns. With
    latest_of, only the rows whose latest_of column holds its greatest value: on an
    append-only table keyed by the build that wrote each row, the rows this build appended,
    so the test costs what the build added, not the whole table.
-#}

with

{%- if latest_of %}

latest as (

    select max({{ latest_of }}) as latest_value from {{ model }}

),

{%- endif %}

key_counts as (

    select
        {{ combination_of_columns | join(', ') }},
        count(*) as row_count
    from {{ model }}
    {%- if latest_of %}
    where {{ latest_of }} = (select latest.latest_value from latest)
    {%- endif %}
    group by {{ combination_of_columns | join(', ') }}

)

select * from key_counts
where row_count > 1

{% endtest %}
