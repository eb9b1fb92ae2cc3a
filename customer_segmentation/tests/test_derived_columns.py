"""Derived columns of customer_columns: birth year, customer-since date, sum of money columns,
row-number ids. Derived values meet the same parsers and reject reasons as direct ones, and a
bad derivation is refused before any model runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.sample_exports import (
    EXPORT_COLUMN_MAPPING,
    SPEND_CATEGORIES,
    generate_export_file,
)
from customer_segmentation.tests.bad_files import BUILD_TO_CLUSTERING_INPUT, BUILD_TO_VALIDATION
from customer_segmentation.tests.dbt_runner import DbtRun, assert_succeeded, run_dbt

AS_OF = date(2026, 6, 30)
# Row number (1 = first record) -> the cells written over a clean generated row.
DAMAGED_CELLS: dict[int, dict[str, str]] = {
    1: {
        "Year_Birth": "1980",
        "Dt_Customer": "15/01/2026",
        "MntRings": "10",
        "MntNecklaces": "20.50",
        "MntEarrings": "$30",
        "MntWatches": "39.5",
    },
    2: {"Year_Birth": "1890"},
    3: {"Year_Birth": "19x0"},
    4: {"Dt_Customer": "31/13/2020"},
    5: {"Dt_Customer": "N/A"},
    6: {"MntRings": ""},
    7: {"MntRings": "lots"},
    8: {"Dt_Customer": "30/06/2027"},
    9: {"Year_Birth": " "},
}


def export_rows(n_rows: int = 60) -> pd.DataFrame:
    rows, _ = generate_export_file(n_rows, seed=11, as_of=AS_OF)
    for row_number, cells in DAMAGED_CELLS.items():
        for header, value in cells.items():
            rows.loc[row_number - 1, header] = value
    return rows


def export_vars(path: Path, **overrides) -> dict:
    return {
        "customers_path": str(path),
        "customer_columns": EXPORT_COLUMN_MAPPING,
        "as_of_date": AS_OF.isoformat(),
        **overrides,
    }


@pytest.fixture(scope="module")
def export_build(tmp_path_factory) -> DbtRun:
    workdir = tmp_path_factory.mktemp("derived")
    path = workdir / "export.csv"
    export_rows().to_csv(path, index=False)
    run = run_dbt(BUILD_TO_CLUSTERING_INPUT, workdir, export_vars(path))
    assert_succeeded(run)
    return run


def validated(run: DbtRun) -> pd.DataFrame:
    with run.connect() as connection:
        return (
            connection.sql("select * from int_customers_validated order by source_row_number")
            .df()
            .set_index("source_row_number")
        )


def test_derived_values_are_computed_from_the_raw_cells(export_build) -> None:
    first = validated(export_build).loc[1]
    assert first["age"] == 46  # 2026 - 1980
    assert first["retention_months"] == 5  # 15 Jan to 30 Jun 2026: five whole months
    assert float(first["total_purchase_amount"]) == 100.00  # 10 + 20.50 + $30 + 39.5
    assert first["derived_from"] == (
        "Year_Birth=1980; MntRings=10; MntNecklaces=20.50; MntEarrings=$30; MntWatches=39.5;"
        " Dt_Customer=15/01/2026"
    )


def test_derived_values_meet_the_same_reject_reasons(export_build) -> None:
    rows = validated(export_build)
    assert rows.loc[2, "reject_reason"] == "age_out_of_range"  # born 1890: 136 years old
    assert rows.loc[2, "age_raw"] == "136"
    assert "Year_Birth=1890" in rows.loc[2, "derived_from"]
    assert rows.loc[3, "reject_reason"] == "age_unparseable"
    assert rows.loc[4, "reject_reason"] == "retention_months_unparseable"
    assert rows.loc[4, "retention_months_raw"] == "unreadable date: 31/13/2020"
    assert rows.loc[7, "reject_reason"] == "total_purchase_amount_unparseable"
    assert rows.loc[7, "total_purchase_amount_raw"] == "unreadable amount in MntRings: lots"
    assert rows.loc[8, "reject_reason"] == "retention_months_out_of_range"  # a future date
    assert rows.loc[8, "retention_months"] == -12
    clean = rows.drop(index=[2, 3, 4, 7, 8])
    assert clean["reject_reason"].isna().all()


def test_a_missing_source_cell_makes_the_value_missing_not_unreadable(export_build) -> None:
    rows = validated(export_build)
    for row_number, column in [(5, "retention_months"), (6, "total_purchase_amount"), (9, "age")]:
        assert pd.isna(rows.loc[row_number, f"{column}_raw"]), (row_number, column)
        assert rows.loc[row_number, "row_status"] == "clean"
    with export_build.connect() as connection:
        imputed = dict(
            connection.execute(
                "select source_row_number, imputed_features from int_customer_features"
                " where source_row_number in (5, 6, 9)"
            ).fetchall()
        )
    assert imputed == {5: "retention_months", 6: "total_purchase_amount", 9: "age"}


def test_row_number_ids_are_each_records_position(export_build) -> None:
    rows = validated(export_build)
    assert (rows["customer_id"] == rows.index.astype(str)).all()
    assert "Such ids are not stable across files" in export_build.output


def test_the_mapping_says_how_each_column_was_derived(export_build) -> None:
    with export_build.connect() as connection:
        mapping = {
            row[0]: row[1:]
            for row in connection.execute(
                "select canonical_column, file_header, derivation, is_in_file"
                " from stg_crm__customer_file_columns"
            ).fetchall()
        }
    assert mapping["age"] == ("Year_Birth", "age at 2026-06-30 from birth year 'Year_Birth'", True)
    assert mapping["total_purchase_amount"][0] == ", ".join(SPEND_CATEGORIES)
    assert mapping["customer_id"] == (None, "the record's position in the file", True)
    assert mapping["annual_income"] == ("Income", None, True)


def test_a_missing_required_sum_part_rejects_the_row_and_iso_dates_are_the_default(
    tmp_path,
) -> None:
    rows = export_rows().head(20)
    rows["Dt_Customer"] = "2026-01-15"
    rows.loc[3, "Dt_Customer"] = "15/01/2026"  # not ISO: unreadable under the default format
    path = tmp_path / "iso.csv"
    rows.to_csv(path, index=False)
    columns = {**EXPORT_COLUMN_MAPPING, "retention_months": {"since_date": "Dt_Customer"}}
    run = run_dbt(
        BUILD_TO_VALIDATION,
        tmp_path,
        export_vars(
            path,
            customer_columns=columns,
            required_features=["annual_income", "total_purchase_amount"],
            max_rejected_share=1,
        ),
    )
    assert_succeeded(run)
    result = validated(run)
    assert result.loc[6, "reject_reason"] == "total_purchase_amount_missing"
    assert result.loc[4, "reject_reason"] == "retention_months_unparseable"
    assert result.loc[10, "retention_months"] == 5


@pytest.mark.parametrize(
    ("derivation", "message"),
    [
        (
            {"age": {"birth_yr": "Year_Birth"}},
            'customer_columns[\'age\'] = {"birth_yr": "Year_Birth"}: unknown derivation'
            " 'birth_yr'; give a header, or exactly one derivation: birth_year (age)",
        ),
        (
            {"retention_months": {"since_date": "Dt_Customer", "date_format": "%d/%q/%Y"}},
            "customer_columns['retention_months'].date_format = \"%d/%q/%Y\":"
            " has an unknown % code",
        ),
        (
            {"retention_months": {"since_date": "Dt_Customer", "date_format": "%m/%Y"}},
            "does not carry a day, a month and a year",
        ),
        (
            {"gender": {"row_number": True}},
            "customer_columns['gender']: row_number derives only customer_id",
        ),
        (
            {"total_purchase_amount": {"sum_of": "MntRings"}},
            "customer_columns['total_purchase_amount'].sum_of = \"MntRings\": must be a list",
        ),
        (
            {"total_purchase_amount": {"sum_of": ["MntRings", "MntShoes"]}},
            "lacks the header(s) 'MntShoes' that customer_columns['total_purchase_amount']",
        ),
        (
            {"age": {"birth_year": "Birth Year"}},
            "lacks the header(s) 'Birth Year' that customer_columns['age']",
        ),
    ],
)
def test_a_bad_derivation_is_refused_before_anything_runs(
    tmp_path, derivation: dict, message: str
) -> None:
    path = tmp_path / "export.csv"
    export_rows(20).to_csv(path, index=False)
    columns = {**EXPORT_COLUMN_MAPPING, **derivation}
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, export_vars(path, customer_columns=columns))
    assert run.returncode != 0
    assert message in run.output, run.output[-3000:]
    with run.connect() as connection:
        tables = {
            row[0]
            for row in connection.execute(
                "select table_name from information_schema.tables"
            ).fetchall()
        }
    assert tables.isdisjoint({"customers", "stg_crm__customers", "int_customers_validated"})


def test_a_bad_as_of_date_is_refused(tmp_path) -> None:
    path = tmp_path / "export.csv"
    export_rows(20).to_csv(path, index=False)
    run = run_dbt(BUILD_TO_VALIDATION, tmp_path, export_vars(path, as_of_date="30/06/2026"))
    assert run.returncode != 0
    assert "as_of_date = 30/06/2026: must be an ISO date (YYYY-MM-DD)" in run.output
