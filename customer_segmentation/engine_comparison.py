"""``make spark``: build the sample on DuckDB and on a local Spark session, compare the marts.

The same project, files and vars go through both engines. The marts must agree: the same
persona (and segment) for every customer, the same rejects with the same reasons, the same
segment profiles and model centroids within floating-point rounding (the engines add in other
orders). The comparison prints a line per mart and exits 1 on any difference, naming the first
rows that differ.

    python -m customer_segmentation.engine_comparison --spark-python .venv-spark/bin/python

DuckDB runs with this interpreter's dbt, Spark with ``--spark-python``'s (its own environment,
``.venv-spark/``), through ``customer_segmentation.spark_session``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from customer_segmentation.dbt_command import dbt_arguments
from customer_segmentation.vars_file import VarsFileError, build_vars

# Relative differences below this are the engines summing in another order, not another result.
RELATIVE_TOLERANCE = 1e-9
SPARK_SCHEMA = "segments"
SHOWN_DIFFERENCES = 5


@dataclass(frozen=True)
class MartCheck:
    """A mart both engines must agree on, row by row under ``key``."""

    name: str
    key: tuple[str, ...]
    # What a build stamps on its own rows (when, from which path), never a result.
    run_columns: tuple[str, ...] = ()


MART_CHECKS = (
    MartCheck("customer_segments", ("customer_id",), ("segmented_on",)),
    MartCheck("customers_rejected", ("source_row_number", "reject_reason")),
    MartCheck("customer_file_quality", ("outcome", "row_status", "reject_reason")),
    MartCheck("segment_profiles", ("cluster_id",)),
    MartCheck("feature_profiles", ("feature_name",)),
    MartCheck("segmentation_models", ("model_version", "cluster_id"), ("fitted_at",)),
    MartCheck("segmentation_model_versions", ("model_version",), ("fitted_at",)),
    # One build, one row; what tells two builds apart is left out.
    MartCheck(
        "segmentation_runs",
        ("model_version",),
        ("invocation_id", "run_started_at", "model_fitted_at"),
    ),
    MartCheck("cluster_diagnostics", ("cluster_count",)),
    MartCheck("feature_correlations", ("left_feature", "right_feature")),
    MartCheck("feature_distributions", ("feature_name", "gender", "bin_number")),
    # One build: one row per customer, stamped with the build's time.
    MartCheck("customer_persona_changes", ("customer_id",), ("valid_from",)),
    MartCheck(
        "segment_migrations", ("from_persona_name", "to_persona_name"), ("migration_id", "moved_at")
    ),
)


@dataclass(frozen=True)
class MartComparison:
    name: str
    rows: tuple[int, int]
    differences: list[str]
    summary: str
    # What the mart holds, to read the verdict by (counts by persona or reason).
    notes: tuple[str, ...] = ()

    @property
    def agrees(self) -> bool:
        return not self.differences


def _values_agree(left: object, right: object) -> bool:
    if _is_missing(left) or _is_missing(right):
        return _is_missing(left) and _is_missing(right)
    if isinstance(left, list | tuple | np.ndarray) or isinstance(right, list | tuple | np.ndarray):
        left_items, right_items = list(left), list(right)
        return len(left_items) == len(right_items) and all(
            _values_agree(a, b) for a, b in zip(left_items, right_items, strict=True)
        )
    if isinstance(left, pd.Timestamp) and isinstance(right, pd.Timestamp):
        # An instant on both: DuckDB's timestamptz comes back in UTC, Spark's timestamp (an
        # instant too, in the session's UTC) as Parquet's UTC time without a zone.
        return _as_utc(left) == _as_utc(right)
    if isinstance(left, bool | np.bool_) or isinstance(right, bool | np.bool_):
        return bool(left) == bool(right)
    if isinstance(left, int | float | np.number) and isinstance(right, int | float | np.number):
        return bool(np.isclose(float(left), float(right), rtol=RELATIVE_TOLERANCE, atol=1e-12))
    return str(left) == str(right)


def _as_utc(value: pd.Timestamp) -> pd.Timestamp:
    return value.tz_convert("UTC") if value.tzinfo else value.tz_localize("UTC")


def _is_missing(value: object) -> bool:
    if isinstance(value, list | tuple | np.ndarray):
        return False
    return value is None or bool(pd.isna(value))


def compare_mart(
    check: MartCheck, duckdb_rows: pd.DataFrame, spark_rows: pd.DataFrame
) -> MartComparison:
    """Every difference between the two engines' rows of one mart, as sentences."""
    differences = []
    left_columns = set(duckdb_rows.columns) - set(check.run_columns)
    right_columns = set(spark_rows.columns) - set(check.run_columns)
    for column in sorted(left_columns ^ right_columns):
        engine = "DuckDB" if column in left_columns else "Spark"
        differences.append(f"column {column} only on {engine}")
    shared = [c for c in duckdb_rows.columns if c in right_columns and c not in check.key]
    merged = duckdb_rows.merge(
        spark_rows, on=list(check.key), how="outer", suffixes=("", "__spark"), indicator=True
    )
    for side, engine in (("left_only", "DuckDB"), ("right_only", "Spark")):
        keys = merged.loc[merged["_merge"] == side, list(check.key)]
        for key in keys.head(SHOWN_DIFFERENCES).itertuples(index=False):
            differences.append(f"row {_key_text(check, key)} only on {engine}")
        if len(keys) > SHOWN_DIFFERENCES:
            differences.append(f"... {len(keys)} rows only on {engine} in all")
    both = merged[merged["_merge"] == "both"]
    differing_rows = 0
    for row in both.itertuples(index=False):
        values = row._asdict()
        columns = [c for c in shared if not _values_agree(values[c], values[f"{c}__spark"])]
        if columns:
            differing_rows += 1
            if differing_rows <= SHOWN_DIFFERENCES:
                key = tuple(values[k] for k in check.key)
                shown = ", ".join(
                    f"{c} {values[c]!r} on DuckDB, {values[f'{c}__spark']!r} on Spark"
                    for c in columns[:3]
                )
                differences.append(f"row {_key_text(check, key)}: {shown}")
    if differing_rows > SHOWN_DIFFERENCES:
        differences.append(f"... {differing_rows} rows differ in all")
    summary = f"{len(both):,} rows on both, {len(shared)} columns compared"
    return MartComparison(check.name, (len(duckdb_rows), len(spark_rows)), differences, summary)


