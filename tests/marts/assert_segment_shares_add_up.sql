-- Assert that the personas' customer and revenue shares each add up to 100% and their
-- customer counts to the clean customers: a marketer reading segment_profiles must be
-- looking at the whole customer base, not part of it. The per-customer weights behind the
-- semantic layer's share_of_customers must add up to 100% too.

with

segment_profiles as (

    select * from {{ ref('segment_profiles') }}

),

customer_segments as (

    select * from {{ ref('customer_segments') }}

),

profile_totals as (

    select
        sum(customer_count) as customer_count,
        sum(customer_share) as customer_share,
        sum(revenue_share) as revenue_share
    from segment_profiles

),

customer_totals as (

    select
        count(*) as clean_customer_count,
        sum(customer_base_share) as customer_base_share
    from customer_segments

),

final as (

    select
        profile_totals.*,
        customer_totals.clean_customer_count,
        customer_totals.customer_base_share
    from profile_totals
    cross join customer_totals

)

select * from final
where
    customer_count != clean_customer_count
    or abs(customer_share - 1) > 1e-9
    or abs(revenue_share - 1) > 1e-9
    or abs(customer_base_share - 1) > 1e-9
