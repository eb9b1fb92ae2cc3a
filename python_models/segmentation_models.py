from customer_segmentation.clustering import (
    KMeansSettings,
    features_for_clustering,
    positive_int,
    seeded_sample,
)
from customer_segmentation.model_store import SourceFile, next_model_version, parse_flag
from customer_segmentation.personas import PersonaCatalogue


def model(dbt, session):
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = KMeansSettings.from_config_values(
        features=features_for_clustering(dbt.ref("int_features_profiled").df()),
        n_clusters=dbt.config.get("n_clusters"),
        random_state=dbt.config.get("kmeans_random_state"),
        n_init=dbt.config.get("kmeans_n_init"),
        min_persona_share=dbt.config.get("min_persona_share"),
    )
    fit_sample_size = positive_int(dbt.config.get("fit_sample_size"), "fit_sample_size")
    customer_features = dbt.ref("int_customer_features")
    validated_rows = dbt.ref("int_customers_validated")
    file_load = dbt.ref("customer_file_load").df().iloc[0]
    stored_versions = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    return next_model_version(
        versions=stored_versions,
        load_customers=lambda: seeded_sample(
            customer_features, fit_sample_size, settings.random_state
        ),
        personas=PersonaCatalogue(
            definitions=dbt.ref("persona_definitions").df(),
            defining_features=dbt.ref("persona_defining_features").df(),
        ),
        settings=settings,
        refit_requested=parse_flag(dbt.config.get("refit"), "refit"),
        # The file as its load recorded it: a build that only scores never opens the file.
        source=SourceFile(
            file_name=str(file_load["file_name"]),
            sha256=str(file_load["file_sha256"]),
            record_count=validated_rows.aggregate("count(*)").fetchall()[0][0],
        ),
    )
