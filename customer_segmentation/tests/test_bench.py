"""Smoke test of the benchmark harness (``customer_segmentation.benchmark``, run by
bench/notebook_vs_project.py) at a tiny size; its parts are tested in test_bench_parts.py.

The harness runs the notebook baseline and the main job (the production build, publish,
report) as separate processes, as ``make bench`` does, into a temporary data dir and
results dir; its figures are then checked for sense and its inertia query against a direct
computation.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from customer_segmentation.benchmark import results_file, targets
from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
SMOKE_ROWS = 3_000
# Both sides cluster the same customers into the same four personas; the project's
# labelling may differ a little (it imputes and validates), not by a fifth.
MAX_INERTIA_RATIO = 1.2
# The choice-of-k diagnostics fit nine k on 5,000 customers, most of a small build's time;
# a shorter sweep keeps the project's build near half a minute. Every model and data test
# still runs.
SMOKE_DBT_VARS = {"diagnostics_cluster_counts": [2, 4], "diagnostics_sample_size": 1_000}


def committed_results() -> dict[str, bytes | None]:
    """The committed results files' contents, None for one that is missing."""
    paths = [BENCH_DIR / results_file.RESULTS_JSON, BENCH_DIR / results_file.RESULTS_MD]
    return {path.name: path.read_bytes() if path.exists() else None for path in paths}


@dataclass(frozen=True)
class BenchRun:
    data_dir: Path
    results_dir: Path
    stdout: str
    committed_before: dict[str, bytes | None]


@pytest.fixture(scope="module")
def bench_run(tmp_path_factory: pytest.TempPathFactory) -> BenchRun:
    data_dir = tmp_path_factory.mktemp("bench_data")
    results_dir = tmp_path_factory.mktemp("bench_results")
    committed_before = committed_results()
    command = [
        sys.executable,
        str(BENCH_DIR / "notebook_vs_project.py"),
        "--sizes",
        str(SMOKE_ROWS),
        "--repeat",
        "1",
        "--data-dir",
        str(data_dir),
        "--results-dir",
        str(results_dir),
        "--dbt-vars",
        json.dumps(SMOKE_DBT_VARS),
    ]
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr + completed.stdout
    return BenchRun(data_dir, results_dir, completed.stdout, committed_before)


@pytest.fixture(scope="module")
def smoke_result(bench_run: BenchRun) -> dict:
    (result,) = results_file.read_results(bench_run.results_dir)
    return result


def test_table_has_the_size_with_positive_times_and_both_inertias(bench_run, smoke_result):
    stdout = bench_run.stdout

    assert smoke_result["rows"] == SMOKE_ROWS
    for step in ("notebook", "build", "publish", "report", "main_job"):
        for figure in ("wall_seconds", "peak_mib"):
            assert smoke_result[f"{step}_{figure}"] > 0, (step, figure)
    assert smoke_result["wall_ratio"] > 0
    assert smoke_result["inertia_notebook"] > 0
    assert smoke_result["inertia_project"] > 0
    assert len(smoke_result["slowest_nodes"]) == 5
    assert 0 < smoke_result["build_seconds_outside_run"] < smoke_result["build_wall_seconds"]
    assert any(line.startswith(f"{SMOKE_ROWS:,} ") for line in stdout.splitlines())
    results_md = (bench_run.results_dir / results_file.RESULTS_MD).read_text()
    assert f"| {SMOKE_ROWS:,} | " in results_md
    assert f"| {smoke_result['commit']} |" in results_md


def test_the_main_job_is_the_build_publish_and_report_of_each_repeat(bench_run, smoke_result):
    data_dir = bench_run.data_dir
    runs = smoke_result["runs"]
    steps = [runs[step][0] for step in ("build", "publish", "report")]

    assert smoke_result["main_job_wall_seconds"] == pytest.approx(
        sum(step["wall_seconds"] for step in steps)
    )
    assert smoke_result["main_job_peak_mib"] == max(step["peak_mib"] for step in steps)
    # Each wrote what make publish and make report write, under the data dir.
    assert (data_dir / "published" / "customer_segments.parquet").exists()
    assert (data_dir / "report" / "segmentation_report.pdf").exists()


def test_the_timed_build_is_the_production_build_without_unit_tests(bench_run):
    data_dir = bench_run.data_dir
    build_nodes = json.loads((data_dir / "target" / "run_results.json").read_text())["results"]

    assert any(node["unique_id"].startswith("model.") for node in build_nodes)
    assert any(node["unique_id"].startswith("test.") for node in build_nodes)
    assert not [node for node in build_nodes if node["unique_id"].startswith("unit_test.")]


def test_a_line_per_target_follows_the_table(bench_run):
    stdout = bench_run.stdout
    after_table = stdout.split("Targets:", 1)[1]

    # The smoke size is none of the targets' sizes: each says so, none fails the run.
    for target in targets.TARGETS:
        assert f"{target.line(None, targets.NOT_MEASURED_IN_THIS_RUN)}\n" in after_table


