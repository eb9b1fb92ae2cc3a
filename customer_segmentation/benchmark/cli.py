"""The command line of the benchmark: ``bench/notebook_vs_project.py`` (``make bench``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from customer_segmentation import benchmark
from customer_segmentation.benchmark.runs import BENCH_DIR, RunFailedError
from customer_segmentation.benchmark.size import bench_size
from customer_segmentation.benchmark.tables import (
    environment_facts,
    plain_table,
    table_notes,
    write_results,
)
from customer_segmentation.benchmark.targets import target_lines

DEFAULT_DATA_DIR = BENCH_DIR / "data"
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
# The notebook holds the whole file in pandas: about 3.8 GiB at 10 million rows here, so
# 100 million would need some 40 GiB. Above this size only the project runs.
DEFAULT_BASELINE_MAX_ROWS = 20_000_000


def run(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=benchmark.__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="rows per file"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side per size")
    parser.add_argument(
        "--baseline-max-rows",
        type=int,
        default=DEFAULT_BASELINE_MAX_ROWS,
        help="largest file the notebook runs on; above it only the project runs",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="cache and results folder"
    )
    parser.add_argument(
        "--dbt-vars",
        type=json.loads,
        default={},
        help="JSON of extra project vars for every build (customers_path is always the link"
        " to the file being measured)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    facts = environment_facts(args.repeat, args.dbt_vars)
    results: list[dict] = []
    for rows in args.sizes:
        run_notebook = rows <= args.baseline_max_rows
        if not run_notebook:
            print(f"{rows:,} rows: above --baseline-max-rows, only the project runs", flush=True)
        results.append(bench_size(rows, args.repeat, args.dbt_vars, data_dir, run_notebook))
        # Written after every size, so a long run that fails late keeps what it measured.
        write_results(results, facts, data_dir)
    print()
    print(plain_table(results))
    print("\nTargets:")
    print("\n".join(target_lines(results)))
    print()
    print(table_notes(results))
    print(f"\nwritten to {data_dir / 'results.md'} and {data_dir / 'results.json'}")


def main(argv: list[str] | None = None) -> None:
    """``run``, ending the process with the failed run's log tail if a run fails."""
    try:
        run(argv)
    except RunFailedError as error:
        sys.exit(str(error))
