"""Bad-input catalogue, row-level rows: one messy file holding every row-level problem, built
end to end with every dbt test, and the classic mall-customers layout.

The messy file is the sample generator's clean rows plus one crafted row (or pair) per
catalogue entry, written with a byte-order mark, CRLF line ends, reordered columns and an
extra column, so catalogue rows 1, 4-14, 16 and 23-24 are all checked by one build.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.features import CANONICAL_COLUMNS, PERSONA_NAMES
from customer_segmentation.tests.bad_files import (
    MALL_COLUMN_MAPPING,
    clean_rows,
    write_csv,
    write_mall_customers,
)
from customer_segmentation.tests.dbt_runner import DbtRun, assert_succeeded, run_dbt

BASE = {
    "gender": "Female",
    "age": "35",
    "annual_income": "60000",
    "spending_score": "50",
    "total_purchase_amount": "2500.00",
    "engagement_score": "50",
    "retention_months": "24",
}

# (customer_id, changes to BASE, expected outcome: "clean", "duplicate" or a reject reason)
CRAFTED_ROWS: list[tuple[str, dict[str, str], str]] = [
    ("m01", {"annual_income": "$12,345.50"}, "clean"),  # 5
    ("m02", {"annual_income": "75k"}, "clean"),  # 5
    ("m03", {"annual_income": "12.345,67"}, "annual_income_unparseable"),  # 5
    ("m04", {"total_purchase_amount": "1 200.50"}, "clean"),  # 23
    ("m05", {"age": "N/A"}, "clean"),  # 6: optional, imputed
    ("m06", {"annual_income": "null"}, "annual_income_missing"),  # 6: required
    ("m07", {"engagement_score": "?"}, "clean"),  # 6: optional, imputed
    ("m08", {"age": "-3"}, "age_out_of_range"),  # 7
    ("m09", {"age": "thirty"}, "age_unparseable"),  # 7
    ("m10", {"age": "150"}, "age_out_of_range"),  # 7
    ("m11", {"spending_score": "0"}, "spending_score_out_of_range"),  # 8
    ("m12", {"spending_score": "140"}, "spending_score_out_of_range"),  # 8
    ("m13", {"annual_income": "-50000"}, "annual_income_out_of_range"),  # 9
    ("m14", {"total_purchase_amount": "-10"}, "total_purchase_amount_out_of_range"),  # 9
    ("m15", {"retention_months": "-1"}, "retention_months_out_of_range"),  # 9
    ("m16", {}, "clean"),  # 10: kept copy
    ("m16", {}, "duplicate"),  # 10: identical copy, collapsed
    ("m17", {"spending_score": "60"}, "duplicate_id_conflict"),  # 11
    ("m17", {"spending_score": "61"}, "duplicate_id_conflict"),  # 11
    ("00123", {}, "clean"),  # 12
    ("123", {"age": "36"}, "clean"),  # 12: a different customer
    ("m18", {"gender": " Male "}, "clean"),  # 13
    ("m19", {"gender": "woman"}, "clean"),  # 13
    ("m20", {"gender": "Non-binary"}, "clean"),  # 13
    ("m21", {"gender": ""}, "clean"),  # 13: unknown
    ("m22", {"gender": "xyz"}, "clean"),  # 13: unknown
    ("m23", {"age": " 42\u00a0"}, "clean"),  # 23
    ("@m24", {"gender": '=HYPERLINK("http://x")'}, "clean"),  # 24: kept as text
    ("", {}, "customer_id_missing"),
]
FILE_COLUMNS = [  # 16: reordered, and 14: an extra column
    "store_region",
    "retention_months",
    "customer_id",
    "spending_score",
    "gender",
    "age",
    "annual_income",
    "engagement_score",
    "total_purchase_amount",
]


def raw_line(customer_id: str, values: dict[str, str]) -> str:
    """A record in FILE_COLUMNS order, joined by hand as no CSV writer would."""
    fields = {"store_region": "north", "customer_id": customer_id, **values}
    return ",".join(fields[column] for column in FILE_COLUMNS)


@pytest.fixture(scope="module")
def messy_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtRun, pd.DataFrame]:
    workdir = tmp_path_factory.mktemp("messy")
    base = clean_rows(n_rows=200, seed=9)
    crafted = pd.DataFrame(
        [{"customer_id": cid, **BASE, **changes} for cid, changes, _ in CRAFTED_ROWS]
    )
    rows = pd.concat([base, crafted], ignore_index=True)[list(CANONICAL_COLUMNS)]
    rows.insert(0, "store_region", "north")
    path = workdir / "messy.csv"
    write_csv(
        path,
        rows[FILE_COLUMNS],
        line_end="\r\n",
        extra_lines=[
            raw_line("m25", BASE) + ",surplus,fields",  # 4: too many columns
            raw_line("m26", {**BASE, "gender": '"Female'}),  # 4: unterminated quote, last
        ],
    )
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())  # 1: byte-order mark
    run = run_dbt(["build"], workdir, {"customers_path": str(path)})
    assert_succeeded(run)
    return run, base


def test_every_record_lands_in_exactly_one_place(messy_build) -> None:
    run, base = messy_build
    expected_rejects = [
        outcome for _, _, outcome in CRAFTED_ROWS if outcome not in {"clean", "duplicate"}
    ]
    expected_rejects += ["malformed_row", "malformed_row"]
    with run.connect() as connection:
        statuses = dict(
            connection.execute(
                "select row_status, count(*) from int_customers_validated group by all"
            ).fetchall()
        )
        reasons = connection.execute(
            "select reject_reason, count(*) from customers_rejected group by all"
        ).fetchall()
        segments = connection.execute("select count(*) from customer_segments").fetchone()[0]
    expected_clean = len(base) + sum(outcome == "clean" for _, _, outcome in CRAFTED_ROWS)
    rows_in = len(base) + len(CRAFTED_ROWS) + 2
    assert statuses == {
        "clean": expected_clean,
        "duplicate": 1,
        "rejected": len(expected_rejects),
    }
    assert segments == expected_clean
    assert rows_in == segments + statuses["duplicate"] + statuses["rejected"]
    assert dict(reasons) == dict(pd.Series(expected_rejects).value_counts())


def test_each_crafted_row_gets_its_outcome(messy_build) -> None:
    run, _ = messy_build
    with run.connect() as connection:
        outcomes = connection.execute(
            "select coalesce(customer_id, ''), row_status, reject_reason"
            " from int_customers_validated where source_row_number > 200"
            " and reject_reason is distinct from 'malformed_row' order by source_row_number"
        ).fetchall()
    observed = [(customer_id, reason or status) for customer_id, status, reason in outcomes]
    assert observed == [(customer_id, outcome) for customer_id, _, outcome in CRAFTED_ROWS]


def test_conflicting_ids_never_reach_the_segments(messy_build) -> None:
    run, _ = messy_build
    with run.connect() as connection:
        conflicting = connection.execute(
            "select count(*) from customer_segments where customer_id = 'm17'"
        ).fetchone()[0]
    assert conflicting == 0


def test_values_are_normalised_and_imputed(messy_build) -> None:
    run, _ = messy_build
    with run.connect() as connection:
        segments = (
            connection.execute(
                "select customer_id, gender, age, annual_income, total_purchase_amount,"
                " has_imputed_features, imputed_features from customer_segments"
                " where customer_id not similar to '[0-9]{6}'"
            )
            .df()
            .set_index("customer_id")
        )
        median_age = connection.execute(
            "select imputation_value from int_features_profiled where feature_name = 'age'"
        ).fetchone()[0]
    assert float(segments.loc["m01", "annual_income"]) == 12345.50
    assert float(segments.loc["m02", "annual_income"]) == 75000
    assert float(segments.loc["m04", "total_purchase_amount"]) == 1200.50
    assert segments.loc["m23", "age"] == 42
    assert segments.loc["m05", "age"] == round(median_age)
    assert segments.loc["m05", "imputed_features"] == "age"
    assert segments.loc["m07", "imputed_features"] == "engagement_score"
    assert segments["has_imputed_features"].sum() == 2
    assert {"00123", "123"} <= set(segments.index)
    genders = segments["gender"].to_dict()
    assert (genders["m18"], genders["m19"], genders["m20"]) == ("male", "female", "non-binary")
    assert genders["m21"] == genders["m22"] == genders["@m24"] == "unknown"


def test_malformed_records_keep_their_text_and_position(messy_build) -> None:
    run, base = messy_build
    with run.connect() as connection:
        malformed = connection.execute(
            "select source_row_number, reject_detail, raw_record from customers_rejected"
            " where reject_reason = 'malformed_row' order by source_row_number"
        ).fetchall()
    first_line = len(base) + len(CRAFTED_ROWS) + 1
    assert [position for position, _, _ in malformed] == [first_line, first_line + 1]
    assert "too many columns" in malformed[0][1]
    assert "surplus" in malformed[0][2]
    assert "unquoted value" in malformed[1][1]


def test_extra_columns_are_named_in_the_log(messy_build) -> None:
    run, _ = messy_build
    assert "ignoring columns not in the canonical set: store_region" in run.output


def test_catalogue_16_mall_customers_layout_builds_on_three_features(tmp_path: Path) -> None:
    path = tmp_path / "Mall_Customers.csv"
    mall_rows = write_mall_customers(path)
    run = run_dbt(
        ["build"], tmp_path, {"customers_path": str(path), "customer_columns": MALL_COLUMN_MAPPING}
    )
    assert_succeeded(run)
    assert "optional column(s) not in the file, left empty: total_purchase_amount" in run.output
    with run.connect() as connection:
        used = connection.execute("select features from segmentation_model_versions").fetchall()
        profiles = connection.execute(
            "select persona_name, is_matched_persona, unnamed_reason, customer_count, revenue"
            " from segment_profiles"
        ).df()
        clean = connection.execute("select count(*) from customer_segments").fetchone()[0]
    assert used == [("age, annual_income, spending_score",)]
    assert len(profiles) == 4
    # Without purchases or retention nothing can show High-Value Loyal Customers' defining
    # traits: that segment keeps a descriptive name; the personas the file can show are named.
    named = profiles[profiles["is_matched_persona"]]
    assert set(named["persona_name"]) < set(PERSONA_NAMES)
    assert "High-Value Loyal Customers" not in set(profiles["persona_name"])
    assert "Young, Trend-Driven Shoppers" in set(named["persona_name"])
    assert set(profiles["unnamed_reason"].dropna()) <= {
        "no_defining_feature_in_file",
        "profile_disagrees",
    }
    assert profiles["revenue"].isna().all()
    assert clean == mall_rows
