"""Parquet publishing: only after a passing build, all files at once, never a partial set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from customer_segmentation.build_record import connect_read_only
from customer_segmentation.publish import PUBLISHED_MARTS, PublishError, main, publish_marts
from customer_segmentation.report.data import REPORT_MEMORY_LIMIT, open_database
from customer_segmentation.tests.bad_files import clean_rows, write_csv
from customer_segmentation.tests.dbt_runner import DbtRun, run_dbt


def parquet_rows(path: Path) -> int:
    return duckdb.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]


@pytest.fixture(scope="module")
def published(sample_build: DbtRun, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    publish_marts(sample_build.duckdb_path, out)
    return out


def test_every_mart_is_published_with_all_its_rows(published, sample_build) -> None:
    assert sorted(path.name for path in published.glob("*.parquet")) == sorted(
        f"{mart}.parquet" for mart in PUBLISHED_MARTS
    )
    manifest = json.loads((published / "_published.json").read_text())
    with sample_build.connect() as connection:
        for mart in PUBLISHED_MARTS:
            rows = connection.execute(f"select count(*) from {mart}").fetchone()[0]
            assert parquet_rows(published / f"{mart}.parquet") == rows
            assert manifest["files"][f"{mart}.parquet"] == rows
    assert not list(published.glob(".*staged"))


def test_a_failing_build_leaves_the_published_files_untouched(
    published, sample_build, tmp_path
) -> None:
    before = {path.name: path.read_bytes() for path in published.iterdir()}
    database = tmp_path / "copy.duckdb"
    shutil.copy(sample_build.duckdb_path, database)
    mostly_bad = clean_rows()
    mostly_bad.loc[:99, "age"] = "150"
    failing = run_dbt(
        ["build"],
        tmp_path,
        {"customers_path": str(write_csv(tmp_path / "bad.csv", mostly_bad))},
        duckdb_path=database,
    )
    assert failing.returncode != 0
    # docs generate (as make docs runs it) overwrites run_results.json; the gate holds.
    docs = run_dbt(
        ["docs", "generate"],
        tmp_path,
        {"customers_path": str(tmp_path / "bad.csv")},
        duckdb_path=database,
    )
    assert docs.returncode == 0
    with pytest.raises(
        PublishError, match=r"The last build of .*copy\.duckdb .* did not pass"
    ) as refused:
        publish_marts(database, published)
    assert f"DUCKDB_PATH={database} .venv/bin/dbt build --vars" in str(refused.value)
    assert {path.name: path.read_bytes() for path in published.iterdir()} == before


def test_publishing_refuses_marts_another_build_wrote(sample_build, tmp_path) -> None:
    other = tmp_path / "other.duckdb"
    shutil.copy(sample_build.duckdb_path, other)
    with duckdb.connect(str(other)) as connection:
        connection.execute("update segmentation_runs set invocation_id = 'someone-else'")
    with pytest.raises(PublishError, match="were written by build someone-else, not by its last"):
        publish_marts(other, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_database_without_a_build_record_says_to_run_make_run(tmp_path) -> None:
    bare = tmp_path / "bare.duckdb"
    with duckdb.connect(str(bare)) as connection:
        for mart in PUBLISHED_MARTS:
            connection.execute(f"create table {mart} as select 1 as x")
    with pytest.raises(SystemExit, match=r"Not published: .*bare\.duckdb records no dbt build"):
        main(["--out", str(tmp_path / "out"), "--duckdb-path", str(bare)])


def test_publish_report_and_export_read_within_the_builds_memory_cap(tmp_path, monkeypatch):
    # Publishing 100 million customers must not take more memory than the build was given.
    database = tmp_path / "capped.duckdb"
    duckdb.connect(str(database)).close()
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", "123MB")
    with duckdb.connect(config={"memory_limit": "123MB"}) as reference:
        expected = reference.execute("select current_setting('memory_limit')").fetchone()[0]

    with connect_read_only(database) as connection:
        limit = connection.execute("select current_setting('memory_limit')").fetchone()[0]

    assert limit == expected


@pytest.mark.parametrize(
    ("build_limit", "report_limit"), [("8GB", REPORT_MEMORY_LIMIT), ("123MB", "123MB")]
)
def test_the_report_reads_under_its_own_small_cap_or_the_builds_when_smaller(
    tmp_path, monkeypatch, build_limit, report_limit
):
    # It reads aggregates and a sample; under a large build cap DuckDB's cache of scanned
    # blocks made its memory grow with the customers.
    database = tmp_path / "capped.duckdb"
    duckdb.connect(str(database)).close()
    monkeypatch.setenv("DUCKDB_MEMORY_LIMIT", build_limit)
    with duckdb.connect(config={"memory_limit": report_limit}) as reference:
        expected = reference.execute("select current_setting('memory_limit')").fetchone()[0]

    with open_database(database) as connection:
        limit = connection.execute("select current_setting('memory_limit')").fetchone()[0]

    assert limit == expected
