"""Vars files and the build record's verdicts, without dbt: reading YAML, the rebuild command
each message gives, and the refusal of a failed build."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from customer_segmentation.build_record import (
    BuildRecord,
    BuildRecordError,
    check_last_build_passed,
    rebuild_command,
)
from customer_segmentation.vars_file import VarsFileError, build_vars, read_vars_file


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def record(**fields) -> BuildRecord:
    defaults = {
        "invocation_id": "abc",
        "started_at": datetime(2026, 6, 30, 9, 15, tzinfo=UTC),
        "status": "passed",
        "failed_nodes": None,
        "customers_path": "/data/export.csv",
        "vars_file": None,
        "dbt_vars": {},
    }
    return BuildRecord(**{**defaults, **fields})


def test_a_vars_file_holds_what_vars_would(tmp_path) -> None:
    path = write(
        tmp_path / "mine.yml",
        "customers_path: /data/export.csv\n"
        "customer_columns:\n"
        "  customer_id: {row_number: true}\n"
        "  age: {birth_year: Year_Birth}\n"
        "required_features: [annual_income, total_purchase_amount]\n"
        "as_of_date: 2026-06-30\n",
    )
    assert read_vars_file(path) == {
        "customers_path": "/data/export.csv",
        "customer_columns": {
            "customer_id": {"row_number": True},
            "age": {"birth_year": "Year_Birth"},
        },
        "required_features": ["annual_income", "total_purchase_amount"],
        # YAML reads an unquoted date as a date; dbt's var wants the ISO text.
        "as_of_date": "2026-06-30",
    }
    assert build_vars(path)["vars_file"] == str(path.resolve())


def test_an_empty_vars_file_means_the_defaults(tmp_path) -> None:
    assert read_vars_file(write(tmp_path / "empty.yml", "# nothing yet\n")) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- customers_path\n", "must be a mapping of var name to value"),
        ("customers_path: [unclosed\n", "is not valid YAML"),
        ("vars_file: other.yml\n", "sets `vars_file`, which make sets itself"),
    ],
)
def test_an_unusable_vars_file_is_refused(tmp_path, text: str, message: str) -> None:
    with pytest.raises(VarsFileError, match=message):
        read_vars_file(write(tmp_path / "bad.yml", text))


def test_a_missing_vars_file_is_named(tmp_path) -> None:
    with pytest.raises(VarsFileError, match=r"nope\.yml not found \(VARS_FILE\)"):
        read_vars_file(tmp_path / "nope.yml")


def test_the_rebuild_command_rebuilds_this_database_from_its_own_file() -> None:
    default = Path("customer_segmentation.duckdb")
    other = Path("/tmp/mine.duckdb")
    assert rebuild_command(None, default) == "make run"
    assert rebuild_command(record(), default) == "make run"
    assert (
        rebuild_command(
            record(vars_file="/w/mine.yml", dbt_vars={"vars_file": "/w/mine.yml"}), other
        )
        == "DUCKDB_PATH=/tmp/mine.duckdb make run VARS_FILE=/w/mine.yml"
    )
    # Built with dbt's own --vars: the same vars, then what make run adds.
    assert rebuild_command(record(dbt_vars={"customers_path": "/data/o'brien.csv"}), other) == (
        "DUCKDB_PATH=/tmp/mine.duckdb .venv/bin/dbt build --vars"
        """ '{"customers_path": "/data/o'"'"'brien.csv"}'"""
        " && DUCKDB_PATH=/tmp/mine.duckdb make publish report"
    )


def test_a_failed_last_build_is_refused_with_the_command_that_rebuilds_it() -> None:
    failed = record(
        status="failed",
        failed_nodes="model.jewellery_segmentation.int_customers_validated (error)",
        vars_file="/w/mine.yml",
        dbt_vars={"vars_file": "/w/mine.yml"},
    )
    with pytest.raises(BuildRecordError) as refused:
        check_last_build_passed(failed, Path("/tmp/mine.duckdb"))
    assert str(refused.value) == (
        "The last build of /tmp/mine.duckdb (from /data/export.csv, started 2026-06-30 09:15 UTC)"
        " did not pass (1 node(s): model.jewellery_segmentation.int_customers_validated (error))."
        " Fix what its messages name, then run"
        " `DUCKDB_PATH=/tmp/mine.duckdb make run VARS_FILE=/w/mine.yml`."
    )
    assert check_last_build_passed(record(), Path("x.duckdb")).passed
    with pytest.raises(BuildRecordError, match=r"records no dbt build: run `DUCKDB_PATH=x\.duckdb"):
        check_last_build_passed(None, Path("x.duckdb"))
