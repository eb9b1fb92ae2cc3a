"""Run the dbt project from tests: each run in its own DuckDB file, target and log folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

PROJECT_DIR = Path(__file__).resolve().parents[2]
SAMPLE_PATH = PROJECT_DIR / "data" / "customers_sample.csv"
SAMPLE_TRUTH_PATH = PROJECT_DIR / "data" / "customers_sample_truth.csv"
DBT = Path(sys.executable).with_name("dbt")


@dataclass(frozen=True)
class DbtRun:
    returncode: int
    output: str
    duckdb_path: Path

    def connect(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.duckdb_path), read_only=True)


def run_dbt(
    command: list[str], workdir: Path, dbt_vars: dict | None = None, duckdb_path: Path | None = None
) -> DbtRun:
    """Run ``dbt <command>`` against a DuckDB file under ``workdir``; never raises on failure."""
    workdir.mkdir(parents=True, exist_ok=True)
    duckdb_path = duckdb_path or workdir / "warehouse.duckdb"
    env = {
        **os.environ,
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DUCKDB_PATH": str(duckdb_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    args = [
        str(DBT),
        "--no-use-colors",
        *command,
        "--target-path",
        str(workdir / "target"),
        "--log-path",
        str(workdir / "logs"),
    ]
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars)]
    completed = subprocess.run(
        args, cwd=PROJECT_DIR, env=env, capture_output=True, text=True, check=False
    )
    return DbtRun(completed.returncode, completed.stdout + completed.stderr, duckdb_path)


def assert_succeeded(run: DbtRun) -> None:
    assert run.returncode == 0, f"dbt failed:\n{run.output[-6000:]}"
