from customer_segmentation.clustering import (
    KMeansSettings,
    cluster_count_range,
    diagnose_cluster_counts,
    features_for_clustering,
    positive_int,
)


def model(dbt, session):
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = KMeansSettings.from_config_values(
        features=features_for_clustering(dbt.ref("int_features_profiled").df()),
        n_clusters=dbt.config.get("n_clusters"),
        random_state=dbt.config.get("kmeans_random_state"),
        n_init=dbt.config.get("kmeans_n_init"),
    )
    return diagnose_cluster_counts(
        dbt.ref("int_customer_features").df(),
        settings,
        k_values=cluster_count_range(dbt.config.get("diagnostics_cluster_counts")),
        sample_size=positive_int(
            dbt.config.get("diagnostics_sample_size"), "diagnostics_sample_size"
        ),
    )
