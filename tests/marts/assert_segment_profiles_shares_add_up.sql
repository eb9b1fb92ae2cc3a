-- Assert that the personas' customer and revenue shares each add up to 100% and their
-- customer counts to the clean customers: a marketer reading segment_profiles must be
-- looking at the whole customer base, not part of it.

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

final as (

    select
        profile_totals.*,
        (select count(*) from customer_segments) as clean_customer_count
    from profile_totals

)

select * from final
where
    customer_count != clean_customer_count
    or abs(customer_share - 1) > 1e-9
    or abs(revenue_share - 1) > 1e-9
