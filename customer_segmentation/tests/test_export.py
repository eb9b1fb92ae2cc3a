from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from customer_segmentation.export import export_table, main


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "marts.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table customers_rejected (source_row_number bigint, customer_id varchar,"
            " gender_raw varchar, age_raw varchar, annual_income decimal(18, 2))"
        )
        connection.execute(
            "insert into customers_rejected values"
            " (1, '@x', '=HYPERLINK(\"http://x\")', '-3', -5.5),"
            " (2, 'c2', 'Female', '+7', 10),"
            " (3, 'c3', e'\\tTab', '42', null),"
            " (4, 'o''brien', 'Male', null, 1)"
        )
    return path


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_text_cells_that_spreadsheets_would_run_are_escaped(database, tmp_path) -> None:
    out = tmp_path / "out" / "rejected.csv"
    assert export_table(database, "customers_rejected", out) == 4
    rows = read_rows(out)
    assert rows[0]["customer_id"] == "'@x"
    assert rows[0]["gender_raw"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["age_raw"] == "'-3"
    assert rows[1]["age_raw"] == "'+7"
    assert rows[2]["gender_raw"] == "'\tTab"


def test_plain_text_and_numbers_are_untouched(database, tmp_path) -> None:
    out = tmp_path / "rejected.csv"
    export_table(database, "customers_rejected", out)
    rows = read_rows(out)
    assert rows[0]["annual_income"] == "-5.50"
    assert rows[1]["gender_raw"] == "Female"
    assert rows[3]["customer_id"] == "o'brien"
    assert rows[2]["annual_income"] == ""


def test_missing_database_or_table_says_to_build_first(database, tmp_path) -> None:
    with pytest.raises(SystemExit, match=r"make run` first"):
        export_table(tmp_path / "nope.duckdb", "customers_rejected", tmp_path / "x.csv")
    with pytest.raises(SystemExit, match="No table named 'segments'"):
        export_table(database, "segments", tmp_path / "x.csv")


def test_command_line(database, tmp_path, capsys) -> None:
    out = tmp_path / "cli.csv"
    main(["customers_rejected", "--out", str(out), "--duckdb-path", str(database)])
    assert "Wrote 4 rows of customers_rejected" in capsys.readouterr().out
    assert len(read_rows(out)) == 4
