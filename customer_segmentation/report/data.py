"""What the report reads: the marts' aggregates and a seeded sample, never every customer.

The database is opened read-only; before anything is read, the report stops with a clear
message when the database is missing, its last build failed, a mart is missing, or the
customer file changed after the build (``check_freshness``). Every table read here has a
row per persona, feature, feature pair, histogram bin, k or build, except the scatter
plots' sample of customers, which the database picks (a seeded hash of the id) and caps at
``SCATTER_SAMPLE_SIZE``: the report costs the same at ten thousand or a hundred million
customers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd

from customer_segmentation.build_record import (
    BuildRecord,
    BuildRecordError,
    check_last_build_passed,
    check_vars_file_matches,
    connect_read_only,
    last_build,
    rebuild_command,
)
from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID
from customer_segmentation.file_fingerprint import FileFingerprint
from customer_segmentation.vars_file import VarsFileError

REQUIRED_TABLES = (
    "customer_segments",
    "segment_profiles",
    "customer_file_quality",
    "feature_profiles",
    "feature_correlations",
    "feature_distributions",
    "cluster_diagnostics",
    "segmentation_runs",
)
# The scatter plots draw at most this many customers, picked in the database by a seeded
# hash of their id: the same customers in every build, and only they reach Python.
SCATTER_SAMPLE_SIZE = 20_000
SCATTER_SAMPLE_SEED = 0
# The report reads aggregates and that sample, for which DuckDB needs little memory. DuckDB
# keeps the blocks it scans cached up to its cap, so with the build's cap the report's memory
# grew with the customers (1.8 GB at 100 million under an 8 GB cap); under this fixed cap (or
# the build's, when smaller) it stays flat.
REPORT_MEMORY_LIMIT = "256MB"


class ReportError(RuntimeError):
    """The report cannot be built; the message says what to do."""


@dataclass(frozen=True)
class ReportData:
    profiles: pd.DataFrame
    file_quality: pd.DataFrame
    features: pd.DataFrame
    correlations: pd.DataFrame
    distributions: pd.DataFrame
    diagnostics: pd.DataFrame
    run: pd.Series
    # Persona and features of at most SCATTER_SAMPLE_SIZE customers, for the scatter plots.
    customer_sample: pd.DataFrame

    @property
    def features_used(self) -> list[str]:
        used = self.features[self.features["is_used_for_clustering"]]
        return used.sort_values("feature_position")["feature_name"].tolist()

    @property
    def features_present(self) -> list[str]:
        present = self.features[self.features["is_in_file"]]
        return [name for name in CLUSTERING_FEATURES if name in set(present["feature_name"])]

    @property
    def has_revenue(self) -> bool:
        return "total_purchase_amount" in self.features_present

    @property
    def customer_count(self) -> int:
        return int(self.run["clean_customer_count"])

    def display_cut(self, feature: str) -> float | None:
        """Where charts of a money feature stop (its 99.5th percentile); None for the rest."""
        bins = self.distributions
        above = bins[(bins["feature_name"] == feature) & bins["is_above_display_cut"]]
        return float(above["bin_lower"].iloc[0]) if len(above) else None

    @property
    def is_sampled(self) -> bool:
        """True when the scatter plots show a sample rather than every customer."""
        return len(self.customer_sample) < self.customer_count


def load_report_data(
    duckdb_path: Path,
    vars_file: Path | None = None,
    sample_size: int = SCATTER_SAMPLE_SIZE,
) -> ReportData:
    """Read the marts, read-only; stop with a clear message when they are missing or stale,
    or when the database's last build failed (its marts would be an earlier build's)."""
    if not duckdb_path.exists():
        raise ReportError(
            f"No database at {duckdb_path}: run `{rebuild_command(None, duckdb_path)}` first"
            " to build the marts."
        )
    try:
        connection = open_database(duckdb_path)
    except duckdb.IOException as error:
        raise ReportError(
            f"Cannot open {duckdb_path} read-only: {error}. Wait for the running build to finish."
        ) from error
    with connection:
        try:
            record = last_build(connection)
            check_vars_file_matches(record, duckdb_path, vars_file)
            check_last_build_passed(record, duckdb_path)
        except (BuildRecordError, VarsFileError) as error:
            raise ReportError(str(error)) from None
        rebuild = rebuild_command(record, duckdb_path)
        tables = {row[0] for row in connection.execute("show tables").fetchall()}
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise ReportError(
                f"{duckdb_path} lacks {', '.join(missing)}: it was built by an older version or"
                f" a build that failed. Run `{rebuild}` first."
            )
        data = ReportData(
            profiles=read(connection, "select * from segment_profiles order by cluster_id"),
            file_quality=read(
                connection, "select * from customer_file_quality order by row_count desc"
            ),
            features=read(connection, "select * from feature_profiles order by feature_position"),
            correlations=read(connection, "select * from feature_correlations"),
            distributions=read(
                connection,
                "select * from feature_distributions order by feature_name, gender, bin_number",
            ),
            diagnostics=read(
                connection, "select * from cluster_diagnostics order by cluster_count"
            ),
            run=read(connection, "select * from segmentation_runs").iloc[0],
            customer_sample=customer_sample(connection, sample_size),
        )
    check_freshness(data.run, record, duckdb_path)
    return data


def open_database(duckdb_path: Path) -> duckdb.DuckDBPyConnection:
    """The database, read-only (a build may start while the report reads), with the report's
    own small memory cap, or the build's when that is smaller."""
    return connect_read_only(duckdb_path, memory_limit=REPORT_MEMORY_LIMIT)