def _key_text(check: MartCheck, key: tuple) -> str:
    return ", ".join(f"{name}={value}" for name, value in zip(check.key, key, strict=True))


def reject_counts(rows: pd.DataFrame) -> dict[str, int]:
    return rows.groupby("reject_reason").size().sort_index().to_dict() if len(rows) else {}


def spark_table_path(warehouse: Path, table: str) -> Path:
    return warehouse / f"{SPARK_SCHEMA}.db" / table


def read_marts(duckdb_path: Path, warehouse: Path) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """Each checked mart as (DuckDB's rows, Spark's rows)."""
    marts = {}
    with duckdb.connect(str(duckdb_path), read_only=True) as connection:
        for check in MART_CHECKS:
            spark_files = spark_table_path(warehouse, check.name)
            if not spark_files.is_dir():
                raise SystemExit(f"Spark wrote no table {check.name} (looked in {spark_files}).")
            duckdb_rows = connection.execute(f"select * from main.{check.name}").df()
            spark_rows = connection.execute(
                "select * from read_parquet(?)", [str(spark_files / "*.parquet")]
            ).df()
            marts[check.name] = (duckdb_rows, spark_rows)
    return marts


def compare_engines(duckdb_path: Path, warehouse: Path) -> list[MartComparison]:
    marts = read_marts(duckdb_path, warehouse)
    comparisons = {check.name: compare_mart(check, *marts[check.name]) for check in MART_CHECKS}
    duckdb_rejects, spark_rejects = (reject_counts(rows) for rows in marts["customers_rejected"])
    rejected = comparisons["customers_rejected"]
    if duckdb_rejects != spark_rejects:
        rejected.differences.append(
            f"rejects by reason: {duckdb_rejects} on DuckDB, {spark_rejects} on Spark"
        )
    by_reason = ", ".join(f"{reason} {count:,}" for reason, count in duckdb_rejects.items())
    comparisons["customers_rejected"] = replace(rejected, notes=(f"by reason: {by_reason}",))
    segments = comparisons["customer_segments"]
    personas = marts["customer_segments"][0]["persona_name"].fillna("(unnamed)").value_counts()
    by_persona = ", ".join(f"{name} {count:,}" for name, count in personas.sort_index().items())
    comparisons["customer_segments"] = replace(segments, notes=(f"by persona: {by_persona}",))
    return list(comparisons.values())


