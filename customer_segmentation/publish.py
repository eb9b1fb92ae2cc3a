"""Publish the marts as Parquet files for BI tools: write, audit, then publish.

BI tools should not open the DuckDB file: its lock would block the next build. So after a
build whose every model and test passed, the marts are copied to Parquet files in one folder.
The gate is the database's own record of its last build (``build_log.segmentation_builds``,
see ``build_record``), which no later dbt command (docs, compile) overwrites: if any node of
that build errored or any test failed, nothing is published and the files already there stay
as they were. Each file is first written beside its final name and moved into place only once
all are written, so a reader never sees a half-written or mixed set.

Usage::

    python -m customer_segmentation.publish --out published [--vars-file my_export.vars.yml]
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from customer_segmentation.build_record import (
    REFUSE_OTHER_VARS_FILE,
    BuildRecordError,
    add_database_arguments,
    check_last_build_passed,
    check_vars_file_matches,
    connect_read_only,
    last_build,
    rebuild_command,
)
from customer_segmentation.vars_file import VarsFileError

PUBLISHED_MARTS = (
    "customer_segments",
    "segment_profiles",
    "customers_rejected",
    "segmentation_model_versions",
)


class PublishError(RuntimeError):
    """Nothing was published; the message says why and what to do."""


def audit_build(
    connection: duckdb.DuckDBPyConnection, duckdb_path: Path, vars_file: Path | None = None
) -> str:
    """The invocation id of the database's last build if it passed and wrote these marts."""
    try:
        record = last_build(connection)
        check_vars_file_matches(record, duckdb_path, vars_file)
        check_last_build_passed(record, duckdb_path)
    except (BuildRecordError, VarsFileError) as error:
        raise PublishError(f"{error} The published files were left as they were.") from None
    tables = {row[0] for row in connection.execute("show tables").fetchall()}
    missing = [mart for mart in (*PUBLISHED_MARTS, "segmentation_runs") if mart not in tables]
    rebuild = rebuild_command(record, duckdb_path)
    if missing:
        raise PublishError(f"{duckdb_path} lacks {', '.join(missing)}: run `{rebuild}` first.")
    built_by = connection.execute("select invocation_id from segmentation_runs").fetchone()[0]
    if built_by != record.invocation_id:
        raise PublishError(
            f"The marts in {duckdb_path} were written by build {built_by}, not by its last"
            f" build {record.invocation_id} (which built only some models): run `{rebuild}`."
        )
    return record.invocation_id


def publish_marts(
    duckdb_path: Path, out_dir: Path, vars_file: Path | None = None
) -> dict[str, int]:
    """Write every mart to ``out_dir`` as Parquet after auditing the build; return row counts."""
    if not duckdb_path.exists():
        raise PublishError(
            f"No database at {duckdb_path}: run `{rebuild_command(None, duckdb_path)}` first."
        )
    try:
        connection = connect_read_only(duckdb_path)
    except duckdb.IOException as error:
        raise PublishError(f"Cannot open {duckdb_path} read-only: {error}") from error
    written: dict[str, Path] = {}
    row_counts: dict[str, int] = {}
    try:
        with connection:
            invocation_id = audit_build(connection, duckdb_path, vars_file)
            out_dir.mkdir(parents=True, exist_ok=True)
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
    add_database_arguments(parser, vars_file_help=REFUSE_OTHER_VARS_FILE)
    args = parser.parse_args(argv)
    try:
        row_counts = publish_marts(args.duckdb_path, args.out, args.vars_file)
    except PublishError as error:
        raise SystemExit(f"Not published: {error}") from None
    for mart, rows in row_counts.items():
        print(f"published {args.out / (mart + '.parquet')}: {rows:,} rows")


if __name__ == "__main__":
    main()
