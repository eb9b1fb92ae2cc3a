"""Benchmark: the dbt project against a plain pandas + scikit-learn notebook, by file size.

For each size, a seeded customer file is generated once (cached in ``--data-dir``), then the
notebook baseline (``bench/baseline_notebook.py``) and a full ``dbt build`` (every model and
test, into a fresh DuckDB file) run alternately, ``--repeat`` times each, so that drift on
a shared machine hits both alike. Each run is timed and its peak memory read through
``bench/measure_process.py``. Then, untimed, both labellings are scored on the same rows
(the customers both kept, their parsed raw values standardised once): the within-cluster
sum of squares, so a faster or slower side cannot hide a worse clustering.

Prints a table and writes it as Markdown (``results.md``) and JSON (``results.json``) to
the data dir. Times and memory are medians over the repeats; the JSON has every run.

Every build sees the same project, vars and profile: ``customers_path`` is a link in the
data dir pointed at each size's file in turn, and the DuckDB file and target folder keep
one path. So, as in a working project where the file is refreshed and the build runs
again, each timed build starts from dbt's saved parse (``partial_parse.msgpack``); one
untimed ``dbt parse`` per size makes sure of it. A full parse, paid once after the
project or its vars change, adds several seconds that no timed run includes.

After each build it times the dbt floor: a generated project with as many models and
tests as the build ran, each doing no work, built with the same profile. That is what dbt
itself costs a build of this size of graph here, whatever the SQL; the table sets it against
the notebook too. Beside it, each size's model chain: the on-run-start hooks plus the
slowest chain of models that wait on each other, from the timed build's own node times and
dependencies (the critical path of the models as they ran).

    .venv/bin/python bench/notebook_vs_project.py --sizes 100000 1000000 --repeat 2
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import duckdb

from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID
from customer_segmentation.sample_data import write_customer_file_in_chunks

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
DEFAULT_DATA_DIR = BENCH_DIR / "data"
PYTHON = Path(sys.executable)
DBT = PYTHON.with_name("dbt")
MEASURE = BENCH_DIR / "measure_process.py"
BASELINE = BENCH_DIR / "baseline_notebook.py"

DEFAULT_SIZES = (100_000, 1_000_000, 10_000_000)
# The files are cached by size and seed; a new seed generates new files.
FILE_SEED = 1
SLOWEST_NODES = 5
# The notebook holds the whole file in pandas: about 3.8 GiB at 10 million rows here, so
# 100 million would need some 40 GiB. Above this size only the project runs.
DEFAULT_BASELINE_MAX_ROWS = 20_000_000
# Lines of a failed run's log shown in the error.
LOG_TAIL_LINES = 40
PACKAGES = ("dbt-core", "dbt-duckdb", "duckdb", "pandas", "scikit-learn", "numpy")
# dbt resource types of the nodes a build runs; hooks are "operation".
RELATION_TYPES = frozenset({"model", "seed", "snapshot"})
TEST_TYPES = frozenset({"test", "unit_test"})
EXPOSURE_TYPE = "exposure"


class RunFailedError(RuntimeError):
    """A measured command exited non-zero; the message carries the end of its log."""


@dataclass(frozen=True)
class ProjectPaths:
    """Where the dbt builds read and write, the same for every size (see the module doc).

    ``customers`` is a link to the file being measured; each build's DuckDB file is kept
    as ``kept_database(rows)`` for scoring once it is done.
    """

    customers: Path
    database: Path
    target: Path

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> ProjectPaths:
        return cls(data_dir / "customers.csv", data_dir / "project.duckdb", data_dir / "target")

    def kept_database(self, rows: int) -> Path:
        return self.database.with_name(f"project_{rows}.duckdb")

    def point_at(self, customers: Path) -> None:
        """Point the customers link at ``customers``."""
        self.customers.unlink(missing_ok=True)
        self.customers.symlink_to(customers.resolve())


def customer_file(data_dir: Path, rows: int) -> tuple[Path, float | None]:
    """The cached file of ``rows`` customers, generated if missing; and the seconds it took.

    Written under a temporary name and renamed when complete, so an interrupted generation
    never leaves a truncated file that a later run would take for the cache.
    """
    path = data_dir / f"customers_{rows}_seed{FILE_SEED}.csv"
    if path.exists():
        return path, None
    partial = path.with_name(path.name + ".partial")
    print(f"generating {rows:,} customers -> {path}", flush=True)
    started = time.perf_counter()
    write_customer_file_in_chunks(partial, n_rows=rows, seed=FILE_SEED)
    partial.replace(path)
    seconds = time.perf_counter() - started
    print(f"generated {rows:,} customers in {seconds:.1f} s", flush=True)
    return path, seconds


def measure(command: list[str], label: str, data_dir: Path, env: dict | None = None) -> dict:
    """Run ``command`` through the measuring wrapper; its output goes to ``logs/<label>.log``."""
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{label}.log"
    result_path = log_dir / f"{label}.measure.json"
    # A result left by an earlier invocation must not pass for this run's.
    result_path.unlink(missing_ok=True)
    with log_path.open("w") as log:
        subprocess.run(
            [str(PYTHON), str(MEASURE), str(result_path), "--", *command],
            cwd=PROJECT_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    result = json.loads(result_path.read_text()) if result_path.exists() else {"returncode": -1}
    if result["returncode"] != 0:
        tail = "".join(log_path.read_text().splitlines(keepends=True)[-LOG_TAIL_LINES:])
        raise RunFailedError(f"{label} failed (log {log_path}):\n{tail}")
    return {"wall_seconds": result["wall_seconds"], "peak_mib": result["peak_mib"]}


def run_baseline(customers: Path, labelled: Path, label: str, data_dir: Path) -> dict:
    """The notebook script, in its own process like the project, so both pay their imports."""
    return measure([str(PYTHON), str(BASELINE), str(customers), str(labelled)], label, data_dir)


def dbt_env(database: Path) -> dict:
    """The environment of every dbt command the bench runs: the project's own profile."""
    return {
        **os.environ,
        "DUCKDB_PATH": str(database),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DBT_PROJECT_DIR": str(PROJECT_DIR),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DO_NOT_TRACK": "1",
    }


