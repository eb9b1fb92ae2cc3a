from customer_segmentation.clustering import features_for_clustering, seeded_sample
from customer_segmentation.model_store import SourceFile, next_model_version
from customer_segmentation.personas import PersonaCatalogue
from customer_segmentation.settings import read_segmentation_settings


def model(dbt, session):
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = read_segmentation_settings(dbt.config.get("settings"))
    kmeans = settings.kmeans(features_for_clustering(dbt.ref("int_features_profiled").df()))
    customer_features = dbt.ref("int_customer_features")
    validated_rows = dbt.ref("int_customers_validated")
    file_load = dbt.ref("customer_file_load").df().iloc[0]
    stored_versions = session.sql(f"select * from {dbt.this}").df() if dbt.is_incremental else None
    return next_model_version(
        versions=stored_versions,
        load_customers=lambda: seeded_sample(
            customer_features, settings.fit_sample_size, settings.kmeans_random_state
        ),
        personas=PersonaCatalogue(
            definitions=dbt.ref("persona_definitions").df(),
            defining_features=dbt.ref("persona_defining_features").df(),
        ),
        settings=kmeans,
        refit_requested=settings.refit,
        # The file as its load recorded it: a build that only scores never opens the file.
        source=SourceFile(
            file_name=str(file_load["file_name"]),
            sha256=str(file_load["file_sha256"]),
            record_count=validated_rows.aggregate("count(*)").fetchall()[0][0],
        ),
    )
