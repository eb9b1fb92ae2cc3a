"""The route from a user's own export to the PDF and the Parquet marts, as `make run
VARS_FILE=...` takes it: vars from a YAML file, a production build (no unit tests), publish,
report; then later commands on that database, which must use its file, never the sample."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from customer_segmentation.build_record import BuildRecordError, dbt_vars, read_last_build
from customer_segmentation.publish import PublishError, publish_marts
from customer_segmentation.report import build_report
from customer_segmentation.sample_exports import write_export_file
from customer_segmentation.tests.bad_files import (
    BUILD_TO_CLUSTERING_INPUT,
    MALL_COLUMN_MAPPING,
    write_mall_customers,
)
from customer_segmentation.tests.dbt_runner import (
    PROJECT_DIR,
    DbtRun,
    assert_succeeded,
    run_dbt,
)
from customer_segmentation.vars_file import read_vars_file

EXPORT_ROWS = 400
# What make's build target runs (Makefile: build).
PRODUCTION_BUILD = ["build", "--exclude-resource-type", "unit_test"]
# A vars file as a user writes it: an unquoted date, flow mappings, comments.
VARS_FILE_TEXT = """\
# my marketing export
customers_path: {path}
customer_columns:
  customer_id: {{row_number: true}}
  gender: Sex
  age: {{birth_year: Year_Birth}}
  annual_income: Income
  spending_score: Spending_Score
  engagement_score: Engagement_Index
  retention_months: {{since_date: Dt_Customer, date_format: "%d/%m/%Y"}}
  total_purchase_amount: {{sum_of: [MntRings, MntNecklaces, MntEarrings, MntWatches]}}
as_of_date: 2026-06-30
"""


@pytest.fixture(scope="module")
def own_build(tmp_path_factory) -> tuple[DbtRun, Path]:
    workdir = tmp_path_factory.mktemp("own_file")
    export = workdir / "export.csv"
    write_export_file(export, None, EXPORT_ROWS, seed=3, as_of=date(2026, 6, 30))
    vars_file = workdir / "export.vars.yml"
    vars_file.write_text(VARS_FILE_TEXT.format(path=export))
    database = workdir / "own.duckdb"
    run = run_dbt(
        PRODUCTION_BUILD, workdir, dbt_vars("build", database, vars_file), duckdb_path=database
    )
    assert_succeeded(run)
    return run, vars_file


def test_make_run_builds_publishes_and_reports_with_the_vars_file() -> None:
    planned = subprocess.run(
        ["make", "-n", "run", "VARS_FILE=mine.yml", "DUCKDB_PATH=mine.duckdb"],
        cwd=PROJECT_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert 'build_record dbt-vars --vars-file "mine.yml" --for build' in planned
    assert 'dbt build --exclude-resource-type unit_test --vars "$dbt_vars"' in planned
    assert 'customer_segmentation.publish --out published --vars-file "mine.yml"' in planned
    assert 'customer_segmentation.report --out reports --vars-file "mine.yml"' in planned


def test_the_users_file_reaches_the_parquet_marts_and_the_report(own_build, tmp_path) -> None:
    run, vars_file = own_build
    assert "unit_test." not in json.dumps(
        json.loads((run.target_path / "run_results.json").read_text())
    )
    counts = publish_marts(run.duckdb_path, tmp_path / "published", vars_file)
    # Row-number ids are unique, so every record is a customer or a reject.
    assert counts["customer_segments"] + counts["customers_rejected"] == EXPORT_ROWS
    assert counts["segment_profiles"] == 4
    writer = build_report(run.duckdb_path, tmp_path / "reports", vars_file)
    assert len(writer.pages) == 10
    with run.connect() as connection:
        as_of, path = connection.execute(
            "select as_of_date, customers_path from segmentation_runs"
        ).fetchone()
    assert (as_of, Path(path).name) == (date(2026, 6, 30), "export.csv")


def test_the_build_records_its_vars_for_later_commands(own_build) -> None:
    run, vars_file = own_build
    record = read_last_build(run.duckdb_path)
    assert record.passed
    assert record.vars_file == str(vars_file.resolve())
    assert record.dbt_vars == {**read_vars_file(vars_file), "vars_file": str(vars_file.resolve())}
    assert dbt_vars("later", run.duckdb_path, None) == record.dbt_vars
    assert dbt_vars("later", run.duckdb_path, vars_file) == record.dbt_vars


def test_a_build_without_vars_file_on_that_database_says_it_uses_the_sample(
    own_build, capsys
) -> None:
    run, vars_file = own_build
    assert dbt_vars("build", run.duckdb_path, None) == {}
    note = capsys.readouterr().err
    assert f"{run.duckdb_path} was last built with other vars" in note
    assert f"make run VARS_FILE={vars_file.resolve()}" in note


def test_docs_generate_with_the_recorded_vars_keeps_the_users_file(own_build, tmp_path) -> None:
    run, _ = own_build
    docs = run_dbt(
        ["docs", "generate"],
        tmp_path,
        dbt_vars("later", run.duckdb_path, None),
        duckdb_path=run.duckdb_path,
    )
    assert_succeeded(docs)
    with run.connect() as connection:
        records = connection.execute("select count(*) from raw_crm.customers").fetchone()[0]
    assert records == EXPORT_ROWS  # the export, not the 5,016-record sample
    # docs generate overwrote run_results.json; publishing still sees the passing build.
    assert publish_marts(run.duckdb_path, tmp_path / "published")["segment_profiles"] == 4


def test_a_vars_file_the_database_was_not_built_with_is_refused(own_build, tmp_path) -> None:
    run, vars_file = own_build
    other = tmp_path / "other.vars.yml"
    other.write_text(vars_file.read_text().replace("2026-06-30", "2026-07-31"))
    with pytest.raises(BuildRecordError, match=r"was built with VARS_FILE=.*export\.vars\.yml"):
        dbt_vars("later", run.duckdb_path, other)
    with pytest.raises(PublishError, match=r"not with the vars now in .*other\.vars\.yml"):
        publish_marts(run.duckdb_path, tmp_path / "out", other)
    assert not (tmp_path / "out").exists()


def test_the_example_vars_file_reads_the_mall_customers_layout(tmp_path) -> None:
    example = read_vars_file(PROJECT_DIR / "examples" / "mall_customers.vars.yml")
    assert example["customer_columns"] == MALL_COLUMN_MAPPING
    mall = tmp_path / "Mall_Customers.csv"
    rows = write_mall_customers(mall)
    run = run_dbt(BUILD_TO_CLUSTERING_INPUT, tmp_path, {**example, "customers_path": str(mall)})
    assert_succeeded(run)
    with run.connect() as connection:
        clean = connection.execute("select count(*) from int_customer_features").fetchone()[0]
    assert clean == rows
