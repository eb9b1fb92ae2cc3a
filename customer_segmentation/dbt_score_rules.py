"""The project's dbt-score rules (pyproject.toml [tool.dbt-score] rule_namespaces)."""
# No `from __future__ import annotations`: dbt-score reads the rule's annotations as types.

from dbt_score import Model, RuleViolation, rule

from customer_segmentation.grain import GUARDED_BY, own_key, pytest_exists


def _tests(model: Model) -> list[dict]:
    tests = list(model._raw_test_values)
    for column in model.columns:
        tests += column._raw_test_values
    return tests


def _lineage(model: Model) -> dict[str, Model]:
    related: dict[str, Model] = {}
    for edge in ("parents", "children"):
        todo = list(getattr(model, edge))
        while todo:
            other = todo.pop()
            if isinstance(other, Model) and other.name not in related:
                related[other.name] = other
                todo += getattr(other, edge)
    return related


@rule
def grain_is_guarded(model: Model) -> RuleViolation | None:
    """The grain is guarded by a key of the model or the one key of its 1:1 chain.

    A key: a primary key constraint, a unique_combination_of_columns test, or a column both
    unique and not null (tests or constraints). Or meta grain_guarded_by naming a model up or
    down the lineage that has such a key, or a pytest (path::function) of a Python model.
    """
    if own_key(model._raw_values, _tests(model)):
        return None
    reference = model.meta.get(GUARDED_BY) or model.config.get("meta", {}).get(GUARDED_BY)
    if not reference:
        return RuleViolation(message=f"No key guards the grain, and no meta {GUARDED_BY}.")
    if "::" in reference:
        if pytest_exists(reference):
            return None
        return RuleViolation(message=f"{GUARDED_BY} names no pytest: {reference}.")
    guard = _lineage(model).get(reference)
    if guard is None:
        return RuleViolation(message=f"{GUARDED_BY} {reference} is not in the model's lineage.")
    if not own_key(guard._raw_values, _tests(guard)):
        return RuleViolation(message=f"{GUARDED_BY} {reference} has no key of its own.")
    return None
