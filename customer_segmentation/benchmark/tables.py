"""The results table, printed and as Markdown, and the notes on what its columns measure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


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
    """The same table in Markdown, each row saying when and on which commit it was measured."""
    headers = [HEADERS[0], "measured (UTC)", "commit", *HEADERS[1:]]
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join(["---:", "---", "---"] + ["---:"] * (len(HEADERS) - 2) + ["---"]) + "|",
    ]
    for result in results:
        rows, *figures = table_cells(result)
        measured = datetime.fromisoformat(result["measured_at"]).strftime("%Y-%m-%d %H:%M")
        cells = [rows, measured, result["commit"], *figures]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def column_notes(results: list[dict]) -> list[tuple[str, str]]:
    """What each column measures, as (header, note), under the printed and the Markdown table."""
    if results:
        floor = results[-1]["dbt_floor"]
        floor_nodes = (
            f" (at {results[-1]['rows']:,} rows: {floor['relations']} one-row tables,"
            f" {floor['tests']} tests that find nothing, {floor['exposures']} exposures)"
        )
    else:
        floor_nodes = ""
    return [
        (
            "notebook wall s, peak MiB",
            "`bench/baseline_notebook.py`, pandas and scikit-learn only, in a process of its"
            " own: its wall time and peak memory (the largest resident set of its process,"
            " read with getrusage in a wrapper process per run).",
        ),
        (
            "build wall s, peak MiB",
            "the production build, as `make run` builds it: `dbt build"
            " --exclude-resource-type unit_test`, every model and data test, into a fresh"
            " DuckDB file (so the model is fitted, as in a first build), from dbt's saved"
            " parse.",
        ),
        (
            "build/notebook",
            "the build's wall time over the notebook's, from runs taken in turn in one"
            " invocation: the machine's speed drifts between runs, so compare ratios.",
        ),
        (
            "publish s, report s, report peak MiB",
            "`python -m customer_segmentation.publish` and `python -m"
            " customer_segmentation.report` on the database the build just wrote, as `make"
            " publish` and `make report` run them: publishing under the build's"
            " DUCKDB_MEMORY_LIMIT, the report under its own fixed 256 MB.",
        ),
        (
            "main job s, peak MiB",
            "build, publish and report, what `make run` does: their times summed and the"
            " largest of their peaks.",
        ),
        (
            "dbt floor s",
            "after each build, dbt alone builds as many nodes as the build ran"
            f"{floor_nodes}, with the project's profile: what dbt itself costs a graph of"
            " that size here, before any SQL.",
        ),
        (
            "model chain s",
            "the on-run-start hooks plus the slowest chain of models that wait on each other,"
            " with the times they took in this build: the critical path of the models. Tests,"
            " which `dbt build` runs before a model's children, and the pauses between nodes"
            " come on top.",
        ),
        (
            "inertia notebook, project, project/notebook",
            "untimed, both labellings scored on the same rows: the customers both kept, with"
            " the notebook's parsed values, standardised once; the within-cluster sum of"
            " squares of each, and their ratio. The project fits on a seeded sample"
            " (`fit_sample_size`) with money on a log scale and winsorised, so it does not"
            " minimise the notebook's linear-scale inertia: a ratio a little above 1 is the"
            " price of extreme customers not taking a segment of their own.",
        ),
        (
            "slowest nodes (s)",
            "the build's slowest nodes. They run on two threads, so two nodes side by side"
            " each count their full time.",
        ),
    ]
