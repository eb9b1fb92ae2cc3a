"""What the database says about the build that filled it, and the vars every later command needs.

Every ``dbt build`` records itself in the database it built (on-run-end macro
``record_build``, table ``build_log.segmentation_builds``): when, with which vars (and which
vars file), and whether every node passed. The record is read here:

- by publishing and the report, which refuse marts a failed build left behind, and name the
  command that rebuilds *this* database from *its* file;
- by make, through ``dbt_vars``: ``make docs`` and ``make metrics`` get the vars the database
  was built with, so the docs and the semantic layer describe that build, never the shipped
  sample's defaults.

Usage (what make runs)::

    python -m customer_segmentation.build_record dbt-vars --for build [--vars-file F]
    python -m customer_segmentation.build_record dbt-vars --for later [--vars-file F]
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

from customer_segmentation.vars_file import VarsFileError, build_vars

DEFAULT_DUCKDB_PATH = "customer_segmentation.duckdb"
# profiles.yml's default for DUCKDB_MEMORY_LIMIT.
DEFAULT_MEMORY_LIMIT = "1GB"
BUILD_LOG_TABLE = "build_log.segmentation_builds"


class BuildRecordError(RuntimeError):
    """The database's build record forbids the command; the message says what to do."""


@dataclass(frozen=True)
class BuildRecord:
    invocation_id: str
    started_at: object
    status: str
    failed_nodes: str | None
    customers_path: str
    vars_file: str | None
    dbt_vars: dict

    @property
    def passed(self) -> bool:
        return self.status == "passed"


def last_build(connection: duckdb.DuckDBPyConnection) -> BuildRecord | None:
    """The database's latest recorded ``dbt build``, or None if it records none."""
    recorded = connection.execute(
        "select count(*) from information_schema.tables"
        " where table_schema = 'build_log' and table_name = 'segmentation_builds'"
    ).fetchone()[0]
    if not recorded:
        return None
    row = connection.execute(
        "select invocation_id, started_at, status, failed_nodes, customers_path, vars_file,"
        f" dbt_vars from {BUILD_LOG_TABLE} order by started_at desc limit 1"
    ).fetchone()
    if row is None:
        return None
    *fields, dbt_vars = row
    return BuildRecord(*fields, dbt_vars=json.loads(dbt_vars) if dbt_vars else {})


# The units DuckDB shows a memory limit in (``current_setting('memory_limit')``).
SHOWN_MEMORY_UNITS = {"bytes": 1, "KiB": 2**10, "MiB": 2**20, "GiB": 2**30, "TiB": 2**40}


def build_memory_limit() -> str:
    """The build's DuckDB memory cap: ``DUCKDB_MEMORY_LIMIT``, as profiles.yml reads it."""
    return os.environ.get("DUCKDB_MEMORY_LIMIT", DEFAULT_MEMORY_LIMIT)


def memory_limit_bytes(limit: str) -> float:
    """A memory limit as DuckDB reads it (``1GB``, ``512MiB``, ``80%`` of RAM), in bytes."""
    with duckdb.connect(config={"memory_limit": limit}) as connection:
        shown = connection.execute("select current_setting('memory_limit')").fetchone()[0]
    number, unit = shown.split()
    return float(number) * SHOWN_MEMORY_UNITS[unit]


def connect_read_only(
    duckdb_path: Path, memory_limit: str | None = None
) -> duckdb.DuckDBPyConnection:
    """The database opened read-only with the build's memory cap, or ``memory_limit`` when
    given (never more than the build's), so publishing, the report and exports stay within
    the memory the build was given, whatever the number of customers."""
    limits = [build_memory_limit(), *([memory_limit] if memory_limit else [])]
    return duckdb.connect(
        str(duckdb_path),
        read_only=True,
        config={"memory_limit": min(limits, key=memory_limit_bytes)},
    )


def read_last_build(duckdb_path: Path) -> BuildRecord | None:
    """``last_build`` of the database file; None when there is no such file."""
    if not duckdb_path.exists():
        return None
    try:
        with connect_read_only(duckdb_path) as connection:
            return last_build(connection)
    except duckdb.IOException as error:
        raise BuildRecordError(
            f"Cannot open {duckdb_path} read-only: {error}. Wait for the running build to finish."
        ) from error


def database_prefix(duckdb_path: Path) -> str:
    """What a make command needs in front to work on ``duckdb_path``."""
    return "" if str(duckdb_path) == DEFAULT_DUCKDB_PATH else f"DUCKDB_PATH={duckdb_path} "


