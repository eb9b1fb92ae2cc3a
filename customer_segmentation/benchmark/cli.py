"""The command line of the benchmark: ``bench/notebook_vs_project.py`` (``make bench``)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from customer_segmentation import benchmark
from customer_segmentation.benchmark.results_file import (
    RESULTS_JSON,
    RESULTS_MD,
    environment_facts,
    source_commit,
    stamped,
    write_results,
)
from customer_segmentation.benchmark.runs import BENCH_DIR, RunFailedError
from customer_segmentation.benchmark.size import bench_size
from customer_segmentation.benchmark.tables import column_notes, plain_table
from customer_segmentation.benchmark.targets import target_lines

DEFAULT_DATA_DIR = BENCH_DIR / "data"
# Where the committed results.json and RESULTS.md live.
DEFAULT_RESULTS_DIR = BENCH_DIR
DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
# The notebook holds the whole file in pandas: about 3.8 GiB at 10 million rows here, so
# 100 million would need some 40 GiB. Above this size only the project runs.
DEFAULT_BASELINE_MAX_ROWS = 20_000_000


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
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
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="folder of the cached files, databases, outputs and logs (default: bench/data)",
    )
    parser.add_argument(
        "--results-dir",
        type=Path,
        default=DEFAULT_RESULTS_DIR,
        help=f"folder of {RESULTS_JSON} and {RESULTS_MD}, updated for the sizes measured"
        " (default: bench, the committed ones)",
    )
    parser.add_argument(
        "--render-only",
        action="store_true",
        help=f"run nothing: write {RESULTS_MD} again from {RESULTS_JSON} (both, if missing)",
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
    return args


def run(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    results_dir = args.results_dir.resolve()
    if args.render_only:
        write_results(results_dir, [])
        print(f"written {results_dir / RESULTS_MD} from {results_dir / RESULTS_JSON}")
        return
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    # Taken before this run writes the results files.
    commit = source_commit(results_dir)
    facts = environment_facts(args.repeat, args.dbt_vars)
    measured: list[dict] = []
    for rows in args.sizes:
        run_notebook = rows <= args.baseline_max_rows
        if not run_notebook:
            print(f"{rows:,} rows: above --baseline-max-rows, only the project runs", flush=True)
        result = bench_size(rows, args.repeat, args.dbt_vars, data_dir, run_notebook)
        measured.append(stamped(result, commit, facts))
        # Written after every size, so a long run that fails late keeps what it measured.
        write_results(results_dir, measured)
    print()
    print(plain_table(measured))
    print("\nTargets:")
    print("\n".join(target_lines(measured)))
    print("\nThe columns:")
    print("\n".join(f"{column}: {note}" for column, note in column_notes(measured)))
    print(
        f"\nwritten to {results_dir / RESULTS_MD} and {results_dir / RESULTS_JSON}"
        " (other sizes' rows kept)"
    )


def main(argv: list[str] | None = None) -> None:
    """``run``, ending the process with the failed run's log tail if a run fails."""
    try:
        run(argv)
    except RunFailedError as error:
        sys.exit(str(error))
