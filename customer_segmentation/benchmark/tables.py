"""The results table, printed and as Markdown, and the notes on what its columns measure."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from customer_segmentation.benchmark.runs import FILE_SEED

PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "scikit-learn", "numpy")


@dataclass(frozen=True)
class Column:
    """A figure of a size's results as a table column: ``key`` is its name in the results,
    a dotted path into a nested figure (``dbt_floor.wall_seconds``)."""

    header: str
    key: str
    spec: str

    def cell(self, result: dict) -> str:
        """The formatted figure; "-" for one the run did not produce (the notebook's, above
        ``--baseline-max-rows``)."""
        value = result
        for part in self.key.split("."):
            value = value[part]
        return "-" if value is None else format(value, self.spec)


COLUMNS = (
    Column("rows", "rows", ","),
    Column("notebook wall s", "notebook_wall_seconds", ".1f"),
    Column("notebook peak MiB", "notebook_peak_mib", ".0f"),
    Column("build wall s", "build_wall_seconds", ".1f"),
    Column("build peak MiB", "build_peak_mib", ".0f"),
    Column("build/notebook", "wall_ratio", ".2f"),
    Column("publish s", "publish_wall_seconds", ".1f"),
    Column("report s", "report_wall_seconds", ".1f"),
    Column("report peak MiB", "report_peak_mib", ".0f"),
    Column("main job s", "main_job_wall_seconds", ".1f"),
    Column("main job peak MiB", "main_job_peak_mib", ".0f"),
    Column("dbt floor s", "dbt_floor.wall_seconds", ".1f"),
    Column("model chain s", "model_chain.seconds", ".1f"),
    Column("inertia notebook", "inertia_notebook", ",.0f"),
    Column("inertia project", "inertia_project", ",.0f"),
    Column("inertia project/notebook", "inertia_ratio", ".3f"),
)
SLOWEST_NODES_HEADER = "slowest nodes (s)"
HEADERS = (*(column.header for column in COLUMNS), SLOWEST_NODES_HEADER)


def table_cells(result: dict) -> list[str]:
    """One size's row, formatted once for both the plain and the Markdown table."""
    slowest = ", ".join(f"{node['node']} {node['seconds']:.1f}" for node in result["slowest_nodes"])
    return [*(column.cell(result) for column in COLUMNS), slowest]


def plain_table(results: list[dict]) -> str:
    """Numbers right-aligned under their headers; the node list, last, left-aligned."""
    rows = [list(HEADERS), *(table_cells(result) for result in results)]
    widths = [max(len(row[index]) for row in rows) for index in range(len(HEADERS) - 1)]
    lines = []
    for row in rows:
        numbers = [cell.rjust(width) for cell, width in zip(row, widths, strict=False)]
        lines.append("  ".join([*numbers, row[-1]]))
    return "\n".join(lines)


def markdown_table(results: list[dict]) -> str:
    """The same table in Markdown."""
    lines = [
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(["---:"] * (len(HEADERS) - 1) + ["---"]) + "|",
    ]
    lines += ["| " + " | ".join(table_cells(result)) + " |" for result in results]
    return "\n".join(lines)


def environment_facts(repeat: int, dbt_vars: dict) -> dict:
    """What a reader needs to compare figures across machines and versions."""
    return {
        "repeat": repeat,
        "dbt_vars": dbt_vars,
        "file_seed": FILE_SEED,
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "packages": {name: metadata.version(name) for name in PACKAGES},
    }


def table_notes(results: list[dict]) -> str:
    """What the dbt floor and model chain columns measure, under the table."""
    floor = results[-1]["dbt_floor"]
    return (
        f'"dbt floor s": after each build, dbt alone builds {floor["relations"]} one-row'
        f" tables, runs {floor['tests']} tests that find nothing and passes over"
        f" {floor['exposures']} exposures, as many nodes as the project's build, with the"
        " project's profile: what dbt itself costs a graph of that size here.\n"
        '"model chain s": the on-run-start hooks plus the slowest chain of models that wait'
        " on each other, with the times they took in this build: the critical path of the"
        " models. Tests and the pauses between nodes come on top."
    )


def write_results(results: list[dict], facts: dict, data_dir: Path) -> None:
    (data_dir / "results.json").write_text(json.dumps({**facts, "sizes": results}, indent=2) + "\n")
    (data_dir / "results.md").write_text(
        "Notebook baseline against the production build (`dbt build --exclude-resource-type"
        f" unit_test`), publish and report, medians of {facts['repeat']} run(s) each, "
        f"{facts['cpu_count']} CPUs, {facts['platform']}.\n\n{markdown_table(results)}\n\n"
        f"{table_notes(results)}\n"
    )