def read(connection: duckdb.DuckDBPyConnection, query: str) -> pd.DataFrame:
    return connection.execute(query).df()


def seeded_sample(customers: duckdb.DuckDBPyRelation, size: int, seed: int) -> pd.DataFrame:
    """At most ``size`` customers, picked by a seeded hash of their id, as a pandas frame.

    The report's scatter sample, from the DuckDB database it reads. (The fit's sample is
    drawn in SQL, by an md5 key both engines share: int_customer_features_sampled.)

    The database picks the rows, so only the sample ever reaches Python, whatever the number
    of customers. The pick depends on the ids alone, not on row order: the same customers
    give the same sample in every build, and a customer keeps its place as others come and go.
    """
    if size < 1:
        raise ValueError(f"sample size must be at least 1; got {size}")
    sample_key = f"hash({CUSTOMER_ID}, {int(seed)})"
    sample_order = f"{sample_key}, {CUSTOMER_ID}"
    customer_count = customers.aggregate("count(*)").fetchall()[0][0]
    if customer_count > 4 * size:
        # Sorting every customer to keep a few is most of the cost on a large base. Hashes are
        # uniform, so the lowest fraction of the hash range holds about twice `size` ids:
        # when it holds at least `size`, the pick below is the same as from the whole base.
        hash_bound = (2 * size << 64) // customer_count
        candidates = customers.filter(f"{sample_key} < {hash_bound}")
        sample = candidates.order(sample_order).limit(size).df()
        if len(sample) == size:
            return sample
    return customers.order(sample_order).limit(size).df()


def customer_sample(connection: duckdb.DuckDBPyConnection, size: int) -> pd.DataFrame:
    """Persona and features of at most ``size`` customers, picked by a seeded hash of the id.

    The id is needed only to pick and order the sample; it is dropped before the report
    sees the rows.
    """
    customers = connection.sql(
        f"select {CUSTOMER_ID}, persona_name, {', '.join(CLUSTERING_FEATURES)}"
        " from customer_segments"
    )
    sample = seeded_sample(customers, size, SCATTER_SAMPLE_SEED)
    return sample.drop(columns=CUSTOMER_ID).reset_index(drop=True)


def check_freshness(run: pd.Series, record: BuildRecord, duckdb_path: Path) -> None:
    """Stop when the customer file changed after the build loaded it.

    Compares the file's size and modified time with the fingerprint the load recorded
    (``segmentation_runs.customers_file_*``); the file's content is never read here.
    """
    path = Path(run["customers_path"])
    loaded = FileFingerprint(
        file_path=str(path),
        file_name=path.name,
        file_size_bytes=int(run["customers_file_size_bytes"]),
        file_modified_at=pd.Timestamp(run["customers_file_modified_at"]).to_pydatetime(),
        file_sha256=str(run["customers_file_sha256"]),
    )
    if loaded.has_changed(path):  # a file no longer there has not: the marts are all there is
        modified_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        raise ReportError(
            f"The customer file {path} changed at {modified_at:%Y-%m-%d %H:%M} UTC, after the"
            f" build loaded it as it was at {loaded.file_modified_at:%Y-%m-%d %H:%M} UTC"
            f" ({loaded.file_size_bytes:,} bytes): the marts are stale. Run"
            f" `{rebuild_command(record, duckdb_path)}` first."
        )
