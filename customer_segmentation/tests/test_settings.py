"""The vars the Python models read: rendered by dbt as one JSON config, read back typed."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from customer_segmentation.clustering import KMeansSettings
from customer_segmentation.settings import SegmentationSettings, read_segmentation_settings
from customer_segmentation.tests.dbt_runner import DbtRun

PROJECT_DIR = Path(__file__).resolve().parents[2]
PYTHON_MODELS = ("segmentation_models", "cluster_diagnostics")
SETTING_NAMES = [field.name for field in fields(SegmentationSettings)]

SETTINGS_JSON = json.dumps(
    {
        "n_clusters": 5,
        "kmeans_random_state": 42,
        "kmeans_n_init": 3,
        "min_persona_share": 0.05,
        "fit_sample_size": 20000,
        "refit": False,
        "diagnostics_cluster_counts": [3, 6],
        "diagnostics_sample_size": 800,
    }
)


def test_settings_keep_the_json_types():
    settings = read_segmentation_settings(SETTINGS_JSON)

    assert settings == SegmentationSettings(
        n_clusters=5,
        kmeans_random_state=42,
        kmeans_n_init=3,
        min_persona_share=0.05,
        fit_sample_size=20000,
        refit=False,
        diagnostics_cluster_counts=(3, 6),
        diagnostics_sample_size=800,
    )
    # Equality alone would let 5.0 pass for 5 and 0 for False.
    assert type(settings.n_clusters) is int
    assert type(settings.fit_sample_size) is int
    assert settings.refit is False


def test_settings_give_the_fit_its_kmeans_settings_on_the_chosen_features():
    settings = read_segmentation_settings(SETTINGS_JSON)

    assert settings.kmeans(["age", "annual_income"]) == KMeansSettings(
        features=("age", "annual_income"),
        n_clusters=5,
        random_state=42,
        n_init=3,
        min_persona_share=0.05,
    )


def test_settings_diagnose_every_k_of_the_range_both_ends_included():
    assert read_segmentation_settings(SETTINGS_JSON).cluster_counts_to_diagnose == range(3, 7)


@pytest.mark.parametrize("change", ["drop n_clusters", "add n_cluster"])
def test_settings_refuse_a_config_that_lists_other_vars(change):
    values = json.loads(SETTINGS_JSON)
    if change == "drop n_clusters":
        del values["n_clusters"]
    else:
        values["n_cluster"] = 4

    with pytest.raises(TypeError, match="n_cluster"):
        read_segmentation_settings(json.dumps(values))


@pytest.mark.parametrize("model_name", PYTHON_MODELS)
def test_each_python_model_is_configured_with_every_var_as_dbt_project_sets_it(
    sample_build: DbtRun, model_name: str
):
    manifest = json.loads((sample_build.target_path / "manifest.json").read_text())
    [config] = [
        node["config"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] == model_name
    ]
    project_vars = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())["vars"]

    settings = read_segmentation_settings(config["settings"])

    expected = {name: project_vars[name] for name in SETTING_NAMES}
    expected["diagnostics_cluster_counts"] = tuple(expected["diagnostics_cluster_counts"])
    assert {name: getattr(settings, name) for name in SETTING_NAMES} == expected
    assert {name: type(getattr(settings, name)) for name in SETTING_NAMES} == {
        name: type(value) for name, value in expected.items()
    }