def remove_database(database: Path) -> None:
    """Delete a DuckDB file and its write-ahead log, so the next build starts fresh."""
    for stale in (database, database.with_name(database.name + ".wal")):
        stale.unlink(missing_ok=True)


def dbt_command_line(subcommand: str, target: Path, *options: str) -> list[str]:
    """A dbt command writing its artifacts and logs under ``target``, without colours."""
    return [
        str(DBT),
        subcommand,
        "--target-path",
        str(target),
        "--log-path",
        str(target / "logs"),
        "--no-use-colors",
        *options,
    ]


def dbt_command(subcommand: str, dbt_vars: dict, paths: ProjectPaths) -> tuple[list[str], dict]:
    """The dbt command line and environment every build and parse of the project uses.

    The target and log paths in the data dir leave the user's ``target/`` and ``logs/``
    alone.
    """
    options = ("--vars", json.dumps({**dbt_vars, "customers_path": str(paths.customers)}))
    return dbt_command_line(subcommand, paths.target, *options), dbt_env(paths.database)


def parse_project(dbt_vars: dict, paths: ProjectPaths, label: str, data_dir: Path) -> None:
    """An untimed ``dbt parse``, so that the timed builds start from the saved parse."""
    command, env = dbt_command("parse", dbt_vars, paths)
    measure(command, label, data_dir, env)


