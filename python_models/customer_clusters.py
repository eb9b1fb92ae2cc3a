from customer_segmentation.clustering import (
    KMeansSettings,
    features_for_clustering,
    segment_customers,
)


def model(dbt, session):
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = KMeansSettings.from_config_values(
        features=features_for_clustering(dbt.ref("int_features_profiled").df()),
        n_clusters=dbt.config.get("n_clusters"),
        random_state=dbt.config.get("kmeans_random_state"),
        n_init=dbt.config.get("kmeans_n_init"),
    )
    customers = dbt.ref("int_customer_features").df()
    persona_definitions = dbt.ref("persona_definitions").df()
    return segment_customers(customers, persona_definitions, settings)
