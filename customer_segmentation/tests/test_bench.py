"""Smoke test of the benchmark harness (``customer_segmentation.benchmark``, run by
bench/notebook_vs_project.py) at a tiny size; unit tests of its parts.

The harness runs the notebook baseline and a full ``dbt build`` as separate processes, as
``make bench`` does, into a temporary data dir; its figures are then checked for sense and
its inertia query against a direct computation.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.preprocessing import StandardScaler

from customer_segmentation.benchmark import dbt_nodes, results_file, runs, size, tables, targets
from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
SMOKE_ROWS = 3_000
# Both sides cluster the same customers into the same four personas; the project's
# labelling may differ a little (it imputes and validates), not by a fifth.
MAX_INERTIA_RATIO = 1.2
# The choice-of-k diagnostics fit nine k on 5,000 customers, most of a small build's time;
# a shorter sweep keeps the project's build near half a minute. Every model and test still
# runs.
SMOKE_DBT_VARS = {"diagnostics_cluster_counts": [2, 4], "diagnostics_sample_size": 1_000}
# A child that holds this much memory must show at least this peak.
ALLOCATED_MIB = 200


def load_bench_module(name: str) -> ModuleType:
    """Import a script from bench/, which is a folder of scripts, not a package."""
    spec = importlib.util.spec_from_file_location(name, BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    # Dataclasses look their module up in sys.modules while the class is built.
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


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


def test_target_lines_give_the_figure_and_whether_it_is_met():
    measured = [
        {"rows": 1_000_000, "wall_ratio": 0.9},
        {
            "rows": 10_000_000,
            "wall_ratio": 0.5,
            "build_peak_mib": 1400.0,
            "report_wall_seconds": 12.3,
            "report_peak_mib": 2100.0,
        },
    ]

    one_million, ten_million, ten_million_peak, report, hundred_million = targets.target_lines(
        measured
    )

    assert one_million.endswith("build/notebook 0.900 (at most 1.000): met")
    assert ten_million.endswith("build/notebook 0.500 (at most 0.350): NOT met")
    assert ten_million_peak.endswith("peak 1400 MiB (at most 2048 MiB): met")
    # Both of the report's limits must hold.
    assert report.endswith(
        "wall 12.3 s (at most 30.0 s), peak 2100 MiB (at most 2048 MiB): NOT met"
    )
    assert hundred_million == (
        "100,000,000 rows, main job (build + publish + report): peak at most 12288 MiB:"
        " not measured in this run"
    )


def test_a_target_needing_the_notebook_is_not_measured_above_its_limit():
    (one_million, *_) = targets.target_lines([{"rows": 1_000_000, "wall_ratio": None}])

    assert one_million.endswith(": not measured in this run")


def test_the_smoke_run_leaves_the_committed_results_alone(bench_run):
    assert committed_results() == bench_run.committed_before
    assert str(BENCH_DIR) not in bench_run.stdout


def test_the_committed_results_md_is_rendered_from_the_committed_results_json():
    committed = results_file.read_results(BENCH_DIR)
    rendered = results_file.render_markdown(committed)

    assert (BENCH_DIR / results_file.RESULTS_MD).read_text() == rendered


def fake_size(rows: int, commit: str, build_wall_seconds: float) -> dict:
    """A size's results as the bench stamps them, with only the figures the table reads."""
    figures = {column.key.split(".")[0]: None for column in tables.COLUMNS}
    return {
        **figures,
        "rows": rows,
        "build_wall_seconds": build_wall_seconds,
        "slowest_nodes": [],
        "model_chain": {"seconds": 1.0},
        "dbt_floor": {"wall_seconds": 2.0, "relations": 3, "tests": 4, "exposures": 1},
        "measured_at": "2026-12-01T09:30+00:00",
        "commit": commit,
        "environment": results_file.environment_facts(repeat=1, dbt_vars={}),
    }


def test_a_run_replaces_the_sizes_it_measured_and_keeps_the_others():
    kept = [fake_size(1_000_000, "abc1234", 35.0), fake_size(10_000_000, "abc1234", 120.0)]
    measured = [fake_size(100_000_000, "def5678", 1196.0), fake_size(1_000_000, "def5678", 30.0)]

    merged = results_file.merge_results(kept, measured)

    assert [(size["rows"], size["commit"]) for size in merged] == [
        (1_000_000, "def5678"),
        (10_000_000, "abc1234"),
        (100_000_000, "def5678"),
    ]


def test_results_md_has_a_row_per_size_saying_when_and_on_which_commit(tmp_path):
    (tmp_path / results_file.RESULTS_JSON).write_text(
        json.dumps({"sizes": [fake_size(10_000_000, "abc1234", 120.0)]})
    )

    results_file.write_results(tmp_path, [fake_size(100_000_000, "def5678-dirty", 1196.0)])
    rows = [
        line
        for line in (tmp_path / results_file.RESULTS_MD).read_text().splitlines()
        if line.startswith("| 1")
    ]

    assert [row.split(" | ")[:4] for row in rows] == [
        ["| 10,000,000", "2026-12-01 09:30", "abc1234", "-"],
        ["| 100,000,000", "2026-12-01 09:30", "def5678-dirty", "-"],
    ]
    assert [size["rows"] for size in results_file.read_results(tmp_path)] == [
        10_000_000,
        100_000_000,
    ]


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


