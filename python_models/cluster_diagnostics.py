from customer_segmentation.clustering import (
    DIAGNOSTIC_SPARK_SCHEMA,
    diagnose_cluster_counts,
    features_for_clustering,
)
from customer_segmentation.frames import first_ranked, for_engine, to_pandas
from customer_segmentation.settings import read_segmentation_settings


def model(dbt, session):
    # Runs after the segmentation, never beside it: two fits at once would share the cores
    # and slow the one the scoring waits for.
    dbt.ref("segmentation_models")
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = read_segmentation_settings(dbt.config.get("settings"))
    kmeans = settings.kmeans(features_for_clustering(to_pandas(dbt.ref("int_features_profiled"))))
    # The segmentation's sample ranking, cut shorter: the silhouette costs the square of the rows.
    sample = first_ranked(
        dbt.ref("int_customer_features_sampled"), settings.diagnostics_sample_size
    )
    diagnostics = diagnose_cluster_counts(
        sample, kmeans, k_values=settings.cluster_counts_to_diagnose
    )
    return for_engine(diagnostics, session, DIAGNOSTIC_SPARK_SCHEMA)
