"""The semantic layer validates with MetricFlow and its metrics agree with the marts.

``mf`` runs as a user runs it, as a command. It always reads
``<project dir>/target/semantic_manifest.json``, so each test gives it a project directory of
its own: the project's ``dbt_project.yml`` beside the semantic manifest of the test build.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from customer_segmentation.tests.dbt_runner import PROJECT_DIR, DbtRun

MF = Path(sys.executable).with_name("mf")
CUSTOMER_METRICS = (
    "customers",
    "revenue",
    "average_purchase",
    "revenue_per_customer",
    "share_of_customers",
)
PERSONA_METRICS = (
    "high_value_loyal_customers",
    "young_trend_driven_customers",
    "premium_low_engagement_customers",
    "new_low_spend_customers",
)


@pytest.fixture
def mf_project(sample_build: DbtRun, tmp_path: Path) -> Path:
    project = tmp_path / "project"
    (project / "target").mkdir(parents=True)
    shutil.copy(PROJECT_DIR / "dbt_project.yml", project / "dbt_project.yml")
    shutil.copy(
        sample_build.target_path / "semantic_manifest.json",
        project / "target" / "semantic_manifest.json",
    )
    return project


def run_mf(project: Path, sample_build: DbtRun, *args: str) -> str:
    environment = {
        **os.environ,
        "DBT_PROJECT_DIR": str(project),
        "DBT_PROFILES_DIR": str(PROJECT_DIR),
        "DUCKDB_PATH": str(sample_build.duckdb_path),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    completed = subprocess.run(
        [str(MF), *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    # mf reports some failures on stdout with a zero exit code, as "ERROR: <message>".
    assert "ERROR:" not in output, output
    return output


def query_metrics(
    mf_project: Path, sample_build: DbtRun, metrics: tuple[str, ...], *group_by: str
) -> list[dict[str, str]]:
    result_path = mf_project / "result.csv"
    arguments = ["query", "--metrics", ",".join(metrics), "--csv", str(result_path)]
    if group_by:
        arguments += ["--group-by", ",".join(group_by)]
    run_mf(mf_project, sample_build, *arguments)
    with result_path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_semantic_configs_validate_against_the_warehouse(
    mf_project: Path, sample_build: DbtRun
) -> None:
    output = run_mf(mf_project, sample_build, "validate-configs")
    # One line per stage: parse, semantics, then five checks against the warehouse.
    assert output.count("(ERRORS: 0, FUTURE_ERRORS: 0, WARNINGS: 0)") == 6, output


def test_metrics_by_persona_match_segment_profiles(mf_project: Path, sample_build: DbtRun) -> None:
    rows = query_metrics(mf_project, sample_build, CUSTOMER_METRICS, "customer__persona_name")
    with sample_build.connect() as connection:
        profiles = {
            persona: (customers, revenue, share)
            for persona, customers, revenue, share in connection.execute(
                "select persona_name, customer_count, revenue, customer_share from segment_profiles"
            ).fetchall()
        }
    assert {row["customer__persona_name"] for row in rows} == set(profiles)
    for row in rows:
        customers, revenue, share = profiles[row["customer__persona_name"]]
        assert int(row["customers"]) == customers
        assert float(row["revenue"]) == pytest.approx(float(revenue))
        assert float(row["share_of_customers"]) == pytest.approx(share)
        assert float(row["revenue_per_customer"]) == pytest.approx(float(revenue) / customers)
        assert float(row["average_purchase"]) == pytest.approx(float(row["revenue_per_customer"]))


def test_share_of_customers_keeps_the_whole_base_as_denominator(
    mf_project: Path, sample_build: DbtRun
) -> None:
    rows = query_metrics(
        mf_project, sample_build, ("customers", "share_of_customers"), "customer__gender"
    )
    total_customers = sum(int(row["customers"]) for row in rows)
    assert sum(float(row["share_of_customers"]) for row in rows) == pytest.approx(1.0)
    for row in rows:
        assert float(row["share_of_customers"]) == pytest.approx(
            int(row["customers"]) / total_customers
        )


def test_each_persona_metric_counts_its_persona(mf_project: Path, sample_build: DbtRun) -> None:
    (row,) = query_metrics(mf_project, sample_build, PERSONA_METRICS)
    with sample_build.connect() as connection:
        counts = dict(
            connection.execute(
                "select persona_slug, customer_count from segment_profiles"
            ).fetchall()
        )
    assert {metric: int(row[metric]) for metric in PERSONA_METRICS} == {
        "high_value_loyal_customers": counts["high_value_loyal"],
        "young_trend_driven_customers": counts["young_trend_driven"],
        "premium_low_engagement_customers": counts["premium_low_engagement"],
        "new_low_spend_customers": counts["new_low_spend"],
    }
