"""One size: generate or reuse its file, run the notebook and the project alternately, then
take the medians over the repeats and score both clusterings."""

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
    run_project,
)

SLOWEST_NODES = 5


def bench_size(
    rows: int, repeat: int, dbt_vars: dict, data_dir: Path, run_notebook: bool = True
) -> dict:
    """Generate or reuse the file of ``rows`` customers, run both sides alternately, score.

    Each project build is followed by a dbt floor build of the same node count.
    Without ``run_notebook`` only the project and its floor run: the figures that compare
    with the notebook (its time and memory, the ratios, the inertias) are left out.
    """
    customers, generation_seconds = customer_file(data_dir, rows)
    labelled = data_dir / f"baseline_{rows}.csv"
    paths = ProjectPaths.in_data_dir(data_dir)
    paths.point_at(customers)
    parse_project(dbt_vars, paths, f"project_{rows}_parse", data_dir)
    baseline_runs, project_runs, floor_runs = [], [], []
    for attempt in range(1, repeat + 1):
        label = f"{rows}_run{attempt}"
        if run_notebook:
            baseline_runs.append(run_baseline(customers, labelled, f"baseline_{label}", data_dir))
            print(
                f"{rows:>12,} rows  baseline run {attempt}: {summary(baseline_runs[-1])}",
                flush=True,
            )
        project_runs.append(run_project(dbt_vars, paths, f"project_{label}", data_dir))
        print(f"{rows:>12,} rows  project  run {attempt}: {summary(project_runs[-1])}", flush=True)
        node_counts = build_node_counts(project_runs[-1]["node_seconds"])
        floor_runs.append(run_dbt_floor(node_counts, f"dbt_floor_{label}", data_dir))
        print(f"{rows:>12,} rows  dbt floor run {attempt}: {summary(floor_runs[-1])}", flush=True)
    paths.keep_database(rows)
    median_nodes = {
        name: statistics.median(run["node_seconds"][name] for run in project_runs)
        for name in project_runs[-1]["node_seconds"]
    }
    slowest = sorted(median_nodes.items(), key=lambda item: -item[1])[:SLOWEST_NODES]
    project_wall = statistics.median(run["wall_seconds"] for run in project_runs)
    floor_wall = statistics.median(run["wall_seconds"] for run in floor_runs)
    notebook_figures: dict = {
        "baseline_wall_seconds": None,
        "baseline_peak_mib": None,
        "wall_ratio": None,
        "floor_ratio": None,
        "inertia_baseline": None,
        "inertia_project": None,
        "inertia_ratio": None,
    }
    if run_notebook:
        baseline_wall = statistics.median(run["wall_seconds"] for run in baseline_runs)
        notebook_figures = {
            "baseline_wall_seconds": baseline_wall,
            "baseline_peak_mib": statistics.median(run["peak_mib"] for run in baseline_runs),
            "wall_ratio": project_wall / baseline_wall,
            "floor_ratio": floor_wall / baseline_wall,
            **clustering_inertias(labelled, paths.kept_database(rows)),
        }
    return {
        "rows": rows,
        "customer_file": str(customers),
        "customer_file_bytes": customers.stat().st_size,
        "generation_seconds": generation_seconds,
        "project_wall_seconds": project_wall,
        "project_peak_mib": statistics.median(run["peak_mib"] for run in project_runs),
        **notebook_figures,
        # Summed over both threads, so it can exceed the wall time.
        "project_node_seconds_total": sum(median_nodes.values()),
        # dbt starting and parsing before its run phase, and writing artifacts after it.
        "project_seconds_outside_run": project_wall
        - statistics.median(run["run_seconds"] for run in project_runs),
        "slowest_nodes": [
            {"node": node_label(unique_id), "unique_id": unique_id, "seconds": seconds}
            for unique_id, seconds in slowest
        ],
        "project_model_chain": model_chain(
            median_nodes, json.loads((paths.target / "manifest.json").read_text())
        ),
        "dbt_floor": {
            **node_counts,
            "wall_seconds": floor_wall,
            "peak_mib": statistics.median(run["peak_mib"] for run in floor_runs),
            "seconds_outside_run": statistics.median(
                run["seconds_outside_run"] for run in floor_runs
            ),
        },
        "baseline_runs": baseline_runs,
        "project_runs": project_runs,
        "floor_runs": floor_runs,
    }


def summary(run: dict) -> str:
    """One run's figures for the progress lines, so a long benchmark shows it is alive."""
    return f"{run['wall_seconds']:8.1f} s {run['peak_mib']:8.0f} MiB"
