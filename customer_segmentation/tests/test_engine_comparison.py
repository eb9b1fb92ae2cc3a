"""The engine comparison of ``make spark`` finds what differs, and only that.

``make spark`` itself (which ``make test`` runs) proves the engines agree; these tests prove it
would say so if they did not: Spark's tables are stood in for by DuckDB's own marts written as
Parquet in the warehouse layout, then changed one value at a time.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.engine_comparison import (
    MART_CHECKS,
    compare_engines,
    compare_mart,
    spark_table_path,
)

SEGMENTS = next(check for check in MART_CHECKS if check.name == "customer_segments")


@pytest.fixture(scope="module")
def mirrored_warehouse(sample_build, tmp_path_factory) -> Path:
    """The sample build's marts as Parquet folders where Spark would write them."""
    warehouse = tmp_path_factory.mktemp("warehouse")
    with sample_build.connect() as connection:
        for check in MART_CHECKS:
            folder = spark_table_path(warehouse, check.name)
            folder.mkdir(parents=True)
            connection.execute(
                f"copy main.{check.name} to '{folder / 'part-0.parquet'}' (format parquet)"
            )
    return warehouse


def test_a_build_agrees_with_its_own_parquet(sample_build, mirrored_warehouse) -> None:
    comparisons = compare_engines(sample_build.duckdb_path, mirrored_warehouse)
    assert [c.name for c in comparisons] == [check.name for check in MART_CHECKS]
    assert all(c.agrees for c in comparisons), [c.differences for c in comparisons]
    assert all(c.rows[0] == c.rows[1] > 0 for c in comparisons)


def test_another_persona_for_one_customer_is_a_difference(sample_build) -> None:
    with sample_build.connect() as connection:
        duckdb_rows = connection.execute("select * from main.customer_segments").df()
    spark_rows = duckdb_rows.copy()
    first_persona = spark_rows.loc[0, "persona_name"]
    other = next(p for p in spark_rows["persona_name"].dropna().unique() if p != first_persona)
    spark_rows.loc[0, "persona_name"] = other
    comparison = compare_mart(SEGMENTS, duckdb_rows, spark_rows)
    assert not comparison.agrees
    assert comparison.differences == [
        f"row customer_id={duckdb_rows.loc[0, 'customer_id']}: persona_name "
        f"{first_persona!r} on DuckDB, {other!r} on Spark"
    ]


def test_rounding_is_not_a_difference_but_a_changed_figure_is() -> None:
    duckdb_rows = pd.DataFrame({"customer_id": ["a"], "distance_to_centroid": [1.0]})
    rounded = duckdb_rows.assign(distance_to_centroid=1.0 + 1e-12)
    changed = duckdb_rows.assign(distance_to_centroid=1.001)
    assert compare_mart(SEGMENTS, duckdb_rows, rounded).agrees
    assert not compare_mart(SEGMENTS, duckdb_rows, changed).agrees


def test_missing_rows_and_columns_are_differences() -> None:
    duckdb_rows = pd.DataFrame({"customer_id": ["a", "b"], "persona_name": ["x", "y"]})
    spark_rows = pd.DataFrame({"customer_id": ["a"], "persona_name": ["x"], "extra": [1]})
    assert compare_mart(SEGMENTS, duckdb_rows, spark_rows).differences == [
        "column extra only on Spark",
        "row customer_id=b only on DuckDB",
    ]


def test_a_different_reject_count_is_named(sample_build, mirrored_warehouse, tmp_path) -> None:
    warehouse = tmp_path / "warehouse"
    for check in MART_CHECKS:
        source = spark_table_path(mirrored_warehouse, check.name)
        target = spark_table_path(warehouse, check.name)
        target.mkdir(parents=True)
        rows = pd.read_parquet(source)
        if check.name == "customers_rejected":
            rows = rows.iloc[1:]
        rows.to_parquet(target / "part-0.parquet")
    rejected = next(
        c
        for c in compare_engines(sample_build.duckdb_path, warehouse)
        if c.name == "customers_rejected"
    )
    assert not rejected.agrees
    assert rejected.differences[-1].startswith("rejects by reason: ")


def test_the_same_instant_with_and_without_a_zone_agrees_but_another_does_not() -> None:
    runs = next(check for check in MART_CHECKS if check.name == "segmentation_runs")
    duckdb_rows = pd.DataFrame(
        {
            "model_version": [1],
            "customers_file_modified_at": [pd.Timestamp("2026-11-30 01:35", tz="UTC")],
        }
    )
    same = pd.DataFrame(
        {"model_version": [1], "customers_file_modified_at": [pd.Timestamp("2026-11-30 01:35")]}
    )
    later = same.assign(customers_file_modified_at=pd.Timestamp("2026-11-30 02:35"))
    assert compare_mart(runs, duckdb_rows, same).agrees
    assert not compare_mart(runs, duckdb_rows, later).agrees
