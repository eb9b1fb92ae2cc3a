-- MetricFlow joins metrics to this calendar. It spans every date a build of this project
-- can stamp on `customer_segments.segmented_on`; a check constraint on that column holds it
-- to these bounds and fails the build long before a date falls outside them.

with

calendar_days as (

    {{ calendar_days('2020-01-01', '2041-01-01') }}

),

final as (

    select date_day from calendar_days

)

select * from final
