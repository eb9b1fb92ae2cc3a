"""The measured processes: the notebook script and the project's dbt commands, each run
through ``bench/measure_process.py`` for its wall time and peak memory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from customer_segmentation.benchmark.dbt_nodes import node_seconds
from customer_segmentation.dbt_command import dbt_arguments
from customer_segmentation.sample_data import write_customer_file_in_chunks

PROJECT_DIR = Path(__file__).resolve().parents[2]
BENCH_DIR = PROJECT_DIR / "bench"
PYTHON = Path(sys.executable)
DBT = PYTHON.with_name("dbt")
MEASURE = BENCH_DIR / "measure_process.py"
BASELINE = BENCH_DIR / "baseline_notebook.py"
# The files are cached by size and seed; a new seed generates new files.
FILE_SEED = 1
# Lines of a failed run's log shown in the error.
LOG_TAIL_LINES = 40


class RunFailedError(RuntimeError):
    """A measured command exited non-zero; the message carries the end of its log."""


@dataclass(frozen=True)
class ProjectPaths:
    """Where the dbt builds read and write, the same for every size (see the package doc).

    ``customers`` is a link to the file being measured; each build's DuckDB file is kept
    as ``kept_database(rows)`` for scoring once it is done.
    """

    customers: Path
    database: Path
    target: Path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ProjectPaths:
        return cls(data_dir / "customers.csv", data_dir / "project.duckdb", data_dir / "target")

    def kept_database(self, rows: int) -> Path:
        return self.database.with_name(f"project_{rows}.duckdb")

    def point_at(self, customers: Path) -> None:
        """Point the customers link at ``customers``."""
        self.customers.unlink(missing_ok=True)
        self.customers.symlink_to(customers.resolve())

    def keep_database(self, rows: int) -> None:
        """Move the built database, with its write-ahead log if any, to ``kept_database``;
        never leave an older run's log beside it."""
        kept = self.kept_database(rows)
        for suffix in ("", ".wal"):
            built = self.database.with_name(self.database.name + suffix)
            kept_file = kept.with_name(kept.name + suffix)
            if built.exists():
                built.replace(kept_file)
            else:
                kept_file.unlink(missing_ok=True)


def customer_file(data_dir: Path, rows: int) -> tuple[Path, float | None]:
    """The cached file of ``rows`` customers, generated if missing; and the seconds it took.

    Written under a temporary name and renamed when complete, so an interrupted generation
    never leaves a truncated file that a later run would take for the cache.
    """
    path = data_dir / f"customers_{rows}_seed{FILE_SEED}.csv"
    if path.exists():
        return path, None
    partial = path.with_name(path.name + ".partial")
    print(f"generating {rows:,} customers -> {path}", flush=True)
    started = time.perf_counter()
    write_customer_file_in_chunks(partial, n_rows=rows, seed=FILE_SEED)
    partial.replace(path)
    seconds = time.perf_counter() - started
    print(f"generated {rows:,} customers in {seconds:.1f} s", flush=True)
    return path, seconds


def measure(command: list[str], label: str, data_dir: Path, env: dict | None = None) -> dict:
    """Run ``command`` through the measuring wrapper; its output goes to ``logs/<label>.log``."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{label}.log"
    result_path = log_dir / f"{label}.measure.json"
    # A result left by an earlier invocation must not pass for this run's.
    result_path.unlink(missing_ok=True)
    with log_path.open("w") as log:
        subprocess.run(
            [str(PYTHON), str(MEASURE), str(result_path), "--", *command],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    result = json.loads(result_path.read_text()) if result_path.exists() else {"returncode": -1}
    if result["returncode"] != 0:
        tail = "".join(log_path.read_text().splitlines(keepends=True)[-LOG_TAIL_LINES:])
        raise RunFailedError(f"{label} failed (log {log_path}):\n{tail}")
    return {"wall_seconds": result["wall_seconds"], "peak_mib": result["peak_mib"]}


def run_baseline(customers: Path, labelled: Path, label: str, data_dir: Path) -> dict:
    """The notebook script, in its own process like the project, so both pay their imports."""
    return measure([str(PYTHON), str(BASELINE), str(customers), str(labelled)], label, data_dir)


def dbt_env(database: Path) -> dict:
    """The environment of every command the bench runs on a database: dbt with the project's
    own profile, publish and report. ``DUCKDB_PATH`` names the database, as make passes it;
    ``DUCKDB_MEMORY_LIMIT``, if set, passes through to all of them, as with make."""
    return {
        **os.environ,
        "DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def remove_database(database: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, so the next build starts fresh."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)


def dbt_command_line(subcommand: str, target: Path, **options) -> list[str]:
    """A ``dbt`` process writing its artifacts and logs under ``target``, without colours;
    ``options`` as ``dbt_arguments`` takes them."""
    return [
        str(DBT),
        *dbt_arguments([subcommand], target_path=target, log_path=target / "logs", **options),
    ]


def project_command(subcommand: str, dbt_vars: dict, paths: ProjectPaths) -> list[str]:
    """The dbt command line every build and parse of the project uses.

    The target and log paths in the data dir leave the user's ``target/`` and ``logs/``
    alone. A build is the production build, as ``make run`` runs it: no unit tests.
    """
    project_vars = {**dbt_vars, "customers_path": str(paths.customers)}
    return dbt_command_line(
        subcommand, paths.target, dbt_vars=project_vars, production_build=subcommand == "build"
    )


def parse_project(dbt_vars: dict, paths: ProjectPaths, label: str, data_dir: Path) -> None:
    """An untimed ``dbt parse``, so that the timed builds start from the saved parse."""
    measure(project_command("parse", dbt_vars, paths), label, data_dir, dbt_env(paths.database))


def run_build(dbt_vars: dict, paths: ProjectPaths, label: str, data_dir: Path) -> dict:
    """The production build of the linked file (``dbt build --exclude-resource-type
    unit_test``, as ``make run`` builds) into a fresh DuckDB file.

    The fresh file means every run fits the model, as a first build does.
    """
    remove_database(paths.database)
    command = project_command("build", dbt_vars, paths)
    result = measure(command, label, data_dir, dbt_env(paths.database))
    run_results = paths.target / "run_results.json"
    result["node_seconds"] = node_seconds(run_results)
    result["run_seconds"] = json.loads(run_results.read_text())["elapsed_time"]
    return result


def run_package_command(module: str, database: Path, out: Path, label: str, data_dir: Path) -> dict:
    """``python -m <module> --out <out>`` on ``database``, as ``make publish`` and ``make
    report`` run it after the build: the database through ``DUCKDB_PATH``."""
    command = [str(PYTHON), "-m", module, "--out", str(out)]
    return measure(command, label, data_dir, dbt_env(database))


def run_publish(paths: ProjectPaths, label: str, data_dir: Path) -> dict:
    """Publishing the marts of the build just done as Parquet, into the data dir."""
    return run_package_command(
        "customer_segmentation.publish", paths.database, data_dir / "published", label, data_dir
    )


def run_report(paths: ProjectPaths, label: str, data_dir: Path) -> dict:
    """The PDF report of the build just done, into the data dir."""
    return run_package_command(
        "customer_segmentation.report", paths.database, data_dir / "report", label, data_dir
    )
