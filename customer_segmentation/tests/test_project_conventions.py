"""The project's own rules, checked over dbt's manifest and the built database.

Every model, seed, snapshot and source is described; every column that exists in the
warehouse is documented; every model's grain is guarded, by its own key or by the one key of
its 1:1 chain (customer_segmentation.grain); and the layers keep to the style guide:
source() only in staging, staging reads only sources, marts never read staging.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path

import pytest
from dbt_score.models import ManifestLoader

from customer_segmentation.dbt_score_rules import grain_is_guarded
from customer_segmentation.grain import unguarded_grains
from customer_segmentation.tests.dbt_runner import DbtRun

PACKAGE = "jewellery_segmentation"

DOCUMENTED_TYPES = ("model", "seed", "snapshot")


@cache
def load_manifest(target_path: Path) -> dict:
    return json.loads((target_path / "manifest.json").read_text())


@pytest.fixture(scope="module")
def manifest(sample_build: DbtRun) -> dict:
    return load_manifest(sample_build.target_path)


def project_nodes(manifest: dict, *types: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in types and node["package_name"] == "jewellery_segmentation"
    ]


def test_every_node_and_source_is_described(manifest) -> None:
    undocumented = [
        node["unique_id"]
        for node in [*project_nodes(manifest, *DOCUMENTED_TYPES), *manifest["sources"].values()]
        if not node["description"].strip()
    ]
    assert undocumented == []


def test_every_warehouse_column_is_documented(manifest, sample_build) -> None:
    missing = []
    with sample_build.connect() as connection:
        for node in project_nodes(manifest, *DOCUMENTED_TYPES):
            actual = [
                row[0]
                for row in connection.execute(
                    "select column_name from information_schema.columns"
                    " where table_schema = ? and table_name = ?",
                    [node["schema"], node["alias"]],
                ).fetchall()
            ]
            assert actual, f"{node['unique_id']} is not in the warehouse"
            described = {
                name for name, column in node["columns"].items() if column["description"].strip()
            }
            missing += [f"{node['name']}.{name}" for name in actual if name not in described]
    assert missing == []


def test_every_models_grain_is_guarded(manifest) -> None:
    assert unguarded_grains(manifest, PACKAGE) == []


def _without_tests_of(manifest: dict, model: str) -> dict:
    """The manifest with every data test attached to ``model`` gone."""
    changed = copy.deepcopy(manifest)
    changed["nodes"] = {
        unique_id: node
        for unique_id, node in changed["nodes"].items()
        if node.get("attached_node") != f"model.{PACKAGE}.{model}"
    }
    return changed


def test_a_chain_whose_one_grain_test_goes_fails_the_check(manifest) -> None:
    # customer_segments' unique test is the one grain test of the chain from
    # int_customer_features: without it, the mart and every view it holds are unguarded.
    problems = unguarded_grains(_without_tests_of(manifest, "customer_segments"), PACKAGE)
    assert "customer_segments: no key (primary key, unique + not null) and no grain_guarded_by" in (
        problems
    )
    assert (
        "int_customers_scored: customer_segments, its grain_guarded_by, has no key of its own"
        in problems
    )


def test_a_model_nothing_guards_fails_the_check(manifest) -> None:
    changed = copy.deepcopy(manifest)

    def set_meta(model: str, meta: dict) -> None:
        node = changed["nodes"][f"model.{PACKAGE}.{model}"]
        node["meta"] = node["config"]["meta"] = meta

    set_meta("int_customers_scored", {})
    set_meta("int_customer_personas", {"grain_guarded_by": "customers_rejected"})
    set_meta(
        "cluster_diagnostics",
        {"grain_guarded_by": "customer_segmentation/tests/test_clustering.py::test_gone"},
    )
    assert sorted(unguarded_grains(changed, PACKAGE)) == [
        "cluster_diagnostics: grain_guarded_by names no pytest:"
        " customer_segmentation/tests/test_clustering.py::test_gone",
        "int_customer_personas: customers_rejected is neither upstream nor downstream of it",
        "int_customers_scored: no key (primary key, unique + not null) and no grain_guarded_by",
    ]


def test_dbt_score_holds_the_same_rule(manifest, sample_build, tmp_path) -> None:
    def violations(manifest_data: dict) -> dict[str, str]:
        path = tmp_path / "manifest.json"
        path.write_text(json.dumps(manifest_data))
        rule = grain_is_guarded()
        found = {}
        for model in ManifestLoader(path).models.values():
            violation = rule.evaluate(model)
            if violation:
                found[model.name] = violation.message
        return found

    assert violations(manifest) == {}
    broken = violations(_without_tests_of(manifest, "customer_segments"))
    assert "customer_segments" in broken
    assert broken["int_customers_scored"] == (
        "grain_guarded_by customer_segments has no key of its own."
    )


LOADER = "model.jewellery_segmentation.customer_file_load"


def test_layers_keep_to_the_style_guide(manifest) -> None:
    problems = []
    for model in project_nodes(manifest, "model"):
        path = model["original_file_path"]
        name = model["name"]
        parents = model["depends_on"]["nodes"]
        layer = path.split("/")[1] if path.startswith("models/") else "python_models"
        reads_sources = [parent for parent in parents if parent.startswith("source.")]
        if layer == "staging":
            if not name.startswith("stg_crm__"):
                problems.append(f"{name}: staging models are named stg_<source>__<entity>")
            # ... and waits for the node that loads them (customer_file_load), which it reads
            # nothing from.
            if any(not parent.startswith("source.") for parent in parents if parent != LOADER):
                problems.append(f"{name}: staging reads only sources")
        else:
            if reads_sources:
                problems.append(f"{name}: source() outside staging")
            if layer == "intermediate" and not name.startswith("int_"):
                problems.append(f"{name}: intermediate models are named int_<entity>_<verb>")
            if layer == "marts" and name.startswith(("stg_", "int_")):
                problems.append(f"{name}: marts are named for business entities")
            if layer == "marts" and any(".stg_" in parent for parent in parents):
                problems.append(f"{name}: marts never read staging")
    assert problems == []


def test_marts_enforce_their_contracts(manifest) -> None:
    marts = [
        model
        for model in project_nodes(manifest, "model")
        if model["original_file_path"].startswith("models/marts/")
    ]
    assert marts
    assert [m["name"] for m in marts if not m["config"]["contract"]["enforced"]] == []
