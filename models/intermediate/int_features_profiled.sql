{%- set required_list = sql_string_list(var('required_features')) -%}
{%- set requested_list = sql_string_list(var('clustering_features')) -%}

with

validated_customers as (

    select * from {{ ref('int_customers_validated') }}

),

file_columns as (

    select * from {{ ref('stg_crm__customer_file_columns') }}

),

clean_customers as (

    select * from validated_customers
    where row_status = 'clean'

),

feature_statistics_by_column as (

    -- Every feature in one scan: at 10 million customers a union of one query per feature
    -- took 10.5 s, most of it in the six medians, against 4.2 s for this one aggregate.
    select
        count(*) as clean_customer_count,
        {%- for feature in customer_feature_specs() %}
        count({{ feature.name }}) as {{ feature.name }}__value_count,
        cast(min({{ feature.name }}) as double) as {{ feature.name }}__min_value,
        cast(max({{ feature.name }}) as double) as {{ feature.name }}__max_value,
        {{ mean_as_double(feature.name) }} as {{ feature.name }}__mean_value,
        cast(stddev_pop({{ feature.name }}) as double) as {{ feature.name }}__stddev_value,
        {%- if feature.parser == 'money' %}
        cast({{ decimal_median(feature.name, 2) }} as double) as {{ feature.name }}__median_value,
        {%- else %}
        cast(median({{ feature.name }}) as double) as {{ feature.name }}__median_value,
        {%- endif %}
        -- On the values as typed: large amounts cast to double could compare equal.
        min({{ feature.name }}) = max({{ feature.name }}) as {{ feature.name }}__is_constant
        {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from clean_customers

),

feature_statistics as (

    {%- for feature in customer_feature_specs() %}
    select
        '{{ feature.name }}' as feature_name,
        {{ loop.index }} as feature_position,
        clean_customer_count,
        {{ feature.name }}__value_count as value_count,
        clean_customer_count - {{ feature.name }}__value_count as missing_count,
        {{ feature.name }}__min_value as min_value,
        {{ feature.name }}__max_value as max_value,
        {{ feature.name }}__mean_value as mean_value,
        {{ feature.name }}__stddev_value as stddev_value,
        {{ feature.name }}__median_value as median_value,
        {{ feature.name }}__is_constant as is_constant
    from feature_statistics_by_column
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

feature_decisions as (

    select
        feature_statistics.*,
        file_columns.is_in_file,
        feature_statistics.feature_name in ({{ required_list }}) as is_required,
        feature_statistics.feature_name in ({{ requested_list }}) as is_requested,
        -- Why a feature cannot take part in the clustering, first reason first.
        case
            when not file_columns.is_in_file then 'not_in_file'
            when feature_statistics.value_count = 0 then 'all_missing'
            -- min = max, not a count of distinct values: as exact, and at 10 million customers
            -- the six distinct counts took half of this model's time.
            when feature_statistics.is_constant then 'constant'
        end as unusable_reason
    from feature_statistics
    inner join file_columns
        on feature_statistics.feature_name = file_columns.canonical_column

),

final as (

    select
        -- ids
        feature_name,
        feature_position,

        -- decisions
        is_required,
        is_in_file,
        is_requested,
        is_requested and unusable_reason is null as is_used_for_clustering,
        case
            when not is_requested then 'not_requested'
            else unusable_reason
        end as exclusion_reason,
        -- Missing values of an optional feature get the median of the clean customers.
        not is_required and unusable_reason is null and missing_count > 0 as is_imputed,
        case
            when not is_required and unusable_reason is null then median_value
        end as imputation_value,

        -- statistics over clean customers, before imputation
        clean_customer_count,
        value_count,
        missing_count,
        min_value,
        max_value,
        mean_value,
        stddev_value,
        median_value

    from feature_decisions

)

select * from final
