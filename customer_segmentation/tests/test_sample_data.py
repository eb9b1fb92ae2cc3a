"""Unit tests for the seeded sample customer file generator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.features import CANONICAL_COLUMNS, CUSTOMER_ID, PERSONA_NAMES
from customer_segmentation.sample_data import (
    EXTREME_INCOME_RANGE,
    EXTREME_PURCHASE_RANGE,
    PERSONA_DISTRIBUTIONS,
    chunk_seed,
    generate_clean_customers,
    generate_customer_file,
    main,
    make_extreme,
    write_customer_file,
    write_customer_file_in_chunks,
)

WHOLE = r"\d+"
DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def _whole_in_range(values: pd.Series, low: int, high: float) -> pd.Series:
    is_whole = values.str.fullmatch(WHOLE)
    numbers = pd.to_numeric(values.where(is_whole), errors="coerce")
    return is_whole & numbers.between(low, high)


def _valid_rows(file_rows: pd.DataFrame) -> pd.Series:
    """True where a row is clean as written: strict text, in range, no cleaning needed."""
    income = pd.to_numeric(
        file_rows["annual_income"].where(file_rows["annual_income"].str.fullmatch(WHOLE)),
        errors="coerce",
    )
    purchase_text = file_rows["total_purchase_amount"].str.fullmatch(r"\d+\.\d{2}")
    return (
        file_rows[CUSTOMER_ID].str.fullmatch(r"\d{6}")
        & file_rows["gender"].isin(["Female", "Male"])
        & _whole_in_range(file_rows["age"], 18, 100)
        & _whole_in_range(file_rows["spending_score"], 1, 100)
        & _whole_in_range(file_rows["engagement_score"], 0, 100)
        & _whole_in_range(file_rows["retention_months"], 0, float("inf"))
        & (income > 0)
        & purchase_text
    )


@pytest.fixture(scope="module")
def default_file() -> tuple[pd.DataFrame, pd.DataFrame]:
    return generate_customer_file(5000, seed=11)


# --- determinism ------------------------------------------------------------------------


def test_same_seed_gives_identical_file_and_truth():
    rows_a, truth_a = generate_customer_file(800, seed=5)
    rows_b, truth_b = generate_customer_file(800, seed=5)

    pd.testing.assert_frame_equal(rows_a, rows_b)
    pd.testing.assert_frame_equal(truth_a, truth_b)


def test_different_seed_gives_different_file_and_truth():
    rows_a, truth_a = generate_customer_file(800, seed=5)
    rows_b, truth_b = generate_customer_file(800, seed=6)

    assert not rows_a.equals(rows_b)
    # Ids are a permutation in both, so compare each customer's persona.
    merged = truth_a.merge(truth_b, on=CUSTOMER_ID, suffixes=("_a", "_b"))
    assert (merged["true_persona_a"] != merged["true_persona_b"]).any()


# --- shape ------------------------------------------------------------------------------


def test_columns_are_canonical_and_all_text(default_file):
    file_rows, _ = default_file

    assert tuple(file_rows.columns) == CANONICAL_COLUMNS
    for column in CANONICAL_COLUMNS:
        assert file_rows[column].map(type).eq(str).all(), column


def test_row_counts_and_truth_coverage(default_file):
    file_rows, truth = default_file
    n_rows = 5000

    assert len(file_rows) >= n_rows
    # Only duplicates add rows: every extra row repeats an earlier customer id.
    assert len(file_rows) - n_rows == file_rows[CUSTOMER_ID].duplicated().sum()
    assert list(truth.columns) == [CUSTOMER_ID, "true_persona"]
    assert truth[CUSTOMER_ID].is_unique
    assert len(truth) == file_rows[CUSTOMER_ID].nunique()
    assert set(file_rows[CUSTOMER_ID]) == set(truth[CUSTOMER_ID])
    assert truth["true_persona"].isin(PERSONA_NAMES).all()


def test_truth_is_the_generated_persona_of_each_customer():
    _, truth = generate_customer_file(1000, seed=8, dirty_share=0)
    clean = generate_clean_customers(1000, seed=8)

    merged = truth.merge(clean[[CUSTOMER_ID, "true_persona"]], on=CUSTOMER_ID, how="outer")
    assert len(merged) == 1000
    assert (merged["true_persona_x"] == merged["true_persona_y"]).all()


# --- clean and damaged values -----------------------------------------------------------


def test_without_dirt_every_value_is_valid_and_ids_unique():
    file_rows, truth = generate_customer_file(3000, seed=2, dirty_share=0)

    assert len(file_rows) == 3000
    assert len(truth) == 3000
    assert file_rows[CUSTOMER_ID].is_unique
    assert _valid_rows(file_rows).all()
    assert pd.to_numeric(file_rows["total_purchase_amount"]).ge(0).all()
    assert sorted(file_rows[CUSTOMER_ID].astype(int)) == list(range(1, 3001))


def test_default_dirty_share_damages_about_two_percent(default_file):
    file_rows, _ = default_file

    flagged = ~_valid_rows(file_rows) | file_rows[CUSTOMER_ID].duplicated()
    share = flagged.mean()

    assert 0.005 <= share <= 0.04


def test_each_damaged_row_leaves_exactly_one_flagged_row(default_file):
    file_rows, _ = default_file

    # Every damage either breaks a value (one row) or duplicates the row (one extra row).
    flagged = ~_valid_rows(file_rows) | file_rows[CUSTOMER_ID].duplicated()

    assert flagged.sum() == round(5000 * 0.02)


def test_damages_include_each_kind_of_problem(default_file):
    file_rows, _ = default_file
    duplicated = file_rows[file_rows[CUSTOMER_ID].duplicated(keep=False)]
    by_id = duplicated.groupby(CUSTOMER_ID)

    assert file_rows["annual_income"].str.contains(r"[$,]|k$").any()
    assert (~file_rows["gender"].isin(["Female", "Male"])).any()
    assert (~file_rows[CUSTOMER_ID].str.fullmatch(r"\d{6}")).any()
    assert (~file_rows["age"].str.fullmatch(WHOLE)).any()
    # Both exact and conflicting duplicates.
    assert (by_id["spending_score"].nunique() == 1).any()
    assert (by_id["spending_score"].nunique() > 1).any()


def test_dirty_share_one_damages_every_row():
    file_rows, _ = generate_customer_file(240, seed=4, dirty_share=1)

    flagged = ~_valid_rows(file_rows) | file_rows[CUSTOMER_ID].duplicated()

    assert flagged.sum() == 240


# --- personas ---------------------------------------------------------------------------


def test_configured_personas_are_the_canonical_ones():
    assert tuple(p.persona_name for p in PERSONA_DISTRIBUTIONS) == PERSONA_NAMES
    assert sum(p.share for p in PERSONA_DISTRIBUTIONS) == pytest.approx(1.0)


def test_every_persona_appears_in_its_configured_share(default_file):
    _, truth = default_file
    shares = truth["true_persona"].value_counts(normalize=True)

    assert set(shares.index) == set(PERSONA_NAMES)
    for persona in PERSONA_DISTRIBUTIONS:
        assert abs(shares[persona.persona_name] - persona.share) <= 0.05, persona.persona_name


def test_personas_differ_in_the_expected_direction():
    clean = generate_clean_customers(3000, seed=9)
    medians = clean.groupby("true_persona")[
        ["age", "annual_income", "total_purchase_amount", "retention_months"]
    ].median()

    young, premium = "Young, Trend-Driven Shoppers", "Premium but Low Engagement"
    loyal, new = "High-Value Loyal Customers", "New or Low-Spend Customers"
    assert medians["age"].idxmin() == young
    assert medians["annual_income"].idxmax() == premium
    assert medians["total_purchase_amount"].idxmax() == loyal
    assert medians["retention_months"].idxmin() == new


# --- extreme customers --------------------------------------------------------------------

MONEY = ["annual_income", "total_purchase_amount"]


def _changed_rows(before: pd.DataFrame, after: pd.DataFrame) -> pd.Series:
    return (before != after).any(axis=1)


@pytest.fixture(scope="module")
def clean_customers() -> pd.DataFrame:
    return generate_clean_customers(2000, seed=12)


@pytest.mark.parametrize(("share", "count"), [(0.005, 10), (0.001, 2), (0.0001, 1), (1.0, 2000)])
def test_make_extreme_makes_share_of_the_customers_extreme_at_least_one(
    clean_customers, share, count
):
    extreme = make_extreme(clean_customers, share, seed=12)

    changed = _changed_rows(clean_customers, extreme)
    assert changed.sum() == count
    income = extreme.loc[changed, "annual_income"]
    purchases = extreme.loc[changed, "total_purchase_amount"]
    assert income.between(*EXTREME_INCOME_RANGE).all()
    assert purchases.between(*EXTREME_PURCHASE_RANGE).all()
    # Far beyond everyone else: several times the richest ordinary customer.
    assert income.min() > 3 * clean_customers["annual_income"].max()


def test_make_extreme_keeps_everything_but_income_and_purchases(clean_customers):
    before = clean_customers.copy()

    extreme = make_extreme(clean_customers, 0.01, seed=3)

    pd.testing.assert_frame_equal(clean_customers, before)  # the input is left alone
    others = [name for name in extreme.columns if name not in MONEY]
    pd.testing.assert_frame_equal(extreme[others], clean_customers[others])
    changed = _changed_rows(clean_customers[MONEY], extreme[MONEY])
    # Both money values change on every extreme customer, and only on those.
    assert (extreme.loc[changed, MONEY] != clean_customers.loc[changed, MONEY]).all().all()


def test_make_extreme_with_share_zero_changes_nothing(clean_customers):
    pd.testing.assert_frame_equal(make_extreme(clean_customers, 0.0, seed=1), clean_customers)


def test_make_extreme_is_seeded(clean_customers):
    first = make_extreme(clean_customers, 0.01, seed=4)

    pd.testing.assert_frame_equal(make_extreme(clean_customers, 0.01, seed=4), first)
    assert not make_extreme(clean_customers, 0.01, seed=5).equals(first)


@pytest.mark.parametrize("share", [-0.1, 1.5])
def test_make_extreme_rejects_a_share_outside_0_to_1(clean_customers, share):
    with pytest.raises(ValueError, match="extreme_share must be between 0 and 1"):
        make_extreme(clean_customers, share, seed=1)
    with pytest.raises(ValueError, match="extreme_share"):
        generate_customer_file(100, seed=1, extreme_share=share)


def test_extreme_share_makes_that_many_customers_extreme_keeping_their_persona():
    plain_rows, plain_truth = generate_customer_file(3000, seed=14, dirty_share=0)

    rows, truth = generate_customer_file(3000, seed=14, dirty_share=0, extreme_share=0.002)

    changed = _changed_rows(plain_rows, rows)
    assert changed.sum() == 6
    others = [name for name in CANONICAL_COLUMNS if name not in MONEY]
    pd.testing.assert_frame_equal(rows[others], plain_rows[others])
    assert pd.to_numeric(rows.loc[changed, "annual_income"]).between(*EXTREME_INCOME_RANGE).all()
    purchases = pd.to_numeric(rows.loc[changed, "total_purchase_amount"])
    assert purchases.between(*EXTREME_PURCHASE_RANGE).all()
    # Still valid values as written (whole incomes, purchases with two decimals).
    assert _valid_rows(rows).all()
    pd.testing.assert_frame_equal(truth, plain_truth)


def test_extreme_share_with_damaged_rows_keeps_the_damages(default_file):
    rows, truth = generate_customer_file(5000, seed=11, extreme_share=0.001)
    plain_rows, plain_truth = default_file

    flagged = ~_valid_rows(rows) | rows[CUSTOMER_ID].duplicated()
    assert flagged.sum() == round(5000 * 0.02)
    assert len(rows) == len(plain_rows)
    pd.testing.assert_frame_equal(truth, plain_truth)


# --- dropped features ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "dropped",
    [("age",), ("age", "engagement_score"), ("gender", "retention_months"), ()],
)
def test_drop_features_leaves_out_exactly_those_columns(default_file, dropped):
    full_rows, full_truth = default_file

    rows, truth = generate_customer_file(5000, seed=11, drop_features=dropped)

    kept = [name for name in CANONICAL_COLUMNS if name not in dropped]
    assert list(rows.columns) == kept
    pd.testing.assert_frame_equal(rows, full_rows[kept])
    pd.testing.assert_frame_equal(truth, full_truth)


@pytest.mark.parametrize("dropped", [("shoe_size",), ("age", "shoe_size"), (CUSTOMER_ID,)])
def test_drop_features_refuses_a_column_that_is_not_an_optional_one(dropped):
    with pytest.raises(ValueError, match="drop_features") as error:
        generate_customer_file(100, seed=1, drop_features=dropped)
    unknown = [name for name in dropped if name != "age"]
    assert str(unknown) in str(error.value)


def test_write_customer_file_writes_the_extreme_and_dropped_options(tmp_path):
    out = tmp_path / "customers.csv"

    write_customer_file(out, None, 400, seed=3, extreme_share=0.01, drop_features=("age",))

    expected, _ = generate_customer_file(400, seed=3, extreme_share=0.01, drop_features=("age",))
    pd.testing.assert_frame_equal(_read_text_csv(out), expected.reset_index(drop=True))


# --- writing and the CLI ----------------------------------------------------------------


def test_write_customer_file_writes_readable_csvs(tmp_path):
    out = tmp_path / "nested" / "customers.csv"
    truth_out = tmp_path / "other" / "truth.csv"

    write_customer_file(out, truth_out, n_rows=600, seed=13)

    expected_rows, expected_truth = generate_customer_file(600, seed=13)
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    written_truth = pd.read_csv(truth_out, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(written, expected_rows.reset_index(drop=True))
    pd.testing.assert_frame_equal(written_truth, expected_truth)
    assert out.read_bytes().count(b"\r\n") == 0


def test_regenerating_the_committed_sample_reproduces_its_bytes(tmp_path):
    # `make sample` must give back the committed files: end-to-end tests and the README's
    # figures are pinned to them.
    out, truth_out = tmp_path / "customers.csv", tmp_path / "truth.csv"

    write_customer_file(out, truth_out, n_rows=5000, seed=42)

    assert out.read_bytes() == (DATA_DIR / "customers_sample.csv").read_bytes()
    assert truth_out.read_bytes() == (DATA_DIR / "customers_sample_truth.csv").read_bytes()


def test_write_customer_file_without_truth(tmp_path):
    out = tmp_path / "customers.csv"

    write_customer_file(out, None, n_rows=50, seed=1, dirty_share=0)

    assert out.exists()
    assert [path.name for path in tmp_path.iterdir()] == ["customers.csv"]
    written = pd.read_csv(out, dtype=str)
    assert tuple(written.columns) == CANONICAL_COLUMNS
    assert len(written) == 50


# --- id ranges and the chunked writer ---------------------------------------------------


def _read_text_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_id_range_relabels_customers_without_changing_their_values():
    default = generate_clean_customers(400, seed=3)
    shifted = generate_clean_customers(400, seed=3, first_id=1_001, id_width=8)

    assert shifted[CUSTOMER_ID].str.len().eq(8).all()
    assert (shifted[CUSTOMER_ID].astype(int) == default[CUSTOMER_ID].astype(int) + 1_000).all()
    pd.testing.assert_frame_equal(
        shifted.drop(columns=CUSTOMER_ID), default.drop(columns=CUSTOMER_ID)
    )


def test_damaged_file_keeps_ids_in_its_range():
    file_rows, truth = generate_customer_file(2000, seed=6, first_id=50_001, id_width=7)
    ids = file_rows[CUSTOMER_ID].astype(int)

    assert ids.between(50_001, 52_000).all()
    # The unpadded-id damage leaves shorter ids, still in the range and still distinct.
    assert (file_rows[CUSTOMER_ID].str.len() < 7).any()
    assert len(truth) == 2000


def test_chunk_seeds_are_deterministic_and_distinct():
    seeds = [chunk_seed(7, index) for index in range(50)]

    assert seeds == [chunk_seed(7, index) for index in range(50)]
    assert len(set(seeds)) == len(seeds)
    assert chunk_seed(8, 0) != chunk_seed(7, 0)
    # Never the next integer of a neighbour, which that neighbour's damages already use.
    assert not set(seeds) & {seed + 1 for seed in seeds}


def test_chunked_file_is_its_chunks_one_after_another(tmp_path):
    out = tmp_path / "nested" / "customers.csv"

    write_customer_file_in_chunks(out, n_rows=2_500, seed=4, chunk_rows=1_000)

    chunks = [
        generate_customer_file(size, chunk_seed(4, index), first_id=first_id)[0]
        for index, (size, first_id) in enumerate([(1_000, 1), (1_000, 1_001), (500, 2_001)])
    ]
    expected = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(_read_text_csv(out), expected)
    assert out.read_bytes().count(b"customer_id") == 1
    assert out.read_bytes().count(b"\r\n") == 0


def test_chunked_file_without_dirt_has_every_id_once(tmp_path):
    out = tmp_path / "customers.csv"

    write_customer_file_in_chunks(out, n_rows=2_300, seed=5, chunk_rows=1_000, dirty_share=0)

    written = _read_text_csv(out)
    assert tuple(written.columns) == CANONICAL_COLUMNS
    assert sorted(written[CUSTOMER_ID]) == [f"{i:06d}" for i in range(1, 2_301)]
    assert _valid_rows(written).all()


def test_chunked_file_ids_are_unique_across_chunks_but_for_duplicates(tmp_path):
    out = tmp_path / "customers.csv"
    n_rows = 3_000

    write_customer_file_in_chunks(out, n_rows=n_rows, seed=9, chunk_rows=700, dirty_share=0.2)

    written = _read_text_csv(out)
    # Only the duplicate damages add rows, and every added row repeats an id of its chunk.
    assert written[CUSTOMER_ID].nunique() == n_rows
    assert len(written) - n_rows == written[CUSTOMER_ID].duplicated().sum() > 0


def test_chunked_file_is_reproducible(tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"

    write_customer_file_in_chunks(first, n_rows=1_500, seed=3, chunk_rows=400)
    write_customer_file_in_chunks(second, n_rows=1_500, seed=3, chunk_rows=400)

    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"n_rows": 0}, "n_rows"),
        ({"chunk_rows": 0}, "chunk_rows"),
        ({"dirty_share": 1.5}, "dirty_share"),
    ],
)
def test_chunked_writer_refuses_bad_arguments_and_writes_nothing(tmp_path, arguments, message):
    out = tmp_path / "sub" / "customers.csv"

    with pytest.raises(ValueError, match=message):
        write_customer_file_in_chunks(out, **{"n_rows": 100, "seed": 1, **arguments})
    assert not out.exists()


def test_main_cli_writes_both_files(tmp_path):
    out, truth_out = tmp_path / "c.csv", tmp_path / "t.csv"

    args = ["--rows", "300", "--seed", "21", "--dirty-share", "0.1"]
    main([*args, "--out", str(out), "--truth", str(truth_out)])

    expected_rows, expected_truth = generate_customer_file(300, seed=21, dirty_share=0.1)
    written = pd.read_csv(out, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(written, expected_rows.reset_index(drop=True))
    pd.testing.assert_frame_equal(
        pd.read_csv(truth_out, dtype=str, keep_default_na=False), expected_truth
    )


def test_main_cli_extreme_share_and_drop_features_flags(tmp_path):
    out, truth_out = tmp_path / "c.csv", tmp_path / "t.csv"

    main(
        [
            *("--rows", "500", "--seed", "8"),
            *("--extreme-share", "0.01", "--drop-features", "age, engagement_score"),
            *("--out", str(out), "--truth", str(truth_out)),
        ]
    )

    expected_rows, expected_truth = generate_customer_file(
        500, seed=8, extreme_share=0.01, drop_features=("age", "engagement_score")
    )
    written = _read_text_csv(out)
    assert "age" not in written.columns
    assert "engagement_score" not in written.columns
    income = pd.to_numeric(written["annual_income"], errors="coerce")
    assert (income >= EXTREME_INCOME_RANGE[0]).any()
    pd.testing.assert_frame_equal(written, expected_rows.reset_index(drop=True))
    pd.testing.assert_frame_equal(_read_text_csv(truth_out), expected_truth)


def test_main_cli_defaults_write_no_extremes_and_every_column(tmp_path):
    out = tmp_path / "c.csv"

    main(["--rows", "200", "--seed", "8", "--out", str(out)])

    expected_rows, _ = generate_customer_file(200, seed=8)
    pd.testing.assert_frame_equal(_read_text_csv(out), expected_rows.reset_index(drop=True))
    assert tuple(_read_text_csv(out).columns) == CANONICAL_COLUMNS


def test_main_cli_rejects_an_unknown_dropped_feature(tmp_path):
    out = tmp_path / "c.csv"

    with pytest.raises(ValueError, match="shoe_size"):
        main(["--rows", "50", "--out", str(out), "--drop-features", "shoe_size"])
    assert not out.exists()


def test_main_cli_requires_out(capsys):
    with pytest.raises(SystemExit):
        main(["--rows", "10"])
    assert "--out" in capsys.readouterr().err


# --- invalid arguments ------------------------------------------------------------------


@pytest.mark.parametrize("n_rows", [0, -5])
def test_invalid_row_count_raises(n_rows):
    with pytest.raises(ValueError, match="n_rows"):
        generate_customer_file(n_rows, seed=1)
    with pytest.raises(ValueError, match="n_rows"):
        generate_clean_customers(n_rows, seed=1)


@pytest.mark.parametrize("dirty_share", [1.5, -0.1])
def test_invalid_dirty_share_raises(dirty_share):
    with pytest.raises(ValueError, match="dirty_share"):
        generate_customer_file(100, seed=1, dirty_share=dirty_share)


def test_invalid_arguments_write_nothing(tmp_path):
    out = tmp_path / "sub" / "customers.csv"

    with pytest.raises(ValueError):
        write_customer_file(out, None, n_rows=100, seed=1, dirty_share=1.5)
    assert not out.exists()
