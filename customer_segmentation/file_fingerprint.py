"""The customer file's fingerprint, taken once, when the file is loaded.

The loading node (``customer_file_load``) records it in the database; everything after the
load reads that record instead of opening the file again: the model versions name the file
they were fitted on, ``segmentation_runs`` reports it, and the report tells whether the file
has changed since the build. So a built database stays usable (docs, tests, the report) when
the file has moved on or is gone.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

# Read in blocks: a 4 GB file is hashed in constant memory.
HASH_BLOCK_BYTES = 1 << 20


@dataclass(frozen=True)
class FileFingerprint:
    """What identifies one version of a file: where, how big, when changed, its content hash."""

    file_path: str
    file_name: str
    file_size_bytes: int
    file_modified_at: datetime
    file_sha256: str

    @classmethod
    def of(cls, path: Path) -> FileFingerprint:
        """Stat and hash ``path`` (SHA-256 of its bytes, read a block at a time)."""
        status = path.stat()
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(HASH_BLOCK_BYTES), b""):
                digest.update(block)
        return cls(
            file_path=str(path.resolve()),
            file_name=path.name,
            file_size_bytes=status.st_size,
            file_modified_at=datetime.fromtimestamp(status.st_mtime, tz=UTC),
            file_sha256=digest.hexdigest(),
        )

    def has_changed(self, path: Path) -> bool:
        """Whether the file at ``path`` differs from this fingerprint by size or modified time.

        A cheap check (no read of the content), for the report: a file rewritten with the
        same size in the same second would pass, which an export never is.
        """
        if not path.exists():
            return False
        status = path.stat()
        modified_at = datetime.fromtimestamp(status.st_mtime, tz=UTC)
        return status.st_size != self.file_size_bytes or modified_at != self.file_modified_at

    def to_frame(self, loaded_at: datetime) -> pd.DataFrame:
        """One row, the columns of the ``customer_file_load`` model."""
        row = {**asdict(self), "loaded_at": loaded_at}
        frame = pd.DataFrame([row])
        for column in ("file_modified_at", "loaded_at"):
            frame[column] = pd.to_datetime(frame[column], utc=True).astype("datetime64[us, UTC]")
        return frame
