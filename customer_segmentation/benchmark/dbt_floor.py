"""The dbt floor: what dbt itself costs a build of the project's number of nodes.

After each build, a generated project with as many models, tests and exposures as the build
ran, each doing no work, is built with the project's profile (threads, DuckDB settings).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from customer_segmentation.benchmark.dbt_nodes import (
    EXPOSURE_TYPE,
    RELATION_TYPES,
    TEST_TYPES,
    resource_type,
)
from customer_segmentation.benchmark.runs import (
    RunFailedError,
    dbt_command_line,
    dbt_env,
    measure,
    remove_database,
)


def build_node_counts(node_seconds: dict[str, float]) -> dict[str, int]:
    """How many relations (models, seeds, snapshots), tests and exposures a build ran.

    Hooks are left out. A node of any other type stops the bench: the floor could not
    stand in for it.
    """
    kinds = [resource_type(unique_id) for unique_id in node_seconds]
    unknown = set(kinds) - RELATION_TYPES - TEST_TYPES - {EXPOSURE_TYPE, "operation"}
    if unknown:
        raise RunFailedError(f"the build ran nodes the dbt floor cannot mimic: {unknown}")
    return {
        "relations": sum(kind in RELATION_TYPES for kind in kinds),
        "tests": sum(kind in TEST_TYPES for kind in kinds),
        "exposures": kinds.count(EXPOSURE_TYPE),
    }


def write_floor_project(folder: Path, relations: int, tests: int, exposures: int) -> None:
    """A dbt project of one-row tables, tests that find nothing and exposures, in those counts.

    It has the project's node count and profile (threads, DuckDB settings), not its graph:
    the tables stand side by side and each test reads one. Files of an earlier, larger
    floor are removed; the target folder stays, for dbt's saved parse.
    """
    if relations < 1:
        raise RunFailedError("the build ran no model, so there is no dbt floor to time")
    for generated in ("models", "tests"):
        shutil.rmtree(folder / generated, ignore_errors=True)
        (folder / generated).mkdir(parents=True)
    (folder / "dbt_project.yml").write_text(
        "name: dbt_floor\n"
        'version: "1.0.0"\n'
        "config-version: 2\n"
        "profile: jewellery_segmentation\n"
        "models:\n"
        "  dbt_floor:\n"
        "    +materialized: table\n"
    )
    for index in range(relations):
        (folder / "models" / f"relation_{index}.sql").write_text("select 1 as id\n")
    for index in range(tests):
        (folder / "tests" / f"test_{index}.sql").write_text(
            f"select id from {{{{ ref('relation_{index % relations}') }}}} where id is null\n"
        )
    exposure_entries = "".join(
        f"  - name: exposure_{index}\n"
        "    type: dashboard\n"
        "    owner:\n"
        "      email: floor@example.com\n"
        "    depends_on:\n"
        f"      - ref('relation_{index % relations}')\n"
        for index in range(exposures)
    )
    if exposure_entries:
        (folder / "models" / "_exposures.yml").write_text(
            f"version: 2\nexposures:\n{exposure_entries}"
        )


def run_dbt_floor(node_counts: dict[str, int], label: str, data_dir: Path) -> dict:
    """Time ``dbt build`` of the project ``write_floor_project`` makes, from a saved parse."""
    folder = data_dir / "dbt_floor"
    database = data_dir / "dbt_floor.duckdb"
    write_floor_project(folder, **node_counts)
    env = dbt_env(database)
    target = folder / "target"
    parse = dbt_command_line("parse", target, project_dir=folder)
    measure(parse, f"{label}_parse", data_dir, env)
    remove_database(database)
    build = dbt_command_line("build", target, project_dir=folder)
    result = measure(build, label, data_dir, env)
    run_results = json.loads((target / "run_results.json").read_text())
    return {
        **node_counts,
        **result,
        "seconds_outside_run": result["wall_seconds"] - run_results["elapsed_time"],
        "nodes_done": sum(
            node["status"] in {"success", "pass", "no-op"} for node in run_results["results"]
        ),
    }
