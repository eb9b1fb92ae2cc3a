from customer_segmentation.clustering import (
    diagnose_cluster_counts,
    features_for_clustering,
    seeded_sample,
)
from customer_segmentation.settings import read_segmentation_settings


def model(dbt, session):
    # Runs after the segmentation, never beside it: two fits at once would share the cores
    # and slow the one the scoring waits for.
    dbt.ref("segmentation_models")
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = read_segmentation_settings(dbt.config.get("settings"))
    kmeans = settings.kmeans(features_for_clustering(dbt.ref("int_features_profiled").df()))
    sample = seeded_sample(
        dbt.ref("int_customer_features"),
        size=settings.diagnostics_sample_size,
        seed=settings.kmeans_random_state,
    )
    return diagnose_cluster_counts(sample, kmeans, k_values=settings.cluster_counts_to_diagnose)
