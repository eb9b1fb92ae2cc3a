from customer_segmentation.clustering import features_for_clustering
from customer_segmentation.frames import first_ranked, for_engine, row_count, to_pandas
from customer_segmentation.model_store import VERSION_SPARK_SCHEMA, SourceFile, next_model_version
from customer_segmentation.personas import PersonaCatalogue
from customer_segmentation.settings import read_segmentation_settings


def model(dbt, session):
    # dbt hands a Python model only the config keys it reads with literal dbt.config.get calls.
    settings = read_segmentation_settings(dbt.config.get("settings"))
    kmeans = settings.kmeans(features_for_clustering(to_pandas(dbt.ref("int_features_profiled"))))
    sampled_customers = dbt.ref("int_customer_features_sampled")
    file_load = to_pandas(dbt.ref("customer_file_load")).iloc[0]
    stored_versions = (
        to_pandas(session.sql(f"select * from {dbt.this}")) if dbt.is_incremental else None
    )
    versions = next_model_version(
        versions=stored_versions,
        load_customers=lambda: first_ranked(sampled_customers, settings.fit_sample_size),
        personas=PersonaCatalogue(
            definitions=to_pandas(dbt.ref("persona_definitions")),
            defining_features=to_pandas(dbt.ref("persona_defining_features")),
        ),
        settings=kmeans,
        refit_requested=settings.refit,
        # The file as its load recorded it: a build that only scores never opens the file.
        source=SourceFile(
            file_name=str(file_load["file_name"]),
            sha256=str(file_load["file_sha256"]),
            record_count=row_count(dbt.ref("int_customers_validated")),
        ),
    )
    return for_engine(versions, session, VERSION_SPARK_SCHEMA)