def print_comparison(comparisons: list[MartComparison]) -> None:
    for comparison in comparisons:
        verdict = "same" if comparison.agrees else "DIFFERENT"
        duckdb_count, spark_count = comparison.rows
        print(
            f"  {comparison.name:<28} {verdict:<9} DuckDB {duckdb_count:,} rows, "
            f"Spark {spark_count:,}; {comparison.summary}"
        )
        for line in [*comparison.notes, *comparison.differences]:
            print(f"      {line}")


def _run(command: list[str], env: dict[str, str], what: str) -> float:
    started = time.perf_counter()
    completed = subprocess.run(command, env=env, check=False)
    if completed.returncode != 0:
        raise SystemExit(f"The {what} failed (exit {completed.returncode}); see its log above.")
    return time.perf_counter() - started


def build_both(
    work_dir: Path, spark_python: str, project_dir: Path, dbt_vars: dict | None = None
) -> tuple[float, float]:
    """Build the sample (or the file of ``dbt_vars``) on DuckDB and on Spark into
    ``work_dir``; the seconds of each build."""
    shutil.rmtree(work_dir, ignore_errors=True)
    work_dir.mkdir(parents=True)
    env = {**os.environ, "DBT_PROFILES_DIR": str(project_dir), "DBT_PROJECT_DIR": str(project_dir)}
    duckdb_env = {**env, "DUCKDB_PATH": str(work_dir / "reference.duckdb")}
    dbt = str(Path(sys.executable).with_name("dbt"))
    duckdb_build = dbt_arguments(
        ["build"],
        target_path=work_dir / "duckdb_target",
        log_path=work_dir / "duckdb_logs",
        dbt_vars=dbt_vars,
        production_build=True,
        quiet=True,
    )
    input_file = (dbt_vars or {}).get("customers_path", "the sample")
    print(f"Building {input_file} on DuckDB", flush=True)
    duckdb_seconds = _run([dbt, *duckdb_build], duckdb_env, "DuckDB build")
    # Spark's session reads its address and warehouse from here (profiles.yml, target spark).
    spark_env = {
        **env,
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_WAREHOUSE_DIR": str(work_dir / "warehouse"),
    }
    # Unit tests included: they prove the models' SQL on Spark with rows of their own.
    spark_build = dbt_arguments(
        ["build"],
        target_path=work_dir / "spark_target",
        log_path=work_dir / "spark_logs",
        dbt_vars=dbt_vars,
        quiet=True,
    )
    print(f"Building {input_file} on Spark (a local session: about a minute)", flush=True)
    spark_seconds = _run(
        [spark_python, "-m", "customer_segmentation.spark_session", *spark_build],
        spark_env,
        "Spark build",
    )
    return duckdb_seconds, spark_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--spark-python", required=True, help="Python of the Spark environment")
    parser.add_argument("--work-dir", type=Path, default=Path("target/engine_comparison"))
    parser.add_argument("--project-dir", type=Path, default=Path.cwd())
    parser.add_argument("--vars-file", type=Path, help="a vars file, as make run VARS_FILE=...")
    args = parser.parse_args(argv)
    work_dir = args.work_dir.resolve()
    try:
        dbt_vars = build_vars(args.vars_file) if args.vars_file else None
    except VarsFileError as error:
        raise SystemExit(str(error)) from None
    duckdb_seconds, spark_seconds = build_both(
        work_dir, args.spark_python, args.project_dir.resolve(), dbt_vars
    )
    comparisons = compare_engines(work_dir / "reference.duckdb", work_dir / "warehouse")
    input_file = (dbt_vars or {}).get("customers_path", "the sample")
    print(
        f"\nSpark against DuckDB on {input_file} (builds: DuckDB {duckdb_seconds:.1f} s, "
        f"Spark {spark_seconds:.1f} s with the session's start)"
    )
    print_comparison(comparisons)
    if all(comparison.agrees for comparison in comparisons):
        print("Spark and DuckDB agree on every mart compared.")
        return 0
    print("Spark and DuckDB DIFFER (above).")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