def rebuild_command(record: BuildRecord | None, duckdb_path: Path) -> str:
    """The command that builds ``duckdb_path`` again from the file its last build read."""
    prefix = database_prefix(duckdb_path)
    if record is None or not record.dbt_vars:
        return f"{prefix}make run"
    if record.vars_file:
        return f"{prefix}make run VARS_FILE={record.vars_file}"
    # Built with dbt's own --vars: the same vars, then the steps make run adds.
    dbt_vars = shlex.quote(json.dumps(record.dbt_vars))
    return f"{prefix}.venv/bin/dbt build --vars {dbt_vars} && {prefix}make publish report"


def check_last_build_passed(record: BuildRecord | None, duckdb_path: Path) -> BuildRecord:
    """The record of a passing last build; raise, naming the rebuild command, otherwise."""
    if record is None:
        raise BuildRecordError(
            f"{duckdb_path} records no dbt build: run `{rebuild_command(None, duckdb_path)}` first."
        )
    if not record.passed:
        failed = (record.failed_nodes or "").split(", ")
        raise BuildRecordError(
            f"The last build of {duckdb_path} (from {record.customers_path}, started"
            f" {record.started_at:%Y-%m-%d %H:%M %Z}) did not pass ({len(failed)} node(s):"
            f" {', '.join(failed[:5])}{', ...' if len(failed) > 5 else ''}). Fix what its"
            f" messages name, then run `{rebuild_command(record, duckdb_path)}`."
        )
    return record


def check_vars_file_matches(
    record: BuildRecord | None, duckdb_path: Path, vars_file: Path | None
) -> None:
    """A VARS_FILE given to a later command must be the one the database was built with."""
    if vars_file is None:
        return
    wanted = build_vars(vars_file)
    build_it = f"{database_prefix(duckdb_path)}make run VARS_FILE={vars_file}"
    if record is None:
        raise BuildRecordError(f"{duckdb_path} records no dbt build: run `{build_it}` first.")
    if record.dbt_vars != wanted:
        built_from = (
            f"VARS_FILE={record.vars_file}" if record.vars_file else json.dumps(record.dbt_vars)
        )
        raise BuildRecordError(
            f"{duckdb_path} was built with {built_from}, not with the vars now in {vars_file}."
            f" Build it from {vars_file} first (`{build_it}`), or leave VARS_FILE out to use"
            " the database as it was built."
        )


def dbt_vars(purpose: str, duckdb_path: Path, vars_file: Path | None) -> dict:
    """The vars a dbt command needs: a build's come from its vars file (none: the defaults,
    the shipped sample); a later command's are those the database was built with."""
    record = read_last_build(duckdb_path)
    if purpose == "build":
        if vars_file is not None:
            return build_vars(vars_file)
        if record is not None and record.dbt_vars:
            print(
                f"Note: {duckdb_path} was last built with other vars"
                f" ({rebuild_command(record, duckdb_path)}); this build uses the defaults"
                " (the shipped sample). Give VARS_FILE to build from your file.",
                file=sys.stderr,
            )
        return {}
    check_vars_file_matches(record, duckdb_path, vars_file)
    return record.dbt_vars if record is not None else {}


REFUSE_OTHER_VARS_FILE = "refuse unless the database was built from this vars file"


def add_database_arguments(
    parser: argparse.ArgumentParser, *, vars_file_help: str | None = None
) -> None:
    """The options every command on a built database shares: ``--duckdb-path`` (default
    ``$DUCKDB_PATH``, as make and profiles.yml use) and, given its help, ``--vars-file``."""
    parser.add_argument(
        "--duckdb-path",
        type=Path,
        default=Path(os.environ.get("DUCKDB_PATH", DEFAULT_DUCKDB_PATH)),
        help="the database (default: $DUCKDB_PATH)",
    )
    if vars_file_help:
        parser.add_argument("--vars-file", type=Path, default=None, help=vars_file_help)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    vars_parser = commands.add_parser("dbt-vars", help="print the --vars JSON for a dbt command")
    vars_parser.add_argument("--for", dest="purpose", choices=["build", "later"], required=True)
    add_database_arguments(vars_parser, vars_file_help="the vars file given to make, if any")
    args = parser.parse_args(argv)
    try:
        print(json.dumps(dbt_vars(args.purpose, args.duckdb_path, args.vars_file)))
    except (BuildRecordError, VarsFileError) as error:
        raise SystemExit(str(error)) from None


if __name__ == "__main__":
    main()
