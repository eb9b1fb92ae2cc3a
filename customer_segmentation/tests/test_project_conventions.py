"""The project's own rules, checked over dbt's manifest and the built database.

Every model, seed, snapshot and source is described; every column that exists in the
warehouse is documented; every model has a tested primary key; and the layers keep to the
style guide: source() only in staging, staging reads only sources, marts never read staging.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from customer_segmentation.tests.dbt_runner import DbtRun

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


def test_every_model_has_a_tested_primary_key(manifest) -> None:
    tests_by_model: dict[str, list[dict]] = {}
    for test in project_nodes(manifest, "test"):
        if test.get("attached_node"):
            tests_by_model.setdefault(test["attached_node"], []).append(test)
    without_key = []
    for model in project_nodes(manifest, "model", "snapshot"):
        tests = tests_by_model.get(model["unique_id"], [])
        by_kind: dict[str, set] = {}
        for test in tests:
            metadata = test.get("test_metadata") or {}
            by_kind.setdefault(metadata.get("name"), set()).add(test.get("column_name"))
        single_column_key = by_kind.get("unique", set()) & by_kind.get("not_null", set())
        combined_key = "unique_combination_of_columns" in by_kind
        if not (single_column_key or combined_key):
            without_key.append(model["name"])
    assert without_key == []


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
