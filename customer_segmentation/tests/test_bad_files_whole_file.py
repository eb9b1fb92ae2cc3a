"""Bad-input catalogue, whole-file rows: each stops the build with a message naming the fix,
or, where a var fits the file, builds once the var is set.

The catalogue number of each case is in the test name (``catalogue_NN``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.export import export_table
from customer_segmentation.tests.bad_files import (
    BUILD_TO_CLUSTERING_INPUT,
    BUILD_TO_VALIDATION,
    clean_rows,
    write_csv,
)
from customer_segmentation.tests.dbt_runner import DbtRun, assert_succeeded, run_dbt


@pytest.fixture(scope="module")
def rows() -> pd.DataFrame:
    return clean_rows()


def assert_stopped_with(run: DbtRun, *fragments: str) -> None:
    assert run.returncode != 0, "the build should have stopped"
    for fragment in fragments:
        assert fragment in run.output, f"missing {fragment!r} in:\n{run.output[-3000:]}"


def clean_count(run: DbtRun) -> int:
    with run.connect() as connection:
        return connection.execute(
            "select count(*) from int_customers_validated where row_status = 'clean'"
        ).fetchone()[0]


def test_catalogue_02_latin1_file_names_the_encoding_var(tmp_path: Path, rows) -> None:
    rows = rows.copy()
    rows.loc[0, "gender"] = "Féminin"
    path = write_csv(tmp_path / "latin1.csv", rows, encoding="latin-1")
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(run, "is not valid utf-8", "first on line 2", '"csv_encoding": "latin-1"')

    fixed = run_dbt(
        BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path), "csv_encoding": "latin-1"}
    )
    assert_succeeded(fixed)
    assert clean_count(fixed) == len(rows)


def test_catalogue_02_utf16_file_names_the_encoding_var(tmp_path: Path, rows) -> None:
    path = write_csv(tmp_path / "utf16.csv", rows, encoding="utf-16")
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(run, "looks UTF-16 encoded", '"csv_encoding": "utf-16"')

    fixed = run_dbt(
        BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path), "csv_encoding": "utf-16"}
    )
    assert_succeeded(fixed)
    assert clean_count(fixed) == len(rows)


def test_catalogue_03_wrong_delimiter_suggests_the_delimiter_var(tmp_path: Path, rows) -> None:
    european = rows.copy()
    european["total_purchase_amount"] = european["total_purchase_amount"].str.replace(".", ",")
    path = write_csv(tmp_path / "semicolons.csv", european, delimiter=";")
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(
        run,
        "lacks required column(s)",
        "not ','-separated but ';'-separated",
        '"csv_delimiter": ";"',
    )

    fixed = run_dbt(
        BUILD_TO_VALIDATION,
        tmp_path,
        {"customers_path": str(path), "csv_delimiter": ";", "decimal_separator": ","},
    )
    assert_succeeded(fixed)
    assert clean_count(fixed) == len(rows)
    with fixed.connect() as connection:
        total = connection.execute(
            "select sum(total_purchase_amount) from int_customers_validated"
        ).fetchone()[0]
    assert float(total) == pytest.approx(rows["total_purchase_amount"].astype(float).sum())


def test_catalogue_04_many_ragged_rows_stop_the_build(tmp_path: Path, rows) -> None:
    ragged = [f"9{i:05d},Female,30,50000,50,1000,50,12,surplus" for i in range(60)]
    path = write_csv(tmp_path / "ragged.csv", rows, extra_lines=ragged)
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(run, "Rejected 60 of 260 rows", "malformed_row: 60")


def test_catalogue_08_score_column_on_a_0_to_1_scale_stops(tmp_path: Path, rows) -> None:
    rescaled = rows.copy()
    rescaled["spending_score"] = (rescaled["spending_score"].astype(float) / 100).map(str)
    path = write_csv(tmp_path / "scale.csv", rescaled)
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(
        run,
        "every spending_score lies between 0 and 1",
        "at least 1 and at most 100",
        "valid_spending_score_range",
    )


def test_catalogue_15_missing_required_column_names_it(tmp_path: Path, rows) -> None:
    path = write_csv(tmp_path / "no_score.csv", rows.drop(columns=["spending_score"]))
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(
        run,
        "lacks required column(s): spending_score (looked for header 'spending_score')",
        "Required: customer_id, annual_income, spending_score",
        "customer_columns",
    )


def test_catalogue_15_missing_required_feature_gives_the_override_that_builds(
    tmp_path: Path, rows
) -> None:
    path = write_csv(
        tmp_path / "two_features.csv", rows[["customer_id", "annual_income", "retention_months"]]
    )
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    override = '--vars \'{"required_features": ["annual_income", "retention_months"]}\''
    assert_stopped_with(
        run,
        "The file has the clustering feature(s) annual_income, retention_months but not"
        " spending_score.",
        override,
        "(in a vars file: required_features: [annual_income, retention_months])",
    )
    fixed = run_dbt(
        BUILD_TO_VALIDATION,
        tmp_path,
        {"customers_path": str(path), "required_features": ["annual_income", "retention_months"]},
    )
    assert_succeeded(fixed)
    assert clean_count(fixed) == len(rows)


def test_missing_customer_id_suggests_numbering_the_records(tmp_path: Path, rows) -> None:
    path = write_csv(tmp_path / "no_id.csv", rows.drop(columns=["customer_id"]))
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(
        run,
        "lacks required column(s): customer_id",
        '--vars \'{"customer_columns": {"customer_id": {"row_number": true}}}\'',
        "not stable across files",
    )
    fixed = run_dbt(
        BUILD_TO_VALIDATION,
        tmp_path,
        {"customers_path": str(path), "customer_columns": {"customer_id": {"row_number": True}}},
    )
    assert_succeeded(fixed)
    with fixed.connect() as connection:
        ids = connection.execute(
            "select count(*), count(*) filter (where customer_id = source_row_number::varchar)"
            " from int_customers_validated where row_status = 'clean'"
        ).fetchone()
    assert ids == (len(rows), len(rows))


def test_catalogue_18_empty_file_stops(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(run, "is empty: it has no header row")


def test_catalogue_18_header_only_file_stops(tmp_path: Path, rows) -> None:
    path = write_csv(tmp_path / "header_only.csv", rows.head(0))
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(run, "has a header but no data rows")


def test_catalogue_19_fewer_rows_than_clusters_stops(tmp_path: Path, rows) -> None:
    path = write_csv(tmp_path / "three.csv", rows.head(3))
    run = run_dbt(BUILD_TO_CLUSTERING_INPUT, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(
        run,
        "only 3 clean customer(s) for n_clusters = 4",
        "row_status 'rejected' in int_customers_validated",
        f"DUCKDB_PATH={run.duckdb_path} make export TABLE=int_customers_validated",
        "lower n_clusters",
    )


def test_catalogue_20_fewer_distinct_points_than_clusters_stops(tmp_path: Path, rows) -> None:
    copies = pd.concat([rows.head(3)] * 4, ignore_index=True)
    copies["customer_id"] = [f"c{i}" for i in range(len(copies))]
    path = write_csv(tmp_path / "three_profiles.csv", copies)
    run = run_dbt(BUILD_TO_CLUSTERING_INPUT, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(
        run, "the 12 clean customers have only 3 distinct profile(s)", "fewer than n_clusters = 4"
    )


def test_catalogue_21_and_22_unusable_optional_features_are_left_out(tmp_path: Path, rows) -> None:
    thin = rows.copy()
    thin["engagement_score"] = "50"  # constant
    thin["retention_months"] = ""  # all missing
    path = write_csv(tmp_path / "thin.csv", thin)
    run = run_dbt(BUILD_TO_CLUSTERING_INPUT, tmp_path, {"customers_path": str(path)})
    assert_succeeded(run)
    assert "Clustering without engagement_score (constant), retention_months (all missing)" in (
        run.output
    )
    with run.connect() as connection:
        decisions = dict(
            connection.execute(
                "select feature_name, coalesce(exclusion_reason, 'used') from int_features_profiled"
            ).fetchall()
        )
    assert decisions["engagement_score"] == "constant"
    assert decisions["retention_months"] == "all_missing"
    assert decisions["age"] == decisions["annual_income"] == "used"


def test_fewer_than_two_usable_clustering_features_stops(tmp_path: Path, rows) -> None:
    # The fit never sees fewer than two features: this post-hook is the only check of it.
    flat = rows.copy()
    flat["engagement_score"] = "50"  # constant, so left out of the clustering
    path = write_csv(tmp_path / "flat.csv", flat)
    run = run_dbt(
        BUILD_TO_CLUSTERING_INPUT,
        tmp_path,
        {"customers_path": str(path), "clustering_features": ["age", "engagement_score"]},
    )
    assert_stopped_with(
        run,
        "only age can be clustered on; at least two features are needed",
        "Left out: engagement_score (constant)",
    )


def test_catalogue_22_all_missing_required_feature_stops(tmp_path: Path, rows) -> None:
    empty_income = rows.copy()
    empty_income["annual_income"] = "N/A"
    path = write_csv(tmp_path / "no_income.csv", empty_income)
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_stopped_with(run, "required feature annual_income is empty in every row")


def test_missing_file_says_which_var_to_set(tmp_path: Path) -> None:
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(tmp_path / "nope.csv")})
    assert_stopped_with(run, "nope.csv' not found (var customers_path)")


def test_path_with_quote_and_semicolon_is_read_as_a_path(tmp_path: Path, rows) -> None:
    path = write_csv(tmp_path / "o'brien; drop table x.csv", rows)
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    assert_succeeded(run)
    assert clean_count(run) == len(rows)


def test_rejected_share_above_the_limit_stops_before_clustering(tmp_path: Path, rows) -> None:
    mostly_bad = rows.copy()
    mostly_bad.loc[:59, "age"] = "150"  # 60 of 200 rows = 30% rejected
    path = write_csv(tmp_path / "mostly_bad.csv", mostly_bad)
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path)})
    export_command = f"DUCKDB_PATH={run.duckdb_path} make export TABLE=int_customers_validated"
    assert_stopped_with(
        run,
        "Rejected 60 of 200 rows",
        "(30.0%), above max_rejected_share = 0.2",
        "age_out_of_range: 60",
        "First rejected rows: row 1: age_out_of_range (age '150'), row 2:",
        f"in the table int_customers_validated of the database {run.duckdb_path}",
        export_command,
    )
    # The table the message names holds this build's verdicts, and exports as it says.
    exported = export_table(run.duckdb_path, "int_customers_validated", tmp_path / "rows.csv")
    verdicts = pd.read_csv(tmp_path / "rows.csv")
    assert exported == 200
    assert verdicts["reject_reason"].value_counts().to_dict() == {"age_out_of_range": 60}

    relaxed = run_dbt(
        BUILD_TO_VALIDATION, tmp_path, {"customers_path": str(path), "max_rejected_share": 0.5}
    )
    assert_succeeded(relaxed)


def test_invalid_vars_are_refused_together_with_the_allowed_values(tmp_path: Path) -> None:
    bad_vars = {
        "n_clusters": 1,
        "kmeans_n_init": "four",
        "valid_age_range": [100, 18],
        "valid_spending_score_range": [1],
        "max_rejected_share": 2,
        "clustering_features": ["age", "shoe_size"],
        "required_features": ["age"],
        "customer_columns": {"income": "Income"},
        "min_retention_months": "zero",
        "csv_delimiter": ";;",
        "csv_encoding": "ebcdic",
        "decimal_separator": "'",
    }
    run = run_dbt(["run", "--select", "stg_crm__customers"], tmp_path, bad_vars)
    assert_stopped_with(
        run,
        "Invalid dbt vars",
        "n_clusters = 1: must be an integer from 2 to 12",
        "kmeans_n_init = four: must be an integer from 1 to 100",
        "valid_age_range = [100, 18]: min must not exceed max",
        "valid_spending_score_range = [1]: must be [min, max], two numbers",
        "max_rejected_share = 2: must be a number from 0 to 1",
        "clustering_features has unknown feature 'shoe_size'",
        "required_features = ['age']: must list at least two of",
        "customer_columns has unknown key 'income'",
        "min_retention_months = zero: must be a number",
        "csv_delimiter = ;;: must be one character",
        "csv_encoding = ebcdic: must be one of utf-8, utf-16, latin-1",
        "decimal_separator = ': must be",
    )


@pytest.mark.parametrize(
    ("vars_yaml", "messages"),
    [
        (
            # YAML, not JSON: only YAML spells a NaN (.nan), as a vars file may.
            "{min_persona_share: .nan, max_rejected_share: .nan, n_clusters: 13, kmeans_n_init: 0,"
            " kmeans_random_state: true, diagnostics_cluster_counts: [2, 13],"
            " fit_sample_size: 999, diagnostics_sample_size: 10.5, refit: 'yes'}",
            [
                "min_persona_share = nan: must be a number from 0 to 0.25",
                "max_rejected_share = nan: must be a number from 0 to 1",
                "n_clusters = 13: must be an integer from 2 to 12",
                "kmeans_n_init = 0: must be an integer from 1 to 100",
                "kmeans_random_state = True: must be a non-negative integer",
                "diagnostics_cluster_counts = [2, 13]: must be [smallest, largest]",
                "fit_sample_size = 999: must be an integer of at least 1000",
                "diagnostics_sample_size = 10.5: must be an integer of at least 100",
                "refit = yes: must be true or false",
            ],
        ),
        (
            "{min_persona_share: 0.26, diagnostics_cluster_counts: [5, 4],"
            " clustering_features: [age, annual_income, age]}",
            [
                "min_persona_share = 0.26: must be a number from 0 to 0.25",
                "diagnostics_cluster_counts = [5, 4]: must be [smallest, largest]",
                "clustering_features = ['age', 'annual_income', 'age']: lists a feature twice",
            ],
        ),
    ],
    ids=["nan share and out-of-range settings", "share above a quarter, reversed k, repeat"],
)
def test_invalid_segmentation_settings_are_refused_before_the_python_models_read_them(
    tmp_path: Path, vars_yaml: str, messages: list[str]
) -> None:
    # The Python models read these vars as validate_project_vars passed them, unchecked.
    run = run_dbt(["run", "--select", "stg_crm__customers", "--vars", vars_yaml], tmp_path)
    assert_stopped_with(run, "Invalid dbt vars", *messages)
