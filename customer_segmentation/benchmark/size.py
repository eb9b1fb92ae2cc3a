"""One size: generate or reuse its file, run the notebook and the project's main job
alternately, then take the medians over the repeats and score both clusterings.

The main job is what ``make run`` does: the production build, publishing, the report. Each
repeat runs the notebook, then the build, publishing and the report on the database the
build just wrote, then the dbt floor.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

from customer_segmentation.benchmark.dbt_floor import build_node_counts, run_dbt_floor
from customer_segmentation.benchmark.dbt_nodes import model_chain, node_label
from customer_segmentation.benchmark.inertia import clustering_inertias
from customer_segmentation.benchmark.runs import (
    ProjectPaths,
    customer_file,
    parse_project,
    run_baseline,
    run_build,
    run_publish,
    run_report,
)

SLOWEST_NODES = 5
# The steps of the main job, in the order make run takes them.
MAIN_JOB_STEPS = ("build", "publish", "report")
# The figures that need the notebook: left out (None) above --baseline-max-rows.
NOTEBOOK_FIGURES = (
    "notebook_wall_seconds",
    "notebook_peak_mib",
    "wall_ratio",
    "floor_ratio",
    "customers_compared",
    "inertia_notebook",
    "inertia_project",
    "inertia_ratio",
)


def median(runs: list[dict], figure: str) -> float:
    return statistics.median(run[figure] for run in runs)


def main_job_run(build: dict, publish: dict, report: dict) -> dict:
    """One repeat's main job: its steps' times summed, the largest of their peaks."""
    steps = (build, publish, report)
    return {
        "wall_seconds": sum(step["wall_seconds"] for step in steps),
        "peak_mib": max(step["peak_mib"] for step in steps),
    }


def bench_size(
    rows: int, repeat: int, dbt_vars: dict, data_dir: Path, run_notebook: bool = True
) -> dict:
    """Generate or reuse the file of ``rows`` customers, run both sides alternately, score.

    Without ``run_notebook`` only the project and its floor run: the figures that compare
    with the notebook (its time and memory, the ratios, the inertias) are None.
    """
    customers, generation_seconds = customer_file(data_dir, rows)
    labelled = data_dir / f"baseline_{rows}.csv"
    paths = ProjectPaths.in_data_dir(data_dir)
    paths.point_at(customers)
    parse_project(dbt_vars, paths, f"project_{rows}_parse", data_dir)
    runs: dict[str, list[dict]] = {
        kind: [] for kind in ("notebook", *MAIN_JOB_STEPS, "main_job", "dbt_floor")
    }

    def record(kind: str, result: dict, attempt: int) -> None:
        runs[kind].append(result)
        name = kind.replace("_", " ")
        print(f"{rows:>12,} rows  {name:<9} run {attempt}: {summary(result)}", flush=True)

    for attempt in range(1, repeat + 1):
        label = f"{rows}_run{attempt}"
        if run_notebook:
            record(
                "notebook",
                run_baseline(customers, labelled, f"baseline_{label}", data_dir),
                attempt,
            )
        record("build", run_build(dbt_vars, paths, f"project_{label}", data_dir), attempt)
        # On the database the build just wrote, while the link still names its file (the
        # report checks the marts are not older than the customer file).
        record("publish", run_publish(paths, f"publish_{label}", data_dir), attempt)
        record("report", run_report(paths, f"report_{label}", data_dir), attempt)
        record("main_job", main_job_run(*(runs[step][-1] for step in MAIN_JOB_STEPS)), attempt)
        node_counts = build_node_counts(runs["build"][-1]["node_seconds"])
        record("dbt_floor", run_dbt_floor(node_counts, f"dbt_floor_{label}", data_dir), attempt)
    paths.keep_database(rows)
    median_nodes = {
        name: statistics.median(run["node_seconds"][name] for run in runs["build"])
        for name in runs["build"][-1]["node_seconds"]
    }
    slowest = sorted(median_nodes.items(), key=lambda item: -item[1])[:SLOWEST_NODES]
    build_wall = median(runs["build"], "wall_seconds")
    floor_wall = median(runs["dbt_floor"], "wall_seconds")
    notebook_figures: dict = dict.fromkeys(NOTEBOOK_FIGURES)
    if run_notebook:
        notebook_wall = median(runs["notebook"], "wall_seconds")
        notebook_figures = {
            "notebook_wall_seconds": notebook_wall,
            "notebook_peak_mib": median(runs["notebook"], "peak_mib"),
            "wall_ratio": build_wall / notebook_wall,
            "floor_ratio": floor_wall / notebook_wall,
            **clustering_inertias(labelled, paths.kept_database(rows)),
        }
    step_figures = {
        f"{kind}_{figure}": median(runs[kind], figure)
        for kind in (*MAIN_JOB_STEPS, "main_job")
        for figure in ("wall_seconds", "peak_mib")
    }
    return {
        "rows": rows,
        "customer_file": str(customers),
        "customer_file_bytes": customers.stat().st_size,
        "generation_seconds": generation_seconds,
        **step_figures,
        **notebook_figures,
        # Summed over both threads, so it can exceed the wall time.
        "build_node_seconds_total": sum(median_nodes.values()),
        # dbt starting and parsing before its run phase, and writing artifacts after it.
        "build_seconds_outside_run": build_wall - median(runs["build"], "run_seconds"),
        "slowest_nodes": [
            {"node": node_label(unique_id), "unique_id": unique_id, "seconds": seconds}
            for unique_id, seconds in slowest
        ],
        "model_chain": model_chain(
            median_nodes, json.loads((paths.target / "manifest.json").read_text())
        ),
        "dbt_floor": {
            **node_counts,
            "wall_seconds": floor_wall,
            "peak_mib": median(runs["dbt_floor"], "peak_mib"),
            "seconds_outside_run": median(runs["dbt_floor"], "seconds_outside_run"),
        },
        "runs": runs,
    }


def summary(run: dict) -> str:
    """One run's figures for the progress lines, so a long benchmark shows it is alive."""
    return f"{run['wall_seconds']:8.1f} s {run['peak_mib']:8.0f} MiB"
