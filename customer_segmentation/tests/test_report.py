"""The PDF report: built from a real build's marts, read as a reader would (extracted text)."""

from __future__ import annotations

import csv
import os
import re
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from pypdf import PdfReader

from customer_segmentation.features import PERSONA_NAMES
from customer_segmentation.report import (
    ReportError,
    build_report,
    load_report_data,
    main,
    readable_features,
)
from customer_segmentation.report import data as report_data
from customer_segmentation.sample_data import write_customer_file
from customer_segmentation.tests.bad_files import MALL_COLUMN_MAPPING, write_mall_customers
from customer_segmentation.tests.dbt_runner import DbtRun, assert_succeeded, run_dbt

SECTION_TITLES = [
    "Customer segmentation: executive summary",
    "Data quality",
    "Exploratory analysis",
    "Choosing the number of segments",
    "The segments",
    *PERSONA_NAMES,
    "Method and definitions",
]


def page_texts(pdf: Path) -> list[str]:
    """Each page's text with line breaks and runs of spaces folded, as a reader reads it."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages]


@pytest.fixture(scope="module")
def sample_report(sample_build: DbtRun, tmp_path_factory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("report")
    writer = build_report(sample_build.duckdb_path, out)
    return out, writer.pages


def test_report_has_every_section_in_order(sample_report) -> None:
    out, pages = sample_report
    texts = page_texts(out / "segmentation_report.pdf")
    assert pages == SECTION_TITLES
    assert len(texts) == len(SECTION_TITLES)
    for text, title in zip(texts, SECTION_TITLES, strict=True):
        assert title in text


def test_report_states_the_figures_a_reader_needs(sample_report, sample_build) -> None:
    out, _ = sample_report
    texts = page_texts(out / "segmentation_report.pdf")
    with sample_build.connect() as connection:
        clean, records, verdict = connection.execute(
            "select clean_customer_count, file_record_count, cluster_count_verdict"
            " from segmentation_runs"
        ).fetchone()
    assert f"{clean:,} customers from customers_sample.csv" in texts[0]
    assert "4 of 4 segments carry a persona name" in texts[0]
    assert f"Records read: {records:,}" in texts[1]
    assert verdict.startswith("The data supports 4 segments")
    assert " ".join(verdict.split()) in texts[3]
    for text in texts[5:9]:
        for heading in [
            "Strategy:",
            "Channel:",
            "Offer:",
            "Message:",
            "KPI to watch:",
            "Evidence for the name:",
        ]:
            assert heading in text
    assert "customers_sample.csv, 5,016 records" in texts[-1]


def test_every_chart_is_saved_as_a_png(sample_report) -> None:
    out, _ = sample_report
    figures = sorted(path.name for path in (out / "figures").glob("*.png"))
    assert figures == [
        "01_executive_summary.png",
        "02_data_quality.png",
        "03_exploratory_analysis.png",
        "04_choice_of_k.png",
        "05_segments.png",
        "06_persona_high_value_loyal.png",
        "07_persona_young_trend_driven.png",
        "08_persona_premium_low_engagement.png",
        "09_persona_new_low_spend.png",
    ]
    assert all((out / "figures" / name).stat().st_size > 20_000 for name in figures)


def test_no_customer_id_appears_in_the_report(sample_report, sample_build) -> None:
    out, _ = sample_report
    text = "\n".join(page_texts(out / "segmentation_report.pdf"))
    with sample_build.connect() as connection:
        ids = {
            row[0]
            for row in connection.execute("select customer_id from customer_segments").fetchall()
        }
    words = set(re.findall(r"[\w@=]+", text))
    assert not ids & words


def test_missing_database_says_to_run_make_run(tmp_path) -> None:
    with pytest.raises(ReportError, match=r"absent\.duckdb make run` first"):
        load_report_data(tmp_path / "absent.duckdb")
    with pytest.raises(SystemExit, match="Report not built: No database"):
        main(["--duckdb-path", str(tmp_path / "absent.duckdb"), "--out", str(tmp_path)])


def test_report_reads_customers_only_as_aggregates_or_a_bounded_sample(
    sample_build, tmp_path, monkeypatch
) -> None:
    """Every query the report sends is logged by DuckDB; run again, none returns more rows
    than the sample's cap (here 500, a tenth of the build's customers), so no read grows
    with the customer base, and the segments page says it shows a sample."""
    log_dir = tmp_path / "query_log"
    log_dir.mkdir()
    open_database = report_data.open_database

    def open_with_query_log(duckdb_path: Path) -> duckdb.DuckDBPyConnection:
        connection = open_database(duckdb_path)
        connection.execute(
            f"call enable_logging('QueryLog', storage='file', storage_path='{log_dir}')"
        )
        return connection

    monkeypatch.setattr(report_data, "open_database", open_with_query_log)
    build_report(sample_build.duckdb_path, tmp_path / "report", sample_size=500)
    with (log_dir / "duckdb_log_entries.csv").open(newline="") as log:
        queries = [entry["message"] for entry in csv.DictReader(log) if entry["type"] == "QueryLog"]
    reading_customers = [query for query in queries if "customer_segments" in query]
    assert reading_customers, "the query log caught no read of customer_segments"
    with sample_build.connect() as connection:
        customers = connection.execute("select count(*) from customer_segments").fetchone()[0]
        returned = {query: len(connection.execute(query).fetchall()) for query in queries}
    assert customers > 4_000
    assert max(returned[query] for query in reading_customers) == 500
    assert {query: rows for query, rows in returned.items() if rows > 1_000} == {}
    segments_page = page_texts(tmp_path / "report" / "segmentation_report.pdf")[4]
    assert f"Both scatter plots show a seeded sample of 500 of the {customers:,} customers" in (
        segments_page
    )


def test_report_on_every_customer_draws_them_all(sample_report) -> None:
    out, _ = sample_report
    segments_page = page_texts(out / "segmentation_report.pdf")[4]
    assert "sample" not in segments_page
    assert "with incomes above" in segments_page


@pytest.fixture(scope="module")
def mall_build(tmp_path_factory) -> tuple[DbtRun, Path]:
    workdir = tmp_path_factory.mktemp("mall")
    path = workdir / "Mall_Customers.csv"
    write_mall_customers(path)
    run = run_dbt(
        ["build"], workdir, {"customers_path": str(path), "customer_columns": MALL_COLUMN_MAPPING}
    )
    assert_succeeded(run)
    return run, path


def test_report_on_three_features_says_what_it_leaves_out(mall_build, tmp_path) -> None:
    run, _ = mall_build
    writer = build_report(run.duckdb_path, tmp_path)
    texts = page_texts(tmp_path / "segmentation_report.pdf")
    with run.connect() as connection:
        segments = connection.execute(
            "select persona_name, is_matched_persona, strategy_kpi_missing_features"
            " from segment_profiles order by cluster_id"
        ).df()
    assert writer.pages == [*SECTION_TITLES[:5], *segments["persona_name"], SECTION_TITLES[-1]]
    # Without purchases or retention, nothing shows High-Value Loyal Customers' defining traits.
    assert "High-Value Loyal Customers" not in set(segments["persona_name"])
    assert "Not named: the file has none of the closest persona's defining features" in texts[0]
    assert "The file has no purchase amounts, so revenue shares are not available" in texts[0]
    assert "Not in the file: total purchases, engagement score, retention (months)" in texts[1]
    assert "Features clustered: age, annual_income, spending_score" in texts[-1]


def test_report_on_money_alone_states_the_evidence_behind_each_name(tmp_path) -> None:
    """Only income and purchase amounts: names rest on a third of a definition at best."""
    path = tmp_path / "income_and_purchases.csv"
    dropped = ("gender", "age", "spending_score", "engagement_score", "retention_months")
    write_customer_file(path, None, n_rows=2000, seed=8, dirty_share=0, drop_features=dropped)
    run = run_dbt(
        ["build", "--exclude-resource-type", "unit_test"],
        tmp_path,
        {
            "customers_path": str(path),
            "required_features": ["annual_income", "total_purchase_amount"],
        },
    )
    assert_succeeded(run)
    build_report(run.duckdb_path, tmp_path / "report")
    texts = page_texts(tmp_path / "report" / "segmentation_report.pdf")
    with run.connect() as connection:
        segments = connection.execute(
            "select persona_name, persona_match_strength, segment_warning,"
            " strategy_kpi_missing_features from segment_profiles order by cluster_id"
        ).df()
    summary = texts[0]
    assert "Young, Trend-Driven Shoppers" not in set(segments["persona_name"])
    assert (segments["persona_match_strength"] == "weak").any()
    for warning in segments["segment_warning"].dropna():
        # The summary page states each warning, with marketers' feature names.
        assert " ".join(readable_features(warning).split()) in summary
    assert "Weak match to " in summary and "Not named: " in summary
    # A KPI read from a feature the file lacks is marked on the segment's page.
    for page, kpi_gap in zip(texts[5:-1], segments["strategy_kpi_missing_features"], strict=True):
        assert ("not measurable from this file" in page) == pd.notna(kpi_gap)
    assert segments["strategy_kpi_missing_features"].notna().any()


def test_report_refuses_marts_older_than_the_customer_file(mall_build, tmp_path) -> None:
    run, path = mall_build
    later = time.time() + 60
    os.utime(path, (later, later))
    # The command given rebuilds this database from its own file, not the shipped sample.
    with pytest.raises(ReportError, match=r"the marts are stale\. Run `DUCKDB_PATH=") as stale:
        build_report(run.duckdb_path, tmp_path)
    assert f'"customers_path": "{path}"' in str(stale.value)
    assert ".venv/bin/dbt build --vars" in str(stale.value)


def test_report_refuses_a_file_rewritten_with_an_older_modified_time(mall_build, tmp_path) -> None:
    # The check compares the file with the fingerprint its load recorded, not with the build's
    # start: a file copied back from an archive keeps its old time but not its size.
    run, path = mall_build
    with path.open("a") as handle:
        handle.write("9999,Female,30,50,50\n")
    long_ago = time.time() - 365 * 24 * 3600
    os.utime(path, (long_ago, long_ago))
    with pytest.raises(ReportError, match=r"the marts are stale"):
        build_report(run.duckdb_path, tmp_path)