def test_model_chain_is_the_slowest_path_of_relations_after_the_hooks():
    seconds = {
        "operation.shop.shop-on-run-start-0": 0.5,
        "model.shop.loaded": 1.0,
        "seed.shop.labels": 0.1,
        "model.shop.quick": 2.0,
        "model.shop.slow": 5.0,
        "snapshot.shop.history": 1.0,
        # Tests are left out: the chain prices the relations alone.
        "test.shop.unique_slow_id.abc123": 100.0,
    }
    parents = {
        "model.shop.loaded": [],
        "model.shop.quick": ["model.shop.loaded", "seed.shop.labels"],
        "model.shop.slow": ["model.shop.loaded", "source.shop.crm.customers"],
        "snapshot.shop.history": ["model.shop.quick", "model.shop.slow"],
        "test.shop.unique_slow_id.abc123": ["model.shop.slow"],
    }
    manifest = {"nodes": {node: {"depends_on": {"nodes": up}} for node, up in parents.items()}}
    manifest["nodes"]["seed.shop.labels"] = {"depends_on": {"macros": []}}

    chain = dbt_nodes.model_chain(seconds, manifest)

    assert chain["seconds"] == pytest.approx(0.5 + 1.0 + 5.0 + 1.0)
    assert chain["nodes"] == ["loaded", "slow", "history"]


def test_customer_file_is_generated_once_then_reused(tmp_path):
    path, seconds = runs.customer_file(tmp_path, 200)
    written = path.read_bytes()
    again, seconds_again = runs.customer_file(tmp_path, 200)

    assert seconds is not None and seconds_again is None
    assert again == path and again.read_bytes() == written
    assert [file.name for file in tmp_path.iterdir()] == [path.name]


def test_node_labels_drop_type_project_and_test_hash():
    assert dbt_nodes.node_label("model.proj.customer_segments") == "customer_segments"
    # A data test's name may itself hold a dot (here from the argument 0.4).
    assert dbt_nodes.node_label("test.proj.range_x__0.4.4bfafe47e7") == "range_x__0.4"
    assert dbt_nodes.node_label("unit_test.proj.stg_x.test_parses_money") == "test_parses_money"
    assert dbt_nodes.node_label("operation.proj.proj-on-run-start-1") == "proj-on-run-start-1"


def test_a_size_above_the_notebooks_limit_shows_only_project_figures():
    project_only = {
        "rows": 100_000_000,
        "build_wall_seconds": 1234.5,
        "build_peak_mib": 1800.0,
        "publish_wall_seconds": 40.0,
        "report_wall_seconds": 12.3,
        "report_peak_mib": 900.0,
        "main_job_wall_seconds": 1286.8,
        "main_job_peak_mib": 1800.0,
        "slowest_nodes": [{"node": "int_customers_validated", "seconds": 300.0}],
        "model_chain": {"seconds": 900.0},
        "dbt_floor": {"wall_seconds": 14.0},
        **dict.fromkeys(size.NOTEBOOK_FIGURES),
    }

    cells = tables.table_cells(project_only)

    assert dict(zip(tables.HEADERS, cells, strict=True)) == {
        "rows": "100,000,000",
        "notebook wall s": "-",
        "notebook peak MiB": "-",
        "build wall s": "1234.5",
        "build peak MiB": "1800",
        "build/notebook": "-",
        "publish s": "40.0",
        "report s": "12.3",
        "report peak MiB": "900",
        "main job s": "1286.8",
        "main job peak MiB": "1800",
        "dbt floor s": "14.0",
        "model chain s": "900.0",
        "inertia notebook": "-",
        "inertia project": "-",
        "inertia project/notebook": "-",
        "slowest nodes (s)": "int_customers_validated 300.0",
    }


def test_measurement_reads_each_runs_own_peak(tmp_path):
    measure = BENCH_DIR / "measure_process.py"
    allocate = f"b = bytearray({ALLOCATED_MIB} * 1024 * 1024); b[::4096] = b'x' * len(b[::4096])"

    for name, code in (("large", allocate), ("small", "pass")):
        wrapper = [sys.executable, str(measure), str(tmp_path / f"{name}.json"), "--"]
        subprocess.run([*wrapper, sys.executable, "-c", code], check=True)
    large = json.loads((tmp_path / "large.json").read_text())
    small = json.loads((tmp_path / "small.json").read_text())

    assert large["returncode"] == 0 and large["wall_seconds"] > 0
    assert large["peak_mib"] >= ALLOCATED_MIB
    assert small["peak_mib"] < ALLOCATED_MIB


def test_measurement_passes_on_the_exit_code(tmp_path):
    measure = BENCH_DIR / "measure_process.py"
    result = tmp_path / "failed.json"

    completed = subprocess.run(
        [sys.executable, str(measure), str(result), "--", sys.executable, "-c", "exit(3)"],
        check=False,
    )

    assert completed.returncode == 3
    assert json.loads(result.read_text())["returncode"] == 3


def test_baseline_lists_the_projects_features():
    baseline = load_bench_module("baseline_notebook")

    assert list(CLUSTERING_FEATURES) == baseline.FEATURES
