"""Benchmark: score a large customer file against a stored model, without refitting.

Fits version 1 on the shipped sample, then builds on a generated file of ``--rows``
customers in the same database, so that the second build only scores. Prints the time of
the SQL scoring model and of the whole second build, from dbt's run_results.json.

    .venv/bin/python bench/score_stored_model.py --rows 1000000
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from customer_segmentation.sample_data import write_customer_file

PROJECT_DIR = Path(__file__).resolve().parents[1]
DBT = Path(sys.executable).with_name("dbt")


def dbt_build(database: Path, target: Path, dbt_vars: dict) -> float:
    env = {**os.environ, "DUCKDB_PATH": str(database), "DBT_PROFILES_DIR": str(PROJECT_DIR)}
    started = time.perf_counter()
    subprocess.run(
        [
            str(DBT),
            "build",
            "--quiet",
            "--target-path",
            str(target),
            "--vars",
            json.dumps(dbt_vars),
        ],
        cwd=PROJECT_DIR,
        env=env,
        check=True,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.mkdtemp(prefix="score_bench_"))
    )
    args = parser.parse_args()
    big_file = args.workdir / f"customers_{args.rows}.csv"
    if not big_file.exists():
        write_customer_file(big_file, None, n_rows=args.rows, seed=1)
    database = args.workdir / "warehouse.duckdb"
    database.unlink(missing_ok=True)
    fit_seconds = dbt_build(database, args.workdir / "fit", {})
    score_seconds = dbt_build(database, args.workdir / "score", {"customers_path": str(big_file)})
    results = json.loads((args.workdir / "score" / "run_results.json").read_text())
    timings = {
        result["unique_id"].split(".")[-1]: result["execution_time"]
        for result in results["results"]
    }
    print(f"rows scored                 {args.rows:>12,}")
    print(f"fit build on the sample     {fit_seconds:>12.1f} s")
    print(f"scoring build (wall)        {score_seconds:>12.1f} s")
    print(f"int_customers_scored (SQL)  {timings['int_customers_scored']:>12.2f} s")
    print(f"segmentation_models         {timings['segmentation_models']:>12.2f} s (no fit due)")
    for name, seconds in sorted(timings.items(), key=lambda item: -item[1])[:5]:
        print(f"  slowest: {name:<40} {seconds:6.2f} s")


if __name__ == "__main__":
    main()