def run_project(dbt_vars: dict, paths: ProjectPaths, label: str, data_dir: Path) -> dict:
    """A full ``dbt build`` of the linked file into a fresh DuckDB file.

    The fresh file means every run fits the model, as a first build does.
    """
    remove_database(paths.database)
    command, env = dbt_command("build", dbt_vars, paths)
    result = measure(command, label, data_dir, env)
    run_results = paths.target / "run_results.json"
    result["node_seconds"] = node_seconds(run_results)
    result["run_seconds"] = json.loads(run_results.read_text())["elapsed_time"]
    return result


def resource_type(unique_id: str) -> str:
    """ "model", "test", "operation" (a hook)...: the first part of a dbt unique id."""
    return unique_id.split(".", 1)[0]


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
    project_dir = ("--project-dir", str(folder))
    measure(dbt_command_line("parse", target, *project_dir), f"{label}_parse", data_dir, env)
    remove_database(database)
    result = measure(dbt_command_line("build", target, *project_dir), label, data_dir, env)
    run_results = json.loads((target / "run_results.json").read_text())
    return {
        **node_counts,
        **result,
        "seconds_outside_run": result["wall_seconds"] - run_results["elapsed_time"],
        "nodes_done": sum(
            node["status"] in {"success", "pass", "no-op"} for node in run_results["results"]
        ),
    }


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


def clustering_inertias(labelled: Path, database: Path) -> dict:
    """Within-cluster sums of squares of both labellings, on the customers both kept.

    The rows are the customers in both the notebook's labelled file and the project's
    ``customer_segments``, with the notebook's parsed values (the project imputes some),
    standardised once over those rows. Exact duplicates the notebook kept count once; the
    project rejects conflicting ones, so the join drops them. Runs in DuckDB, which keeps
    memory bounded at any size.
    """
    features = list(CLUSTERING_FEATURES)
    standardised = ",\n".join(
        f"({name} - avg({name}) over ()) / coalesce(nullif(stddev_pop({name}) over (), 0), 1)"
        f" as {name}"
        for name in features
    )

    def squares_to_group_means(label: str) -> str:
        return " + ".join(
            f"power({name} - avg({name}) over (partition by {label}), 2)" for name in features
        )

    parsed = ",\n".join(f"cast({name} as double) as {name}" for name in features)
    query = f"""
        with notebook as (
            select {CUSTOMER_ID}, {parsed}, cast(cluster as bigint) as notebook_label
            from read_csv(?, header = true, all_varchar = true)
            qualify row_number() over (partition by {CUSTOMER_ID}) = 1
        ),
        joined as (
            select notebook.*, segments.cluster_id as project_label
            from notebook
            inner join project.main.customer_segments as segments using ({CUSTOMER_ID})
        ),
        standardised as (
            select notebook_label, project_label, {standardised} from joined
        ),
        squares as (
            select
                {squares_to_group_means("notebook_label")} as notebook_square,
                {squares_to_group_means("project_label")} as project_square
            from standardised
        )
        select count(*), sum(notebook_square), sum(project_square) from squares
    """
    with duckdb.connect() as connection:
        quoted_database = str(database).replace("'", "''")
        connection.execute(f"attach '{quoted_database}' as project (read_only)")
        compared, baseline, project = connection.execute(query, [str(labelled)]).fetchone()
    return {
        "customers_compared": compared,
        "inertia_baseline": baseline,
        "inertia_project": project,
        "inertia_ratio": project / baseline,
    }


