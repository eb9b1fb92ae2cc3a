"""End-to-end checks of ``dbt build`` on the shipped sample and on other customer files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from customer_segmentation.features import PERSONA_NAMES
from customer_segmentation.sample_data import write_customer_file
from customer_segmentation.tests.dbt_runner import (
    SAMPLE_PATH,
    SAMPLE_TRUTH_PATH,
    DbtRun,
    assert_succeeded,
    run_dbt,
)

MIN_PERSONA_AGREEMENT = 0.90


def file_row_count(path: Path) -> int:
    """Data rows of a CSV as DuckDB reads it, independent of the project's models."""
    query = "select count(*) from read_csv(?, header = true, all_varchar = true)"
    return duckdb.execute(query, [str(path)]).fetchone()[0]


def outcome_counts(run: DbtRun) -> dict[str, int]:
    with run.connect() as connection:
        return {
            "clean": connection.execute("select count(*) from customer_segments").fetchone()[0],
            "rejected": connection.execute("select count(*) from customers_rejected").fetchone()[0],
            "duplicate": connection.execute(
                "select count(*) from int_customers_validated where row_status = 'duplicate'"
            ).fetchone()[0],
        }


def test_personas_agree_with_the_generators_truth(sample_build: DbtRun) -> None:
    truth = pd.read_csv(SAMPLE_TRUTH_PATH, dtype=str)
    with sample_build.connect() as connection:
        segments = connection.sql("select customer_id, persona_name from customer_segments").df()
    joined = segments.merge(truth, on="customer_id", how="left", validate="one_to_one")
    assert joined["true_persona"].notna().all(), "every clean customer is in the truth file"
    agreement = (joined["persona_name"] == joined["true_persona"]).mean()
    print(f"persona agreement with truth: {agreement:.2%} of {len(joined)} clean customers")
    assert agreement >= MIN_PERSONA_AGREEMENT


def test_every_source_row_is_clean_rejected_or_a_collapsed_duplicate(
    sample_build: DbtRun,
) -> None:
    counts = outcome_counts(sample_build)
    rows_in = file_row_count(SAMPLE_PATH)
    with sample_build.connect() as connection:
        reasons = connection.sql(
            "select reject_reason, count(*) from customers_rejected group by all order by all"
        ).fetchall()
    print(f"rows in {rows_in} = {counts}; reject reasons {reasons}")
    assert rows_in == counts["clean"] + counts["rejected"] + counts["duplicate"]
    # The sample carries every kind of damage the generator makes: all three outcomes occur.
    assert min(counts.values()) > 0
    assert sum(count for _, count in reasons) == counts["rejected"]


def test_marts_hold_the_four_personas_with_strategies(sample_build: DbtRun) -> None:
    with sample_build.connect() as connection:
        profiles = connection.sql("select * from segment_profiles order by cluster_id").df()
        # The strategy is per segment: every customer's segment has one to join.
        missing_strategy = connection.execute(
            "select count(*) from customer_segments left join segment_profiles using (cluster_id)"
            " where segment_profiles.strategy_headline is null"
        ).fetchone()[0]
    assert sorted(profiles["persona_name"]) == sorted(PERSONA_NAMES)
    assert profiles["cluster_id"].tolist() == profiles["persona_id"].tolist() == [1, 2, 3, 4]
    assert profiles["strategy_headline"].notna().all()
    assert profiles["distinctive_features"].str.count(" sd").eq(3).all()
    assert missing_strategy == 0


def test_a_second_build_gives_identical_segments(sample_build: DbtRun, tmp_path: Path) -> None:
    rebuild = run_dbt(["build"], tmp_path)
    assert_succeeded(rebuild)
    query = "select customer_id, cluster_id, persona_name from customer_segments order by 1"
    with sample_build.connect() as first, rebuild.connect() as second:
        pd.testing.assert_frame_equal(first.sql(query).df(), second.sql(query).df())


def test_row_conservation_test_fails_when_a_row_goes_missing(
    sample_build: DbtRun, tmp_path: Path
) -> None:
    tampered = tmp_path / "tampered.duckdb"
    shutil.copy(sample_build.duckdb_path, tampered)
    with duckdb.connect(str(tampered)) as connection:
        connection.execute(
            "delete from customers_rejected where source_row_number = "
            "(select min(source_row_number) from customers_rejected)"
        )
    run = run_dbt(
        ["test", "--select", "assert_every_source_row_is_accounted_for"],
        tmp_path,
        duckdb_path=tampered,
    )
    assert run.returncode != 0
    assert "assert_every_source_row_is_accounted_for" in run.output
    assert "Got 1 result" in run.output


def test_customers_path_points_the_project_at_another_file(tmp_path: Path) -> None:
    other_file = tmp_path / "other customers.csv"
    write_customer_file(other_file, None, n_rows=1200, seed=7)
    run = run_dbt(["build"], tmp_path, {"customers_path": str(other_file)})
    assert_succeeded(run)
    counts = outcome_counts(run)
    assert file_row_count(other_file) == sum(counts.values())
    with run.connect() as connection:
        personas = connection.sql("select distinct persona_name from customer_segments").fetchall()
    assert sorted(name for (name,) in personas) == sorted(PERSONA_NAMES)


@pytest.mark.parametrize("n_clusters", [3, 5])
def test_other_cluster_counts_describe_extra_segments(tmp_path: Path, n_clusters: int) -> None:
    small_file = tmp_path / "customers.csv"
    write_customer_file(small_file, None, n_rows=600, seed=11, dirty_share=0)
    run = run_dbt(
        ["build"], tmp_path, {"customers_path": str(small_file), "n_clusters": n_clusters}
    )
    assert_succeeded(run)
    with run.connect() as connection:
        segments = connection.sql(
            "select cluster_id, persona_name, segment_name, unnamed_reason"
            " from segment_profiles order by cluster_id"
        ).df()
    assert len(segments) == n_clusters
    named = segments[segments["persona_name"].isin(PERSONA_NAMES)]
    assert len(named) == min(n_clusters, len(PERSONA_NAMES))
    extra = segments[~segments["persona_name"].isin(PERSONA_NAMES)]
    assert extra["cluster_id"].tolist() == list(range(5, n_clusters + 1))
    assert (extra["persona_name"] == extra["segment_name"]).all()
    for cluster_id, name in zip(extra["cluster_id"], extra["persona_name"], strict=True):
        assert name.startswith(f"Segment {cluster_id}: ")
    assert set(extra["unnamed_reason"]) <= {"more_clusters_than_personas"}


def test_a_users_required_features_never_break_the_projects_own_tests(tmp_path: Path) -> None:
    # Every unit test pins the vars it depends on: the full build, unit tests included, passes
    # with the required_features a file without spending scores needs.
    run = run_dbt(
        ["build"], tmp_path, {"required_features": ["annual_income", "total_purchase_amount"]}
    )
    assert_succeeded(run)
    results = json.loads((run.target_path / "run_results.json").read_text())["results"]
    unit_tests = [result for result in results if result["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 7
    assert {result["status"] for result in unit_tests} == {"pass"}
