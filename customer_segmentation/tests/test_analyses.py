"""The analyst's SQL in analyses/ compiles and runs against a built database."""

from __future__ import annotations

from pathlib import Path

from customer_segmentation.tests.dbt_runner import PROJECT_DIR, DbtRun, assert_succeeded, run_dbt


def test_every_analysis_compiles_and_returns_rows(sample_build: DbtRun, tmp_path: Path) -> None:
    compiled = run_dbt(
        ["compile", "--select", "resource_type:analysis"],
        tmp_path,
        duckdb_path=sample_build.duckdb_path,
    )
    assert_succeeded(compiled)
    analyses = sorted((PROJECT_DIR / "analyses").glob("*.sql"))
    compiled_dir = tmp_path / "target" / "compiled" / "jewellery_segmentation" / "analyses"
    assert sorted(path.name for path in compiled_dir.glob("*.sql")) == [
        path.name for path in analyses
    ]
    with sample_build.connect() as connection:
        for path in compiled_dir.glob("*.sql"):
            rows = connection.execute(path.read_text()).fetchall()
            assert rows, f"{path.name} returned no rows"
