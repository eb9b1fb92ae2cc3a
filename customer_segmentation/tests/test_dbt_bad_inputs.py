"""Whole-file problems and bad vars stop the build with a message that names the fix."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.sample_data import generate_customer_file
from customer_segmentation.tests.dbt_runner import assert_succeeded, run_dbt

# The cheapest command that still runs the on-run-start checks and the validation post-hook:
# seeds and models up to validation, without their data tests.
VALIDATE_ONLY = [
    "build",
    "--select",
    "+int_customers_validated",
    "--exclude-resource-type",
    "test",
    "unit_test",
]


def write_rows(path: Path, rows: pd.DataFrame) -> Path:
    rows.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def clean_rows() -> pd.DataFrame:
    file_rows, _ = generate_customer_file(n_rows=200, seed=5, dirty_share=0)
    return file_rows


def test_rejected_share_above_the_limit_stops_before_clustering(
    tmp_path: Path, clean_rows: pd.DataFrame
) -> None:
    rows = clean_rows.copy()
    rows.loc[:59, "age"] = "150"  # 60 of 200 rows = 30% rejected
    path = write_rows(tmp_path / "mostly_bad.csv", rows)
    run = run_dbt(VALIDATE_ONLY, tmp_path, {"customers_path": str(path)})
    assert run.returncode != 0
    assert "Rejected 60 of 200 rows" in run.output
    assert "(30.0%), above max_rejected_share = 0.2" in run.output
    assert "age_out_of_range: 60" in run.output

    relaxed = run_dbt(
        VALIDATE_ONLY, tmp_path, {"customers_path": str(path), "max_rejected_share": 0.5}
    )
    assert_succeeded(relaxed)


def test_missing_required_column_names_it_and_the_mapping_var(
    tmp_path: Path, clean_rows: pd.DataFrame
) -> None:
    path = write_rows(tmp_path / "no_score.csv", clean_rows.drop(columns=["spending_score"]))
    run = run_dbt(VALIDATE_ONLY, tmp_path, {"customers_path": str(path)})
    assert run.returncode != 0
    assert "lacks required column(s): spending_score (looked for header 'spending_score')" in (
        run.output
    )
    assert "customer_columns" in run.output


def test_renamed_headers_are_matched_through_customer_columns(
    tmp_path: Path, clean_rows: pd.DataFrame
) -> None:
    renamed = clean_rows.rename(
        columns={"annual_income": " Annual Income (k$) ", "spending_score": "SPENDING SCORE"}
    )
    renamed["store_region"] = "north"
    path = write_rows(tmp_path / "renamed.csv", renamed)
    mapping = {"annual_income": "annual income (k$)", "spending_score": "Spending Score"}
    run = run_dbt(
        VALIDATE_ONLY, tmp_path, {"customers_path": str(path), "customer_columns": mapping}
    )
    assert_succeeded(run)
    assert "ignoring columns not in the canonical set: store_region" in run.output
    with run.connect() as connection:
        clean = connection.execute(
            "select count(*) from int_customers_validated where row_status = 'clean'"
        ).fetchone()[0]
    assert clean == len(clean_rows)


def test_missing_file_says_which_var_to_set(tmp_path: Path) -> None:
    run = run_dbt(VALIDATE_ONLY, tmp_path, {"customers_path": str(tmp_path / "nope.csv")})
    assert run.returncode != 0
    assert "Customer file not found" in run.output
    assert "customers_path" in run.output


def test_path_with_quote_and_semicolon_is_read_as_a_path(
    tmp_path: Path, clean_rows: pd.DataFrame
) -> None:
    path = write_rows(tmp_path / "o'brien; drop table x.csv", clean_rows)
    run = run_dbt(VALIDATE_ONLY, tmp_path, {"customers_path": str(path)})
    assert_succeeded(run)


def test_invalid_vars_are_refused_together_with_the_allowed_values(tmp_path: Path) -> None:
    bad_vars = {
        "n_clusters": 1,
        "kmeans_n_init": "four",
        "valid_age_range": [100, 18],
        "valid_spending_score_range": [1],
        "max_rejected_share": 2,
        "clustering_features": ["age", "shoe_size"],
        "customer_columns": {"income": "Income"},
        "min_retention_months": "zero",
    }
    run = run_dbt(["run", "--select", "stg_crm__customers"], tmp_path, bad_vars)
    assert run.returncode != 0
    assert "Invalid dbt vars" in run.output
    for message in [
        "n_clusters = 1: must be an integer from 2 to 12",
        "kmeans_n_init = four: must be an integer from 1 to 100",
        "valid_age_range = [100, 18]: min must not exceed max",
        "valid_spending_score_range = [1]: must be [min, max], two numbers",
        "max_rejected_share = 2: must be a number from 0 to 1",
        "clustering_features has unknown feature 'shoe_size'",
        "customer_columns has unknown key 'income'",
        "min_retention_months = zero: must be a number",
    ]:
        assert message in run.output