def test_the_smoke_run_leaves_the_committed_results_alone(bench_run):
    assert committed_results() == bench_run.committed_before
    assert str(BENCH_DIR) not in bench_run.stdout


def test_project_clusters_about_as_well_as_the_notebook(smoke_result):
    # Most customers are clean, so nearly all are compared.
    assert smoke_result["customers_compared"] > 0.9 * SMOKE_ROWS
    assert 0 < smoke_result["inertia_ratio"] < MAX_INERTIA_RATIO


def test_inertias_match_a_direct_computation(bench_run, smoke_result):
    data_dir = bench_run.data_dir
    features = list(CLUSTERING_FEATURES)
    notebook = pd.read_csv(data_dir / f"baseline_{SMOKE_ROWS}.csv", dtype={CUSTOMER_ID: str})
    with duckdb.connect(str(data_dir / f"project_{SMOKE_ROWS}.duckdb"), read_only=True) as db:
        segments = db.sql(f"select {CUSTOMER_ID}, cluster_id from customer_segments").df()
    joined = notebook.drop_duplicates(CUSTOMER_ID).merge(
        segments, on=CUSTOMER_ID, validate="one_to_one"
    )
    scaled = StandardScaler().fit_transform(joined[features])

    def inertia(labels: np.ndarray) -> float:
        return sum(
            float(((scaled[labels == group] - scaled[labels == group].mean(axis=0)) ** 2).sum())
            for group in np.unique(labels)
        )

    assert smoke_result["customers_compared"] == len(joined)
    assert smoke_result["inertia_notebook"] == pytest.approx(inertia(joined["cluster"].to_numpy()))
    assert smoke_result["inertia_project"] == pytest.approx(
        inertia(joined["cluster_id"].to_numpy())
    )


def test_project_builds_write_to_the_data_dir_only(bench_run, smoke_result):
    data_dir = bench_run.data_dir

    assert (data_dir / "target" / "run_results.json").exists()
    assert (data_dir / f"project_{SMOKE_ROWS}.duckdb").exists()
    assert Path(smoke_result["customer_file"]).parent == data_dir
    assert smoke_result["generation_seconds"] is not None


def test_timed_builds_start_from_the_saved_parse(bench_run):
    data_dir = bench_run.data_dir
    build_log = (data_dir / "logs" / f"project_{SMOKE_ROWS}_run1.log").read_text()

    assert "Found " in build_log
    assert "Unable to do partial parsing" not in build_log


def test_dbt_floor_builds_as_many_nodes_with_the_same_profile(bench_run, smoke_result):
    data_dir, stdout = bench_run.data_dir, bench_run.stdout
    floor = smoke_result["dbt_floor"]
    project_nodes = json.loads((data_dir / "target" / "run_results.json").read_text())["results"]
    project_log = (data_dir / "logs" / f"project_{SMOKE_ROWS}_run1.log").read_text()
    floor_log = (data_dir / "logs" / f"dbt_floor_{SMOKE_ROWS}_run1.log").read_text()

    def concurrency(log: str) -> list[str]:
        return [
            line.split("Concurrency:", 1)[1] for line in log.splitlines() if "Concurrency:" in line
        ]

    # Every node but the hooks, counted without the bench's own classification.
    hooks = sum(node["unique_id"].startswith("operation.") for node in project_nodes)
    assert floor["relations"] + floor["tests"] + floor["exposures"] == len(project_nodes) - hooks
    assert floor["relations"] > 0
    (floor_run,) = smoke_result["runs"]["dbt_floor"]
    assert floor_run["nodes_done"] == len(project_nodes) - hooks
    assert f"TOTAL={len(project_nodes) - hooks}" in floor_log
    assert concurrency(floor_log) == concurrency(project_log) != []
    assert "Unable to do partial parsing" not in floor_log
    assert 0 < floor["seconds_outside_run"] < floor["wall_seconds"]
    assert smoke_result["floor_ratio"] == pytest.approx(
        floor["wall_seconds"] / smoke_result["notebook_wall_seconds"]
    )
    floor_nodes = f"{SMOKE_ROWS:,} rows: {floor['relations']} one-row tables"
    assert floor_nodes in stdout
    assert floor_nodes in (bench_run.results_dir / results_file.RESULTS_MD).read_text()


def test_model_chain_of_the_smoke_build_is_a_path_through_the_fit(bench_run, smoke_result):
    data_dir = bench_run.data_dir
    chain = smoke_result["model_chain"]
    manifest = json.loads((data_dir / "target" / "manifest.json").read_text())

    # The fit waits for the validated rows, whatever comes after it.
    assert {"int_customers_validated", "segmentation_models"} <= set(chain["nodes"])
    for parent, child in zip(chain["unique_ids"], chain["unique_ids"][1:], strict=False):
        assert parent in manifest["nodes"][child]["depends_on"]["nodes"], (parent, child)
    assert 0 < chain["on_run_start_seconds"] < chain["seconds"]
    assert chain["seconds"] < smoke_result["build_wall_seconds"]
