"""What guards each model's grain: the project's rule, shared by pytest and dbt-score.

A model's grain is guarded by its own key, or by the one key of the 1:1 chain it belongs to:

- its own key: a primary key constraint (column or model level, enforced by DuckDB), a
  ``unique_combination_of_columns`` test, or a column that is both unique (test or
  constraint) and not null (test or constraint);
- or ``meta: {grain_guarded_by: <model>}``, naming a model upstream or downstream of it
  whose own key holds this model's rows (a filter of it, a view it stores row for row, a
  rollup that repeats its rows), so that each grain is tested once per chain;
- or ``meta: {grain_guarded_by: <path>::<pytest function>}``, for a Python model whose
  output a pytest checks row for row.

A model none of these covers fails the check, naming what is missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GUARDED_BY = "grain_guarded_by"
NOT_NULL = {"not_null", "primary_key"}
UNIQUE = {"unique", "primary_key"}


def own_key(node: Mapping[str, Any], tests: Iterable[Mapping[str, Any]]) -> str | None:
    """The key that guards the node's grain on the node itself, described, or None."""
    for constraint in node.get("constraints") or []:
        if constraint.get("type") == "primary_key":
            return f"primary key ({', '.join(constraint.get('columns') or [])})"
    unique, not_null = set(), set()
    for name, column in (node.get("columns") or {}).items():
        kinds = {constraint.get("type") for constraint in column.get("constraints") or []}
        if "primary_key" in kinds:
            return f"primary key ({name})"
        if kinds & UNIQUE:
            unique.add(name)
        if kinds & NOT_NULL:
            not_null.add(name)
    for test in tests:
        kind = (test.get("test_metadata") or {}).get("name")
        if kind == "unique_combination_of_columns":
            return "unique_combination_of_columns test"
        if kind == "unique":
            unique.add(test.get("column_name"))
        if kind == "not_null":
            not_null.add(test.get("column_name"))
    keys = sorted(name for name in unique & not_null if name)
    return f"unique and not null ({keys[0]})" if keys else None


def pytest_exists(reference: str, root: Path = PROJECT_ROOT) -> bool:
    """Whether ``path::function`` names a test function defined in that file."""
    path, _, function = reference.partition("::")
    file = root / path
    return bool(function) and file.is_file() and f"def {function}(" in file.read_text()


def unguarded_grains(manifest: Mapping[str, Any], package: str) -> list[str]:
    """Every model of the package whose grain nothing guards, with the reason."""
    nodes = manifest["nodes"]
    models = {
        node["name"]: node
        for node in nodes.values()
        if node["resource_type"] in ("model", "snapshot") and node["package_name"] == package
    }
    tests_by_node: dict[str, list[dict]] = {}
    for node in nodes.values():
        if node["resource_type"] == "test" and node.get("attached_node"):
            tests_by_node.setdefault(node["attached_node"], []).append(node)
    children: dict[str, set[str]] = {}
    for node in nodes.values():
        for parent in node.get("depends_on", {}).get("nodes", []):
            children.setdefault(parent, set()).add(node["unique_id"])

    def lineage(unique_id: str, edges) -> set[str]:
        seen, todo = set(), [unique_id]
        while todo:
            for other in edges(todo.pop()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return seen

    def parents_of(unique_id: str) -> list[str]:
        return nodes[unique_id].get("depends_on", {}).get("nodes", []) if unique_id in nodes else []

    problems = []
    for name, node in sorted(models.items()):
        if own_key(node, tests_by_node.get(node["unique_id"], [])):
            continue
        reference = (node.get("meta") or {}).get(GUARDED_BY) or (
            node.get("config", {}).get("meta") or {}
        ).get(GUARDED_BY)
        if not reference:
            problems.append(f"{name}: no key (primary key, unique + not null) and no {GUARDED_BY}")
        elif "::" in reference:
            if not pytest_exists(reference):
                problems.append(f"{name}: {GUARDED_BY} names no pytest: {reference}")
        elif reference not in models:
            problems.append(f"{name}: {GUARDED_BY} names no model: {reference}")
        else:
            guard = models[reference]
            related = lineage(node["unique_id"], parents_of) | lineage(
                node["unique_id"], lambda unique_id: children.get(unique_id, ())
            )
            if guard["unique_id"] not in related:
                problems.append(f"{name}: {reference} is neither upstream nor downstream of it")
            elif not own_key(guard, tests_by_node.get(guard["unique_id"], [])):
                problems.append(f"{name}: {reference}, its {GUARDED_BY}, has no key of its own")
    return problems
