from datetime import UTC, datetime
from pathlib import Path

from customer_segmentation.file_fingerprint import FileFingerprint
from customer_segmentation.frames import for_engine, spark_schema


def model(dbt, session):
    # The pre-hook load_customer_file() has just read the file into the crm source tables; this
    # node records which file that was, so nothing after it needs the file again.
    path = Path(dbt.config.get("customers_path"))
    fingerprint = FileFingerprint.of(path).to_frame(loaded_at=datetime.now(UTC))
    dtypes = {name: str(dtype) for name, dtype in fingerprint.dtypes.items()}
    return for_engine(fingerprint, session, spark_schema(dtypes, list_element_types={}))