def bench_size(
    rows: int, repeat: int, dbt_vars: dict, data_dir: Path, run_notebook: bool = True
) -> dict:
    """Generate or reuse the file of ``rows`` customers, run both sides alternately, score.

    Each project build is followed by a dbt floor build of the same node count.
    Without ``run_notebook`` only the project and its floor run: the figures that compare
    with the notebook (its time and memory, the ratios, the inertias) are left out.
    """
    customers, generation_seconds = customer_file(data_dir, rows)
    labelled = data_dir / f"baseline_{rows}.csv"
    paths = ProjectPaths.in_data_dir(data_dir)
    paths.point_at(customers)
    parse_project(dbt_vars, paths, f"project_{rows}_parse", data_dir)
    baseline_runs, project_runs, floor_runs = [], [], []
    for attempt in range(1, repeat + 1):
        label = f"{rows}_run{attempt}"
        if run_notebook:
            baseline_runs.append(run_baseline(customers, labelled, f"baseline_{label}", data_dir))
            print(
                f"{rows:>12,} rows  baseline run {attempt}: {summary(baseline_runs[-1])}",
                flush=True,
            )
        project_runs.append(run_project(dbt_vars, paths, f"project_{label}", data_dir))
        print(f"{rows:>12,} rows  project  run {attempt}: {summary(project_runs[-1])}", flush=True)
        node_counts = build_node_counts(project_runs[-1]["node_seconds"])
        floor_runs.append(run_dbt_floor(node_counts, f"dbt_floor_{label}", data_dir))
        print(f"{rows:>12,} rows  dbt floor run {attempt}: {summary(floor_runs[-1])}", flush=True)
    # The database with its write-ahead log, if any; never an older run's log beside it.
    kept = paths.kept_database(rows)
    for suffix in ("", ".wal"):
        built = paths.database.with_name(paths.database.name + suffix)
        kept_file = kept.with_name(kept.name + suffix)
        if built.exists():
            built.replace(kept_file)
        else:
            kept_file.unlink(missing_ok=True)
    median_nodes = {
        name: statistics.median(run["node_seconds"][name] for run in project_runs)
        for name in project_runs[-1]["node_seconds"]
    }
    slowest = sorted(median_nodes.items(), key=lambda item: -item[1])[:SLOWEST_NODES]
    project_wall = statistics.median(run["wall_seconds"] for run in project_runs)
    floor_wall = statistics.median(run["wall_seconds"] for run in floor_runs)
    notebook_figures: dict = {
        "baseline_wall_seconds": None,
        "baseline_peak_mib": None,
        "wall_ratio": None,
        "floor_ratio": None,
        "inertia_baseline": None,
        "inertia_project": None,
        "inertia_ratio": None,
    }
    if run_notebook:
        baseline_wall = statistics.median(run["wall_seconds"] for run in baseline_runs)
        notebook_figures = {
            "baseline_wall_seconds": baseline_wall,
            "baseline_peak_mib": statistics.median(run["peak_mib"] for run in baseline_runs),
            "wall_ratio": project_wall / baseline_wall,
            "floor_ratio": floor_wall / baseline_wall,
            **clustering_inertias(labelled, paths.kept_database(rows)),
        }
    return {
        "rows": rows,
        "customer_file": str(customers),
        "customer_file_bytes": customers.stat().st_size,
        "generation_seconds": generation_seconds,
        "project_wall_seconds": project_wall,
        "project_peak_mib": statistics.median(run["peak_mib"] for run in project_runs),
        **notebook_figures,
        # Summed over both threads, so it can exceed the wall time.
        "project_node_seconds_total": sum(median_nodes.values()),
        # dbt starting and parsing before its run phase, and writing artifacts after it.
        "project_seconds_outside_run": project_wall
        - statistics.median(run["run_seconds"] for run in project_runs),
        "slowest_nodes": [
            {"node": node_label(unique_id), "unique_id": unique_id, "seconds": seconds}
            for unique_id, seconds in slowest
        ],
        "project_model_chain": model_chain(
            median_nodes, json.loads((paths.target / "manifest.json").read_text())
        ),
        "dbt_floor": {
            **node_counts,
            "wall_seconds": floor_wall,
            "peak_mib": statistics.median(run["peak_mib"] for run in floor_runs),
            "seconds_outside_run": statistics.median(
                run["seconds_outside_run"] for run in floor_runs
            ),
        },
        "baseline_runs": baseline_runs,
        "project_runs": project_runs,
        "floor_runs": floor_runs,
    }


