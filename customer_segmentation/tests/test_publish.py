"""Parquet publishing: only after a passing build, all files at once, never a partial set."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from customer_segmentation.publish import PUBLISHED_MARTS, PublishError, main, publish_marts
from customer_segmentation.tests.bad_files import clean_rows, write_csv
from customer_segmentation.tests.dbt_runner import DbtRun, run_dbt


def parquet_rows(path: Path) -> int:
    return duckdb.execute("select count(*) from read_parquet(?)", [str(path)]).fetchone()[0]


@pytest.fixture(scope="module")
def published(sample_build: DbtRun, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published")
    publish_marts(sample_build.duckdb_path, out, sample_build.target_path / "run_results.json")
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
    with pytest.raises(PublishError, match="The last build did not pass"):
        publish_marts(database, published, failing.target_path / "run_results.json")
    assert {path.name: path.read_bytes() for path in published.iterdir()} == before


def test_publishing_refuses_a_database_another_build_wrote(sample_build, tmp_path) -> None:
    other = tmp_path / "other.duckdb"
    with duckdb.connect(str(other)) as connection:
        connection.execute(
            "create table segmentation_runs as select 'someone-else' as invocation_id"
        )
        for mart in PUBLISHED_MARTS:
            connection.execute(f"create table {mart} as select 1 as x")
    with pytest.raises(PublishError, match="did not write"):
        publish_marts(other, tmp_path / "out", sample_build.target_path / "run_results.json")
    assert not list((tmp_path / "out").iterdir())


def test_no_build_record_says_to_run_make_run(tmp_path) -> None:
    with pytest.raises(SystemExit, match="Not published: No build record"):
        main(["--out", str(tmp_path), "--run-results", str(tmp_path / "run_results.json")])
