"""A build's nodes, from dbt's artifacts: their ids, their times and the model chain."""

from __future__ import annotations

import functools
import json
from pathlib import Path

# dbt resource types of the nodes a build runs; hooks are "operation".
RELATION_TYPES = frozenset({"model", "seed", "snapshot"})
TEST_TYPES = frozenset({"test", "unit_test"})
EXPOSURE_TYPE = "exposure"


def resource_type(unique_id: str) -> str:
    """ "model", "test", "operation" (a hook)...: the first part of a dbt unique id."""
    return unique_id.split(".", 1)[0]


def node_label(unique_id: str) -> str:
    """A node's name without its resource type, project and (for data tests) hash suffix."""
    kind, _project, name = unique_id.split(".", 2)
    if kind == "test":
        name = name.rsplit(".", 1)[0]
    if kind == "unit_test":
        name = name.split(".", 1)[1]
    return name


def node_seconds(run_results: Path) -> dict[str, float]:
    """Seconds per node (models, tests, hooks) of a build, from dbt's run_results.json.

    Keyed by unique id: two unit tests of different models may share a name.
    """
    results = json.loads(run_results.read_text())["results"]
    return {result["unique_id"]: result["execution_time"] for result in results}


def model_chain(node_seconds: dict[str, float], manifest: dict) -> dict:
    """The on-run-start hooks and the slowest chain of relations that wait on each other.

    Each relation of the chain starts only once the one before it is written: the critical
    path of the models, with the times they took in this build (beside whatever ran on the
    other thread). Tests and the pauses between nodes come on top.
    """
    relations = {
        unique_id for unique_id in node_seconds if resource_type(unique_id) in RELATION_TYPES
    }

    @functools.cache
    def slowest_chain_to(unique_id: str) -> tuple[float, tuple[str, ...]]:
        # A seed depends on nothing, and its manifest entry has no node list.
        parents = manifest["nodes"][unique_id]["depends_on"].get("nodes", [])
        slowest = max(
            (slowest_chain_to(parent) for parent in parents if parent in relations),
            default=(0.0, ()),
        )
        return slowest[0] + node_seconds[unique_id], (*slowest[1], unique_id)

    hooks = sum(
        seconds
        for unique_id, seconds in node_seconds.items()
        if resource_type(unique_id) == "operation" and "on-run-start" in unique_id
    )
    chain_seconds, chain = max(
        (slowest_chain_to(unique_id) for unique_id in relations), default=(0.0, ())
    )
    return {
        "seconds": hooks + chain_seconds,
        "on_run_start_seconds": hooks,
        "nodes": [node_label(unique_id) for unique_id in chain],
        "unique_ids": list(chain),
    }