def summary(run: dict) -> str:
    """One run's figures for the progress lines, so a long benchmark shows it is alive."""
    return f"{run['wall_seconds']:8.1f} s {run['peak_mib']:8.0f} MiB"


HEADERS = (
    "rows",
    "baseline wall s",
    "baseline peak MiB",
    "project wall s",
    "project peak MiB",
    "wall ratio project/baseline",
    "dbt floor s",
    "dbt floor/baseline",
    "model chain s",
    "inertia baseline",
    "inertia project",
    "inertia ratio project/baseline",
    "project's slowest nodes (s)",
)


def table_cells(result: dict) -> list[str]:
    """One size's row, formatted once for both the plain and the Markdown table.

    A figure the run did not produce (the notebook's, above ``--baseline-max-rows``) is "-".
    """

    def cell(name: str, spec: str) -> str:
        value = result[name]
        return "-" if value is None else format(value, spec)

    slowest = ", ".join(f"{node['node']} {node['seconds']:.1f}" for node in result["slowest_nodes"])
    return [
        f"{result['rows']:,}",
        cell("baseline_wall_seconds", ".1f"),
        cell("baseline_peak_mib", ".0f"),
        cell("project_wall_seconds", ".1f"),
        cell("project_peak_mib", ".0f"),
        cell("wall_ratio", ".2f"),
        f"{result['dbt_floor']['wall_seconds']:.1f}",
        cell("floor_ratio", ".2f"),
        f"{result['project_model_chain']['seconds']:.1f}",
        cell("inertia_baseline", ",.0f"),
        cell("inertia_project", ",.0f"),
        cell("inertia_ratio", ".3f"),
        slowest,
    ]


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
    """The same table for results.md, ready to paste into the README or an issue."""
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
        " project's profile: what dbt itself costs a graph of that"
        ' size here. "dbt floor/baseline" is that time over the notebook\'s.\n'
        '"model chain s": the on-run-start hooks plus the slowest chain of models that wait'
        " on each other, with the times they took in this build: the critical path of the"
        " models. Tests and the pauses between nodes come on top."
    )


def write_results(results: list[dict], facts: dict, data_dir: Path) -> None:
    (data_dir / "results.json").write_text(json.dumps({**facts, "sizes": results}, indent=2) + "\n")
    (data_dir / "results.md").write_text(
        f"Notebook baseline against `dbt build`, medians of {facts['repeat']} run(s) each, "
        f"{facts['cpu_count']} CPUs, {facts['platform']}.\n\n{markdown_table(results)}\n\n"
        f"{table_notes(results)}\n"
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), help="rows per file"
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs of each side per size")
    parser.add_argument(
        "--baseline-max-rows",
        type=int,
        default=DEFAULT_BASELINE_MAX_ROWS,
        help="largest file the notebook runs on; above it only the project runs",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="cache and results folder"
    )
    parser.add_argument(
        "--dbt-vars",
        type=json.loads,
        default={},
        help="JSON of extra project vars for every build (customers_path is always the link"
        " to the file being measured)",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or min(args.sizes) < 1:
        parser.error("--repeat and every size must be at least 1")
    data_dir = args.data_dir.resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    facts = environment_facts(args.repeat, args.dbt_vars)
    results: list[dict] = []
    for rows in args.sizes:
        run_notebook = rows <= args.baseline_max_rows
        if not run_notebook:
            print(f"{rows:,} rows: above --baseline-max-rows, only the project runs", flush=True)
        results.append(bench_size(rows, args.repeat, args.dbt_vars, data_dir, run_notebook))
        # Written after every size, so a long run that fails late keeps what it measured.
        write_results(results, facts, data_dir)
    print()
    print(plain_table(results))
    print()
    print(table_notes(results))
    print(f"\nwritten to {data_dir / 'results.md'} and {data_dir / 'results.json'}")


if __name__ == "__main__":
    try:
        main()
    except RunFailedError as error:
        sys.exit(str(error))
