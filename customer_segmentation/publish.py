"""Publish the marts as Parquet files for BI tools: write, audit, then publish.

BI tools should not open the DuckDB file: its lock would block the next build. So after a
build whose every model and test passed, the marts are copied to Parquet files in one folder.
The gate is dbt's own record of the build (``target/run_results.json``): if any node errored or
any test failed, nothing is published and the files already there stay as they were. Each
file is first written beside its final name and moved into place only once all are written,
so a reader never sees a half-written or mixed set.

Usage::

    python -m customer_segmentation.publish --out published
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLISHED_MARTS = (
    "customer_segments",
    "segment_profiles",
    "customers_rejected",
    "segmentation_model_versions",
)
PASSING_STATUSES = {"success", "pass", "skipped", "no-op"}
DEFAULT_DUCKDB_PATH = "customer_segmentation.duckdb"


class PublishError(RuntimeError):
    """Nothing was published; the message says why and what to do."""


def audit_build(run_results_path: Path) -> str:
    """The invocation id of the last build if every node passed; raise otherwise."""
    if not run_results_path.exists():
        raise PublishError(
            f"No build record at {run_results_path}: run `make run` (dbt build) first."
        )
    results = json.loads(run_results_path.read_text())
    command = results.get("args", {}).get("which")
    if command != "build":
        raise PublishError(
            f"The last dbt command was `{command}`, not `build`: run `make run` so that every"
            " model and test runs before publishing."
        )
    failed = [
        f"{result['unique_id']} ({result['status']})"
        for result in results["results"]
        if result["status"] not in PASSING_STATUSES
    ]
    if failed:
        raise PublishError(
            f"The last build did not pass ({len(failed)} node(s): {', '.join(failed[:5])}"
            + (", ..." if len(failed) > 5 else "")
            + "). The published files were left as they were."
        )
    return results["metadata"]["invocation_id"]


def check_database_matches_build(
    connection: duckdb.DuckDBPyConnection, duckdb_path: Path, invocation_id: str
) -> None:
    """The audited build must be the one that wrote these marts, not a build of another file."""
    tables = {row[0] for row in connection.execute("show tables").fetchall()}
    missing = [mart for mart in (*PUBLISHED_MARTS, "segmentation_runs") if mart not in tables]
    if missing:
        raise PublishError(f"{duckdb_path} lacks {', '.join(missing)}: run `make run` first.")
    built_by = connection.execute("select invocation_id from segmentation_runs").fetchone()[0]
    if built_by != invocation_id:
        raise PublishError(
            f"The build recorded in run_results.json ({invocation_id}) did not write"
            f" {duckdb_path} (built by {built_by}): run `make run` against this database first."
        )


def publish_marts(duckdb_path: Path, out_dir: Path, run_results_path: Path) -> dict[str, int]:
    """Write every mart to ``out_dir`` as Parquet after auditing the build; return row counts."""
    invocation_id = audit_build(run_results_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        connection = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.IOException as error:
        raise PublishError(f"Cannot open {duckdb_path} read-only: {error}") from error
    written: dict[str, Path] = {}
    row_counts: dict[str, int] = {}
    try:
        with connection:
            check_database_matches_build(connection, duckdb_path, invocation_id)
            for mart in PUBLISHED_MARTS:
                staged = out_dir / f".{mart}.parquet.staged"
                written[mart] = staged
                target = str(staged).replace("'", "''")
                connection.execute(f"copy (select * from {mart}) to '{target}' (format parquet)")
                row_counts[mart] = connection.execute(f"select count(*) from {mart}").fetchone()[0]
    except (duckdb.Error, PublishError):
        for staged in written.values():
            staged.unlink(missing_ok=True)
        raise
    for mart, staged in written.items():
        os.replace(staged, out_dir / f"{mart}.parquet")
    manifest = {
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "dbt_invocation_id": invocation_id,
        "files": {f"{mart}.parquet": rows for mart, rows in row_counts.items()},
    }
    (out_dir / "_published.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return row_counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("published"), help="Parquet folder")
    parser.add_argument(
        "--duckdb-path",
        type=Path,
        default=Path(os.environ.get("DUCKDB_PATH", DEFAULT_DUCKDB_PATH)),
        help="database holding the marts (default: $DUCKDB_PATH)",
    )
    parser.add_argument(
        "--run-results",
        type=Path,
        default=Path("target/run_results.json"),
        help="dbt's record of the last build",
    )
    args = parser.parse_args(argv)
    try:
        row_counts = publish_marts(args.duckdb_path, args.out, args.run_results)
    except PublishError as error:
        raise SystemExit(f"Not published: {error}") from None
    for mart, rows in row_counts.items():
        print(f"published {args.out / (mart + '.parquet')}: {rows:,} rows")


if __name__ == "__main__":
    main()
