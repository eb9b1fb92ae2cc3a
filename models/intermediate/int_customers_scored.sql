{%- set features = customer_feature_specs() -%}

with

customer_features as (

    select * from {{ ref('int_customer_features') }}

),

centroid_features as (

    select * from {{ ref('int_model_centroid_features') }}

),

current_version as (

    -- The latest stored model version scores every customer.
    select max(model_version) as model_version from centroid_features

),

current_centroids as (

    select centroid_features.*
    from centroid_features
    inner join current_version
        on centroid_features.model_version = current_version.model_version

),

current_scalers as (

    select distinct
        model_version,
        feature_name,
        scaler_mean,
        scaler_scale
    from current_centroids

),

customer_values as (

    {%- for feature in features %}
    select
        customer_id,
        '{{ feature.name }}' as feature_name,
        cast({{ feature.name }} as double) as feature_value
    from customer_features
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

),

standardised_values as (

    -- Scaled with the stored model's means and scales, never refitted on new data.
    select
        customer_values.customer_id,
        customer_values.feature_name,
        current_scalers.model_version,
        (customer_values.feature_value - current_scalers.scaler_mean)
        / current_scalers.scaler_scale as standardised_value
    from customer_values
    inner join current_scalers
        on customer_values.feature_name = current_scalers.feature_name

),

squared_distances as (

    select
        standardised_values.customer_id,
        standardised_values.model_version,
        current_centroids.cluster_id,
        sum(
            pow(standardised_values.standardised_value - current_centroids.centroid_standardised, 2)
        ) as squared_distance
    from standardised_values
    inner join current_centroids
        on standardised_values.feature_name = current_centroids.feature_name
    group by
        standardised_values.customer_id,
        standardised_values.model_version,
        current_centroids.cluster_id

),

final as (

    select
        -- ids
        customer_id,
        any_value(model_version) as model_version,
        arg_min(cluster_id, squared_distance) as cluster_id,

        -- numerics
        sqrt(min(squared_distance)) as distance_to_centroid

    from squared_distances
    group by customer_id

)

select * from final
