from datetime import UTC, datetime
from pathlib import Path

from customer_segmentation.file_fingerprint import FileFingerprint


def model(dbt, session):
    # The pre-hook load_customer_file() has just read the file into the crm source tables; this
    # node records which file that was, so nothing after it needs the file again.
    path = Path(dbt.config.get("customers_path"))
    return FileFingerprint.of(path).to_frame(loaded_at=datetime.now(UTC))
