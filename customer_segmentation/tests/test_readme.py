"""The README says only what is true: every model, source, column, var, macro, reject reason
or other project name it gives in backticks exists.

Names are checked against what defines them, never against a list kept here: dbt's manifest
(models, seeds, snapshots, sources, their columns, macros, generic tests, exposures, metrics,
semantic models, unit tests), the vars of ``dbt_project.yml`` and the keys of the example
vars files, the settings of ``profiles.yml``, the codes of ``seeds/reject_reasons.csv``, the
functions, classes and constants of the Python package and the benchmarks, and MetricFlow's
time dimension. Only spans that look like a project name are checked:
snake_case words with an underscore (``customer_segments``), and ``schema.table`` where the
first part is a schema or source (``crm.customers``). File names, commands and values
(``customers_sample.csv``, ``make run``, ``75k``) are left alone.
"""

from __future__ import annotations

import ast
import csv
import json
import re
from pathlib import Path

import pytest
import yaml
from dbt_semantic_interfaces.naming.keywords import METRIC_TIME_ELEMENT_NAME

from customer_segmentation.tests.dbt_runner import PROJECT_DIR, assert_succeeded, run_dbt

SNAKE_CASE_NAME = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")
QUALIFIED_NAME = re.compile(r"([a-z][a-z0-9_]*)\.([a-z][a-z0-9_]*)")
FENCED_BLOCK = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"`([^`\n]+)`")


def code_spans(markdown: str) -> list[str]:
    """The inline code spans of a Markdown text, outside fenced code blocks."""
    return CODE_SPAN.findall(FENCED_BLOCK.sub("", markdown))


def keys_of(value: object) -> set[str]:
    """Every mapping key in a YAML document, at any depth."""
    if isinstance(value, dict):
        return {str(key) for key in value} | {k for item in value.values() for k in keys_of(item)}
    if isinstance(value, list):
        return {k for item in value for k in keys_of(item)}
    return set()


def manifest_names(manifest: dict) -> tuple[set[str], set[str]]:
    """(names, qualifiers): every name the manifest defines, and the schemas and sources."""
    names: set[str] = set()
    qualifiers: set[str] = set()
    for node in [*manifest["nodes"].values(), *manifest["sources"].values()]:
        names |= {node["name"], node.get("alias") or node["name"], *node.get("columns", {})}
        qualifiers.add(node["schema"])
        if node["resource_type"] == "source":
            qualifiers.add(node["source_name"])
            names.add(node["source_name"])
    for node in manifest["nodes"].values():
        if node.get("test_metadata"):
            names.add(node["test_metadata"]["name"])
    for kind in ("macros", "exposures", "metrics", "unit_tests"):
        names |= {item["name"] for item in manifest.get(kind, {}).values()}
    for semantic_model in manifest.get("semantic_models", {}).values():
        names.add(semantic_model["name"])
        for part in ("entities", "dimensions", "measures"):
            names |= {item["name"] for item in semantic_model.get(part) or []}
    return names, qualifiers


def python_names(folder: Path) -> set[str]:
    """The module-level functions, classes and constants of every Python file in a folder."""
    names = set()
    for path in folder.rglob("*.py"):
        for statement in ast.parse(path.read_text()).body:
            if isinstance(statement, ast.FunctionDef | ast.ClassDef):
                names.add(statement.name)
            elif isinstance(statement, ast.Assign):
                names |= {target.id for target in statement.targets if isinstance(target, ast.Name)}
    return names


def project_names() -> set[str]:
    """Names the manifest does not hold: vars and their keys, profile settings, reject reasons,
    Python names, MetricFlow's time dimension."""
    project = yaml.safe_load((PROJECT_DIR / "dbt_project.yml").read_text())
    profiles = yaml.safe_load((PROJECT_DIR / "profiles.yml").read_text())
    examples = [
        yaml.safe_load(path.read_text()) for path in (PROJECT_DIR / "examples").glob("*.yml")
    ]
    with (PROJECT_DIR / "seeds" / "reject_reasons.csv").open() as reasons:
        reject_reasons = {row["reject_reason"] for row in csv.DictReader(reasons)}
    return (
        set(project["vars"])
        | keys_of(examples)
        | keys_of(profiles)
        | reject_reasons
        | python_names(PROJECT_DIR / "customer_segmentation")
        | python_names(PROJECT_DIR / "bench")
        | {METRIC_TIME_ELEMENT_NAME}
    )


def unknown_names(markdown: str, names: set[str], qualifiers: set[str]) -> list[str]:
    """The project-looking names in the text's code spans that nothing defines."""
    unknown = []
    for span in code_spans(markdown):
        qualified = QUALIFIED_NAME.fullmatch(span)
        if SNAKE_CASE_NAME.fullmatch(span):
            if span not in names:
                unknown.append(span)
        elif qualified and qualified.group(1) in qualifiers and qualified.group(2) not in names:
            unknown.append(span)
    return unknown


@pytest.fixture(scope="module")
def known(tmp_path_factory) -> tuple[set[str], set[str]]:
    parsed = run_dbt(["parse"], tmp_path_factory.mktemp("readme"))
    assert_succeeded(parsed)
    names, qualifiers = manifest_names(
        json.loads((parsed.target_path / "manifest.json").read_text())
    )
    return names | project_names(), qualifiers


def test_every_name_the_readme_gives_exists(known) -> None:
    readme = (PROJECT_DIR / "README.md").read_text()
    assert unknown_names(readme, *known) == []


def test_the_check_catches_a_name_nothing_defines(known) -> None:
    text = (
        "Persona matching compares those dimensions, and `persona_match_features` on every"
        " customer says which were used; see `crm.customer_history` and `customer_segments`.\n"
        "```\n`not_checked_in_a_block`\n```\n"
    )
    assert unknown_names(text, *known) == ["persona_match_features", "crm.customer_history"]


def test_spans_that_are_not_project_names_are_left_alone(known) -> None:
    text = (
        "`make run`, `customers_sample.csv`, `75k`, `<column>_missing`, `Year_Birth`, `n_clusters`"
    )
    assert unknown_names(text, *known) == []
    assert Path(PROJECT_DIR / "data" / "customers_sample.csv").exists()
