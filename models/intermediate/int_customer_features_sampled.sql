{#-
    The customers the Python models fit on, in a seeded order both engines agree on: ranked by
    md5 of the seed and the id (the id breaks a tie), the first var fit_sample_size of them
    for segmentation_models and the first diagnostics_sample_size for cluster_diagnostics.
    md5 is the same function on every engine, where hash() is 64 bits on DuckDB and 32 on
    Spark. The pick depends on the ids alone, not on row order: the same customers give the
    same sample in every build, and a customer keeps its place as others come and go.
    A table of at most the larger sample size: only these rows ever reach Python.
-#}
{%- set sample_size = [var('fit_sample_size'), var('diagnostics_sample_size')] | max -%}
{#- The candidates' expected count: twice the sample and 100 more (see key_bound). -#}
{%- set candidate_count = 2 * sample_size + 100 -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

customer_count as (

    select count(*) as customer_count from customer_features

),

key_bound as (

    -- Ordering every customer to keep a few is most of the cost on a large base (at 10
    -- million customers 3.0 s against 1.4 s with this bound). md5 keys are uniform, so the
    -- lowest candidate_count / customer_count of the key range holds about candidate_count
    -- customers: the bound is that fraction of the range as the first 8 hex digits. Fewer
    -- than the sample below it is more than ten standard deviations away; then the sample
    -- would be shorter, the same on both engines. Null (no bound) when it would keep most.
    select
        case
            when customer_count > 2 * {{ candidate_count }}
                then lower(lpad(hex(cast(
                    floor({{ candidate_count }} * 4294967296 / customer_count) as bigint
                )), 8, '0'))
        end as sample_key_bound
    from customer_count

),

keyed_customers as (

    select
        customer_id,
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }},
        {%- endfor %}
        md5({{ sql_string(var('kmeans_random_state') ~ ':') }} || customer_id) as sample_key
    from customer_features

),

candidates as (

    select keyed_customers.*
    from keyed_customers
    cross join key_bound
    where
        key_bound.sample_key_bound is null
        or keyed_customers.sample_key < key_bound.sample_key_bound

),

sampled_customers as (

    select * from candidates
    order by sample_key, customer_id
    limit {{ sample_size }}

),

final as (

    select
        -- ids
        customer_id,
        -- bigint on both engines: Spark numbers rows as int.
        cast(row_number() over (order by sample_key, customer_id) as bigint) as sample_rank,

        -- features
        {%- for feature in customer_feature_specs() %}
        {{ feature.name }}{% if not loop.last %},{% endif %}
        {%- endfor %}

    from sampled_customers

)

select * from final
