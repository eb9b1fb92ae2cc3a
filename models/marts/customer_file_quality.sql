with

validated_customers as (

    select * from {{ ref('int_customers_validated') }}

),

reject_reasons as (

    select * from {{ ref('reject_reasons') }}

),

outcome_counts as (

    select
        row_status,
        reject_reason,
        count(*) as row_count
    from validated_customers
    group by row_status, reject_reason

),

final as (

    select
        -- ids
        coalesce(outcome_counts.reject_reason, outcome_counts.row_status) as outcome,

        -- attributes
        outcome_counts.row_status,
        outcome_counts.reject_reason,
        coalesce(
            reject_reasons.reject_reason_description,
            case outcome_counts.row_status
                when 'clean' then 'Clean customers, segmented.'
                when 'duplicate' then 'Exact copies of an earlier row, collapsed into it.'
            end
        ) as outcome_description,

        -- counts
        outcome_counts.row_count,
        outcome_counts.row_count / sum(outcome_counts.row_count) over () as row_share

    from outcome_counts
    left join reject_reasons
        on outcome_counts.reject_reason = reject_reasons.reject_reason

)

select * from final
