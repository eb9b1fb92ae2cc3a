from customer_segmentation.clustering import (
    KMeansSettings,
    cluster_count_range,
    diagnose_cluster_counts,
    features_for_clustering,
    positive_int,
    seeded_sample,
)


def model(dbt, session):
    # Runs after the segmentation, never beside it: two fits at once would share the cores
    # and slow the one the scoring waits for.
    dbt.ref("segmentation_models")
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = KMeansSettings.from_config_values(
        features=features_for_clustering(dbt.ref("int_features_profiled").df()),
        n_clusters=dbt.config.get("n_clusters"),
        random_state=dbt.config.get("kmeans_random_state"),
        n_init=dbt.config.get("kmeans_n_init"),
    )
    sample = seeded_sample(
        dbt.ref("int_customer_features"),
        size=positive_int(dbt.config.get("diagnostics_sample_size"), "diagnostics_sample_size"),
        seed=settings.random_state,
    )
    return diagnose_cluster_counts(
        sample,
        settings,
        k_values=cluster_count_range(dbt.config.get("diagnostics_cluster_counts")),
    )
