"""Seeded generator of customer files laid out as real marketing exports, not as the project.

Real CRM exports rarely carry the project's features. A common marketing export has no
customer id, a birth year instead of an age, a customer-since date (``dd/mm/yyyy``) instead of
months of retention, and spend split over product categories instead of one total. This
module writes such a file from the same personas as ``sample_data``, so that the derivations
of the var ``customer_columns`` can be tested and demonstrated end to end:

    age                    {birth_year: Year_Birth}
    retention_months       {since_date: Dt_Customer, date_format: "%d/%m/%Y"}
    total_purchase_amount  {sum_of: [MntRings, MntNecklaces, MntEarrings, MntWatches]}
    customer_id            {row_number: true}

``damaged_share`` of the rows get an impossible birth year, an unreadable date or a missing
category amount, the damages derivations must survive. The truth file holds each record's
true persona by its position in the file (there is no id).

Usage::

    python -m customer_segmentation.sample_exports --rows 2000 --seed 7 \
        --as-of 2026-06-30 --out data/marketing_export_sample.csv
"""

from __future__ import annotations

import argparse
import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from customer_segmentation.sample_data import generate_clean_customers

SPEND_CATEGORIES: tuple[str, ...] = ("MntRings", "MntNecklaces", "MntEarrings", "MntWatches")
EXPORT_DATE_FORMAT = "%d/%m/%Y"
# The vars that read an export of this layout: the project's canonical column -> the export's
# header or derivation. The README's example and the tests use exactly these.
EXPORT_COLUMN_MAPPING: dict[str, object] = {
    "customer_id": {"row_number": True},
    "gender": "Sex",
    "age": {"birth_year": "Year_Birth"},
    "annual_income": "Income",
    "spending_score": "Spending_Score",
    "engagement_score": "Engagement_Index",
    "retention_months": {"since_date": "Dt_Customer", "date_format": EXPORT_DATE_FORMAT},
    "total_purchase_amount": {"sum_of": list(SPEND_CATEGORIES)},
}
EXPORT_HEADERS: tuple[str, ...] = (
    "Sex",
    "Year_Birth",
    "Income",
    "Dt_Customer",
    *SPEND_CATEGORIES,
    "Spending_Score",
    "Engagement_Index",
)


def customer_since(as_of: date, months: np.ndarray, rng: np.random.Generator) -> list[date]:
    """A date exactly ``months`` whole months before ``as_of``: that many months back, then
    fewer days back than any month is long, so the whole-month count stays ``months``."""
    anchor = pd.Timestamp(as_of)
    days_back = rng.integers(0, 28, size=len(months))
    return [
        (anchor - pd.DateOffset(months=int(m)) - pd.Timedelta(days=int(d))).date()
        for m, d in zip(months, days_back, strict=True)
    ]


def split_spend(totals: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Each total split over the categories in random shares, in cents that add up exactly."""
    shares = rng.dirichlet(np.ones(len(SPEND_CATEGORIES)), size=len(totals))
    cents = np.rint(totals * 100).astype(np.int64)
    parts = np.floor(shares[:, :-1] * cents[:, None]).astype(np.int64)
    last = cents - parts.sum(axis=1)
    return np.column_stack([parts, last]) / 100


def _impossible_birth_year(row: dict, rng: np.random.Generator, as_of: date) -> None:
    row["Year_Birth"] = str(rng.choice([1890, 1899, as_of.year - 5]))


def _unreadable_date(row: dict, rng: np.random.Generator, as_of: date) -> None:
    row["Dt_Customer"] = str(rng.choice(["31/13/2020", "2020-05-01", "yesterday"]))


def _missing_category_amount(row: dict, rng: np.random.Generator, as_of: date) -> None:
    row[str(rng.choice(SPEND_CATEGORIES))] = ""


EXPORT_DAMAGES = (_impossible_birth_year, _unreadable_date, _missing_category_amount)


def generate_export_file(
    n_rows: int, seed: int, as_of: date, damaged_share: float = 0.0
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(file_rows, truth)``: an export-layout file as text, and each record's persona.

    ``truth`` has ``source_row_number`` (1 for the first record) and ``true_persona``.
    Damaged rows take the damages in turn, so each kind occurs.
    """
    if not 0 <= damaged_share <= 1:
        raise ValueError(f"damaged_share must be between 0 and 1, got {damaged_share}")
    customers = generate_clean_customers(n_rows, seed)
    rng = np.random.default_rng(seed + 2)
    spend = split_spend(customers["total_purchase_amount"].to_numpy(), rng)
    since = customer_since(as_of, customers["retention_months"].to_numpy(), rng)
    rows = pd.DataFrame(
        {
            "Sex": customers["gender"].str[0],
            "Year_Birth": (as_of.year - customers["age"]).astype(str),
            "Income": customers["annual_income"].map(lambda v: f"{v:.0f}"),
            "Dt_Customer": [day.strftime(EXPORT_DATE_FORMAT) for day in since],
            **{
                category: [f"{amount:.2f}" for amount in spend[:, index]]
                for index, category in enumerate(SPEND_CATEGORIES)
            },
            "Spending_Score": customers["spending_score"].astype(str),
            "Engagement_Index": customers["engagement_score"].astype(str),
        }
    )
    n_damaged = round(n_rows * damaged_share)
    positions = sorted(rng.choice(n_rows, size=n_damaged, replace=False).tolist())
    for turn, position in enumerate(positions):
        row = rows.iloc[position].to_dict()
        EXPORT_DAMAGES[turn % len(EXPORT_DAMAGES)](row, rng, as_of)
        rows.iloc[position] = pd.Series(row)
    truth = pd.DataFrame(
        {
            "source_row_number": np.arange(1, n_rows + 1),
            "true_persona": customers["true_persona"],
        }
    )
    return rows[list(EXPORT_HEADERS)], truth


def write_export_file(
    out: Path,
    truth_out: Path | None,
    n_rows: int,
    seed: int,
    as_of: date,
    damaged_share: float = 0.0,
) -> None:
    """Write an export-layout customer file (and, if asked, its truth file) as UTF-8 CSV."""
    rows, truth = generate_export_file(n_rows, seed, as_of, damaged_share)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    if truth_out is not None:
        truth_out.parent.mkdir(parents=True, exist_ok=True)
        truth.to_csv(truth_out, index=False, lineterminator="\n")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000, help="customers to draw")
    parser.add_argument("--seed", type=int, default=7, help="random seed")
    parser.add_argument(
        "--as-of", type=date.fromisoformat, required=True, help="the export's date, YYYY-MM-DD"
    )
    parser.add_argument(
        "--damaged-share", type=float, default=0.0, help="share of rows with a damaged cell"
    )
    parser.add_argument("--out", type=Path, required=True, help="customer CSV to write")
    parser.add_argument("--truth", type=Path, default=None, help="truth CSV to write")
    args = parser.parse_args(argv)
    write_export_file(args.out, args.truth, args.rows, args.seed, args.as_of, args.damaged_share)


if __name__ == "__main__":
    main()
