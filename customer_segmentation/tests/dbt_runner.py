"""Run the dbt project from tests: each run in its own DuckDB file, target and log folders.

dbt runs in the test process (``dbtRunner``), which halves each run's time against a fresh
``dbt`` process: most of a small build is dbt importing itself. Runs in one process are
sequential, as dbt requires; pytest-xdist workers are separate processes.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner

from customer_segmentation.dbt_command import dbt_arguments

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_PATH = PROJECT_DIR / "data" / "customers_sample.csv"
SAMPLE_TRUTH_PATH = PROJECT_DIR / "data" / "customers_sample_truth.csv"


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    output: str
    duckdb_path: Path
    target_path: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.duckdb_path), read_only=True)


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Set environment variables for one dbt run, then restore them."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def run_dbt(
    command: list[str], workdir: Path, dbt_vars: dict | None = None, duckdb_path: Path | None = None
) -> DbtRun:
    """Run ``dbt <command>`` against a DuckDB file under ``workdir``; never raises on failure.

    ``output`` holds every message dbt logged, as its console would show them.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    duckdb_path = duckdb_path or workdir / "warehouse.duckdb"
    messages: list[str] = []
    args = dbt_arguments(
        command,
        target_path=workdir / "target",
        log_path=workdir / "logs",
        dbt_vars=dbt_vars,
        project_dir=PROJECT_DIR,
        profiles_dir=PROJECT_DIR,
        quiet=True,
    )
    with environment(
        DUCKDB_PATH=str(duckdb_path),
        DBT_PROJECT_DIR=str(PROJECT_DIR),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    ):
        try:
            result = dbtRunner(callbacks=[lambda event: messages.append(event.info.msg)]).invoke(
                args
            )
        finally:
            release_duckdb_file()
    if result.exception is not None:
        messages.append(str(result.exception))
    return DbtRun(0 if result.success else 1, "\n".join(messages), duckdb_path, workdir / "target")


def release_duckdb_file() -> None:
    """Close the DuckDB database dbt-duckdb keeps open after a run, so tests can read the file.

    dbt-duckdb caches one open database per process for speed; in a test process that cache
    would hold the file's lock between runs.
    """
    environment_in_use = DuckDBConnectionManager._ENV
    if environment_in_use is not None:
        environment_in_use.close()
    DuckDBConnectionManager.close_all_connections()


def assert_succeeded(run: DbtRun) -> None:
    assert run.returncode == 0, f"dbt failed:\n{run.output[-6000:]}"
