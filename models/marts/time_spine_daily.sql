-- MetricFlow joins metrics to this calendar. It spans every date a build of this project
-- can stamp on `customer_segments.segmented_on`; a check constraint on that column holds it
-- to these bounds and fails the build long before a date falls outside them.

with

calendar_days as (

    select cast(range as date) as date_day
    from range(date '2020-01-01', date '2041-01-01', interval 1 day)

),

final as (

    select date_day from calendar_days

)

select * from final
