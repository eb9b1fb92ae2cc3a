-- Each persona's average profile next to the whole base, to sanity-check the naming.

with

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

final as (

    select
        coalesce(persona_name, 'All customers') as persona_name,
        count(*) as customers,
        {%- for feature in customer_feature_specs() %}
        round(avg({{ feature.name }}), 1) as avg_{{ feature.name }}
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from customer_segments
    group by rollup(persona_name)

)

select * from final
order by customers
