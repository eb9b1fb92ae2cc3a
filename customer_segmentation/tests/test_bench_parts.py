"""The benchmark's parts, without running it: the model chain, node labels, the cached
files, the measuring wrapper, the table, the targets and the committed results files."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

from customer_segmentation.benchmark import dbt_nodes, results_file, runs, size, tables, targets
from customer_segmentation.features import CLUSTERING_FEATURES

BENCH_DIR = Path(__file__).resolve().parents[2] / "bench"
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
