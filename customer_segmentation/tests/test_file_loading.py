"""Loading is a node: the customer file is read once, by the build, and fingerprinted there.

Every other dbt command works on a built database without the file, and everything after the
load reads the recorded fingerprint instead of opening the file again.
"""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from customer_segmentation.file_fingerprint import HASH_BLOCK_BYTES, FileFingerprint
from customer_segmentation.tests.dbt_runner import SAMPLE_PATH, DbtRun, assert_succeeded, run_dbt


def test_fingerprint_is_the_files_stat_and_sha256_read_in_blocks(tmp_path: Path) -> None:
    data = np.random.default_rng(0).bytes(2 * HASH_BLOCK_BYTES + 123)
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    os.utime(path, (1_700_000_000, 1_700_000_000))

    fingerprint = FileFingerprint.of(path)

    assert fingerprint.file_sha256 == hashlib.sha256(data).hexdigest()
    assert fingerprint.file_size_bytes == len(data)
    assert fingerprint.file_name == "export.csv"
    assert fingerprint.file_path == str(path.resolve())
    assert fingerprint.file_modified_at == datetime.fromtimestamp(1_700_000_000, tz=UTC)


def test_a_file_has_changed_when_its_size_or_modified_time_differ(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("customer_id\n1\n")
    fingerprint = FileFingerprint.of(path)
    assert not fingerprint.has_changed(path)

    later = path.stat().st_mtime + 60
    os.utime(path, (later, later))
    assert fingerprint.has_changed(path)

    path.write_text("customer_id\n1\n2\n")
    os.utime(path, (later, later))
    assert FileFingerprint.of(path).has_changed(path) is False
    assert fingerprint.has_changed(path)
    # A file that is gone has not changed as far as the marts can tell: they are all there is.
    path.unlink()
    assert not fingerprint.has_changed(path)


def test_the_build_records_the_files_fingerprint_for_everything_after_it(
    sample_build: DbtRun,
) -> None:
    expected = FileFingerprint.of(SAMPLE_PATH)
    with sample_build.connect() as connection:
        loaded = connection.execute("select * from customer_file_load").df()
        run = connection.execute(
            "select customers_file_sha256, customers_file_size_bytes, customers_file_modified_at"
            " from segmentation_runs"
        ).fetchone()
        versions = connection.execute(
            "select distinct source_file_name, source_file_sha256 from segmentation_models"
        ).fetchall()
    assert len(loaded) == 1
    assert loaded["file_sha256"].iloc[0] == expected.file_sha256
    assert loaded["file_size_bytes"].iloc[0] == expected.file_size_bytes
    assert loaded["file_path"].iloc[0] == expected.file_path
    assert run[0] == expected.file_sha256
    assert run[1] == expected.file_size_bytes
    assert run[2] == expected.file_modified_at
    assert versions == [(expected.file_name, expected.file_sha256)]


@pytest.mark.parametrize(
    "command",
    [
        ["docs", "generate"],
        ["test", "--exclude-resource-type", "unit_test"],
        ["compile"],
        ["show", "--select", "segment_profiles", "--limit", "2"],
    ],
    ids=["docs-generate", "test", "compile", "show"],
)
def test_commands_other_than_build_work_when_the_file_is_gone(
    sample_build: DbtRun, tmp_path: Path, command: list[str]
) -> None:
    gone = {"customers_path": str(tmp_path / "moved_away" / "customers.csv")}

    run = run_dbt(command, tmp_path, gone, duckdb_path=sample_build.duckdb_path)

    assert_succeeded(run)
    assert "not found (var customers_path)" not in run.output


def test_a_build_with_the_file_gone_stops_at_the_load_naming_the_var(tmp_path: Path) -> None:
    gone = {"customers_path": str(tmp_path / "moved_away" / "customers.csv")}

    run = run_dbt(["build", "--select", "customer_file_load"], tmp_path, gone)

    assert run.returncode == 1
    assert "not found (var customers_path)" in run.output


@pytest.mark.parametrize(
    ("file_name", "catalog"),
    [("main.duckdb", "main"), ("Temp.duckdb", "Temp"), ("main.v2.db", "main")],
)
def test_a_database_file_named_after_a_duckdb_catalog_stops_with_a_new_name_to_use(
    tmp_path: Path, file_name: str, catalog: str
) -> None:
    # DuckDB opens main.duckdb (and main.v2.db) as catalog main_db; dbt-duckdb would address
    # "main". A folder of the same name keeps its name in the suggestion.
    folder = tmp_path / "main"
    folder.mkdir()
    run = run_dbt(
        ["build", "--select", "customer_file_load"], tmp_path, duckdb_path=folder / file_name
    )

    assert run.returncode == 1
    assert f"is named '{catalog}', which DuckDB keeps for its own catalogs" in run.output
    assert f"DUCKDB_PATH={folder / ('segments_' + file_name)} " in run.output
    assert "does not exist" not in run.output
