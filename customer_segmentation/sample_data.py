"""Seeded generator of a realistic jewellery-retailer customer file.

Customers are drawn from the four business personas (``shared`` persona notes) with
overlapping distributions, so a clustering recovers most but not all of them. About
``dirty_share`` of the rows are then damaged in the ways real exports are damaged
(money formats, odd gender spellings, missing markers, impossible values, duplicates),
so the cleaning models have real work to do.

The true persona of every customer goes to a separate truth file that only tests read.

Usage::

    python -m customer_segmentation.sample_data --rows 5000 --seed 42 \
        --out data/customers_sample.csv --truth data/customers_sample_truth.csv

Files too large for memory (benchmarks at 10M or 100M rows) are written a chunk at a time
by ``write_customer_file_in_chunks``.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from customer_segmentation.features import CANONICAL_COLUMNS, CUSTOMER_ID


@dataclass(frozen=True)
class PersonaDistribution:
    """How one persona's customers are distributed; normal (mean, sd) unless noted."""

    persona_name: str
    share: float
    age: tuple[float, float]
    annual_income_median: float
    annual_income_log_sd: float
    spending_score: tuple[float, float]
    purchase_median: float
    purchase_log_sd: float
    engagement_score: tuple[float, float]
    retention_months: tuple[float, float]
    female_share: float


# Ids are zero-padded to this many digits, as in the committed sample ("000042").
DEFAULT_ID_WIDTH = 6
# Customers generated at a time by the chunked writer: about 1 GB of peak memory.
DEFAULT_CHUNK_ROWS = 1_000_000

PERSONA_DISTRIBUTIONS: tuple[PersonaDistribution, ...] = (
    PersonaDistribution(
        persona_name="High-Value Loyal Customers",
        share=0.22,
        age=(45, 11),
        annual_income_median=88_000,
        annual_income_log_sd=0.30,
        spending_score=(64, 16),
        purchase_median=11_000,
        purchase_log_sd=0.38,
        engagement_score=(72, 15),
        retention_months=(54, 22),
        female_share=0.62,
    ),
    PersonaDistribution(
        persona_name="Young, Trend-Driven Shoppers",
        share=0.28,
        age=(27, 6),
        annual_income_median=48_000,
        annual_income_log_sd=0.30,
        spending_score=(75, 15),
        purchase_median=3_200,
        purchase_log_sd=0.45,
        engagement_score=(64, 16),
        retention_months=(17, 11),
        female_share=0.68,
    ),
    PersonaDistribution(
        persona_name="Premium but Low Engagement",
        share=0.15,
        age=(52, 10),
        annual_income_median=150_000,
        annual_income_log_sd=0.28,
        spending_score=(40, 16),
        purchase_median=8_000,
        purchase_log_sd=0.45,
        engagement_score=(32, 15),
        retention_months=(30, 18),
        female_share=0.50,
    ),
    PersonaDistribution(
        persona_name="New or Low-Spend Customers",
        share=0.35,
        age=(38, 12),
        annual_income_median=42_000,
        annual_income_log_sd=0.38,
        spending_score=(31, 16),
        purchase_median=700,
        purchase_log_sd=0.70,
        engagement_score=(37, 16),
        retention_months=(8, 6),
        female_share=0.55,
    ),
)


def _draw_personas(n_rows: int, rng: np.random.Generator) -> np.ndarray:
    shares = np.array([p.share for p in PERSONA_DISTRIBUTIONS])
    return rng.choice(len(PERSONA_DISTRIBUTIONS), size=n_rows, p=shares / shares.sum())


def generate_clean_customers(
    n_rows: int, seed: int, *, first_id: int = 1, id_width: int = DEFAULT_ID_WIDTH
) -> pd.DataFrame:
    """Customers with valid values and their true persona (column ``true_persona``).

    Ids are ``first_id .. first_id + n_rows - 1`` in a seeded order, zero-padded to
    ``id_width`` digits. The id range only relabels the customers (the random draws do not
    depend on it), so the chunks of a large file can take disjoint ranges.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}")
    rng = np.random.default_rng(seed)
    persona_index = _draw_personas(n_rows, rng)
    columns: dict[str, np.ndarray] = {
        name: np.empty(n_rows)
        for name in (
            "age",
            "annual_income",
            "spending_score",
            "total_purchase_amount",
            "engagement_score",
            "retention_months",
        )
    }
    is_female = np.empty(n_rows, dtype=bool)
    for index, persona in enumerate(PERSONA_DISTRIBUTIONS):
        mask = persona_index == index
        size = int(mask.sum())
        columns["age"][mask] = rng.normal(*persona.age, size)
        columns["annual_income"][mask] = rng.lognormal(
            np.log(persona.annual_income_median), persona.annual_income_log_sd, size
        )
        columns["spending_score"][mask] = rng.normal(*persona.spending_score, size)
        columns["total_purchase_amount"][mask] = rng.lognormal(
            np.log(persona.purchase_median), persona.purchase_log_sd, size
        )
        columns["engagement_score"][mask] = rng.normal(*persona.engagement_score, size)
        columns["retention_months"][mask] = rng.normal(*persona.retention_months, size)
        is_female[mask] = rng.random(size) < persona.female_share

    # Clip to the valid domain so that only the deliberately damaged rows are rejected.
    customers = pd.DataFrame(
        {
            CUSTOMER_ID: [
                f"{i:0{id_width}d}" for i in rng.permutation(np.arange(first_id, first_id + n_rows))
            ],
            "gender": np.where(is_female, "Female", "Male"),
            "age": np.clip(np.rint(columns["age"]), 18, 90).astype(int),
            "annual_income": np.round(np.clip(columns["annual_income"], 12_000, None), -2),
            "spending_score": np.clip(np.rint(columns["spending_score"]), 1, 100).astype(int),
            "total_purchase_amount": np.round(columns["total_purchase_amount"], 2),
            "engagement_score": np.clip(np.rint(columns["engagement_score"]), 0, 100).astype(int),
            "retention_months": np.clip(np.rint(columns["retention_months"]), 0, None).astype(int),
            "true_persona": [PERSONA_DISTRIBUTIONS[i].persona_name for i in persona_index],
        }
    )
    return customers


# Extreme customers as real exports hold a few of them: a collector, a data-entry slip.
EXTREME_INCOME_RANGE = (2_000_000, 10_000_000)
EXTREME_PURCHASE_RANGE = (300_000, 1_500_000)


def make_extreme(customers: pd.DataFrame, share: float, seed: int) -> pd.DataFrame:
    """A copy where ``share`` of the customers (at least one if share > 0) earn and spend
    far beyond everyone else: income 2-10 million, purchases 300 thousand to 1.5 million.

    Their other values and their true persona are kept: an extreme customer is still
    somebody, and the segmentation must neither give them a segment of their own nor let
    them drag a persona's centroid.
    """
    if not 0 <= share <= 1:
        raise ValueError(f"extreme_share must be between 0 and 1, got {share}")
    if share == 0:
        return customers
    extreme = customers.copy()
    count = max(1, round(len(customers) * share))
    rng = np.random.default_rng([seed, 13])
    rows = rng.choice(len(customers), size=count, replace=False)
    extreme.loc[extreme.index[rows], "annual_income"] = np.round(
        rng.uniform(*EXTREME_INCOME_RANGE, count), -2
    )
    extreme.loc[extreme.index[rows], "total_purchase_amount"] = np.round(
        rng.uniform(*EXTREME_PURCHASE_RANGE, count), 2
    )
    return extreme


def _as_text(customers: pd.DataFrame) -> pd.DataFrame:
    text = customers.astype(str)
    text["annual_income"] = customers["annual_income"].map(lambda v: f"{v:.0f}")
    text["total_purchase_amount"] = customers["total_purchase_amount"].map(lambda v: f"{v:.2f}")
    return text


# Each damage takes one clean row (as text) and returns the rows that replace it.
# Damages marked "recoverable" leave a row the cleaning must accept.
def _money_with_symbols(row: dict, rng: np.random.Generator) -> list[dict]:
    column = rng.choice(["annual_income", "total_purchase_amount"])
    row[column] = f"${float(row[column]):,.2f}"
    return [row]


def _income_in_thousands(row: dict, rng: np.random.Generator) -> list[dict]:
    row["annual_income"] = f"{round(float(row['annual_income']) / 1000)}k"
    return [row]


def _income_unparseable(row: dict, rng: np.random.Generator) -> list[dict]:
    row["annual_income"] = rng.choice(["about 50000", "12.345,67", "fifty thousand"])
    return [row]


def _gender_spelling(row: dict, rng: np.random.Generator) -> list[dict]:
    female = row["gender"] == "Female"
    if female:
        options = ["F", "female", " Female ", "woman", "W"]
    else:
        options = ["M", "male", " Male ", "man"]
    row["gender"] = rng.choice([*options, "Other", "Non-binary", "", "=HYPERLINK(1)", "unknown?"])
    return [row]


def _missing_marker(row: dict, rng: np.random.Generator) -> list[dict]:
    column = rng.choice(["age", "annual_income", "spending_score", "engagement_score"])
    row[column] = rng.choice(["", "N/A", "n/a", "null", "NULL", "-", "NaN", "?"])
    return [row]


def _impossible_age(row: dict, rng: np.random.Generator) -> list[dict]:
    row["age"] = rng.choice(["-3", "0", "7", "150", "thirty"])
    return [row]


def _spending_out_of_range(row: dict, rng: np.random.Generator) -> list[dict]:
    row["spending_score"] = rng.choice(["0", "140", "-5"])
    return [row]


def _negative_amount(row: dict, rng: np.random.Generator) -> list[dict]:
    column = rng.choice(["annual_income", "total_purchase_amount", "retention_months"])
    # "-0" would still read as a valid zero: make the value truly negative.
    row[column] = f"-{row[column]}" if float(row[column]) > 0 else "-1"
    return [row]


def _whitespace_in_numbers(row: dict, rng: np.random.Generator) -> list[dict]:
    row["age"] = f" {row['age']} "
    row["spending_score"] = f"{row['spending_score']}\u00a0"
    return [row]


def _exact_duplicate(row: dict, rng: np.random.Generator) -> list[dict]:
    return [row, dict(row)]


def _conflicting_duplicate(row: dict, rng: np.random.Generator) -> list[dict]:
    other = dict(row)
    other["spending_score"] = str(min(100, int(row["spending_score"]) + 7))
    return [row, other]


def _unpadded_id(row: dict, rng: np.random.Generator) -> list[dict]:
    # "001234" and "1234" are different customers: the unpadded id is a new one.
    row[CUSTOMER_ID] = str(int(row[CUSTOMER_ID]))
    return [row]


DAMAGES = (
    _money_with_symbols,
    _income_in_thousands,
    _income_unparseable,
    _gender_spelling,
    _missing_marker,
    _impossible_age,
    _spending_out_of_range,
    _negative_amount,
    _whitespace_in_numbers,
    _exact_duplicate,
    _conflicting_duplicate,
    _unpadded_id,
)


def generate_customer_file(
    n_rows: int,
    seed: int,
    dirty_share: float = 0.02,
    *,
    first_id: int = 1,
    id_width: int = DEFAULT_ID_WIDTH,
    extreme_share: float = 0.0,
    drop_features: tuple[str, ...] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return ``(file_rows, truth)``: the customer file as text, and each customer's persona.

    ``file_rows`` has the canonical columns, all text, in file order. ``truth`` has one
    row per distinct customer id with ``true_persona``. ``first_id`` and ``id_width`` set the
    ids as in ``generate_clean_customers``. ``extreme_share`` of the customers are made
    extreme (``make_extreme``); ``drop_features`` are left out of the file, as in an export
    that lacks them.

    Only the damaged rows pass through Python dicts; the clean rows stay columnar, which
    keeps a million-row file to seconds. The damages see the rows in file order, so the
    output is the same as damaging every row in one pass.
    """
    if not 0 <= dirty_share <= 1:
        raise ValueError(f"dirty_share must be between 0 and 1, got {dirty_share}")
    unknown = sorted(set(drop_features) - set(CANONICAL_COLUMNS[1:]))
    if unknown:
        raise ValueError(
            f"drop_features must be optional columns of {CANONICAL_COLUMNS[1:]}; got {unknown}"
        )
    clean = generate_clean_customers(n_rows, seed, first_id=first_id, id_width=id_width)
    clean = make_extreme(clean, extreme_share, seed)
    rng = np.random.default_rng(seed + 1)
    text = _as_text(clean)
    n_dirty = round(n_rows * dirty_share)
    dirty_positions = sorted(rng.choice(n_rows, size=n_dirty, replace=False).tolist())
    damaged_rows: list[dict] = []
    damaged_positions: list[int] = []
    dirty_records = text.iloc[dirty_positions].to_dict("records")
    for damaged_so_far, (position, row) in enumerate(
        zip(dirty_positions, dirty_records, strict=True)
    ):
        # The damage kind cycles with the row's place in the output, which each earlier
        # duplicate has pushed down by one row.
        rows_added_by_duplicates = len(damaged_rows) - damaged_so_far
        damage = DAMAGES[(position + rows_added_by_duplicates) % len(DAMAGES)]
        replacement = damage(row, rng)
        damaged_rows.extend(replacement)
        damaged_positions.extend([position] * len(replacement))
    file_rows = text.drop(index=dirty_positions).assign(_position=lambda rows: rows.index)
    if damaged_rows:
        damaged = pd.DataFrame(damaged_rows).astype(str).assign(_position=damaged_positions)
        # A stable sort keeps a damage's replacement rows in the order the damage returned.
        file_rows = pd.concat([file_rows, damaged]).sort_values("_position", kind="stable")
    file_rows = file_rows.drop(columns="_position").reset_index(drop=True)
    truth = file_rows[[CUSTOMER_ID, "true_persona"]].drop_duplicates(CUSTOMER_ID)
    columns = [name for name in CANONICAL_COLUMNS if name not in drop_features]
    return file_rows[columns], truth.reset_index(drop=True)


def write_customer_file(
    out: Path,
    truth_out: Path | None,
    n_rows: int,
    seed: int,
    dirty_share: float = 0.02,
    *,
    extreme_share: float = 0.0,
    drop_features: tuple[str, ...] = (),
) -> None:
    """Write the customer file (and, if asked, the truth file) as UTF-8 CSV."""
    file_rows, truth = generate_customer_file(
        n_rows, seed, dirty_share, extreme_share=extreme_share, drop_features=drop_features
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    file_rows.to_csv(out, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    if truth_out is not None:
        truth_out.parent.mkdir(parents=True, exist_ok=True)
        truth.to_csv(truth_out, index=False, lineterminator="\n")


def chunk_seed(seed: int, chunk_index: int) -> int:
    """The seed of one chunk of a chunked file, derived from the file's seed.

    Not ``seed + chunk_index``: a chunk uses both its seed and the next integer, so
    neighbouring chunks would share a random stream. ``SeedSequence`` mixes both numbers.
    """
    return int(np.random.SeedSequence([seed, chunk_index]).generate_state(1)[0])


def write_customer_file_in_chunks(
    out: Path,
    n_rows: int,
    seed: int,
    chunk_rows: int = DEFAULT_CHUNK_ROWS,
    dirty_share: float = 0.02,
) -> None:
    """Write a customer file of any size in bounded memory, ``chunk_rows`` customers at a time.

    Chunk ``k`` is ``generate_customer_file`` with seed ``chunk_seed(seed, k)`` and its own
    range of ids, all padded to one width, so ids stay unique across the file (the unpadded
    ids some damages write cannot match a padded one). Same arguments, same bytes. Memory
    is that of one chunk; a 100M-row file (about 4 GB) is written like a 1M-row one.
    """
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}")
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be at least 1, got {chunk_rows}")
    if not 0 <= dirty_share <= 1:
        raise ValueError(f"dirty_share must be between 0 and 1, got {dirty_share}")
    id_width = max(DEFAULT_ID_WIDTH, len(str(n_rows)))
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        for chunk_index, first_row in enumerate(range(0, n_rows, chunk_rows)):
            file_rows, _ = generate_customer_file(
                min(chunk_rows, n_rows - first_row),
                chunk_seed(seed, chunk_index),
                dirty_share,
                first_id=first_row + 1,
                id_width=id_width,
            )
            file_rows.to_csv(
                handle,
                index=False,
                header=chunk_index == 0,
                quoting=csv.QUOTE_MINIMAL,
                lineterminator="\n",
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=5000, help="customers to draw")
    parser.add_argument("--seed", type=int, default=42, help="random seed")
    parser.add_argument("--dirty-share", type=float, default=0.02, help="share of damaged rows")
    parser.add_argument("--out", type=Path, required=True, help="customer CSV to write")
    parser.add_argument("--truth", type=Path, default=None, help="truth CSV to write")
    parser.add_argument(
        "--extreme-share",
        type=float,
        default=0.0,
        help="share of customers with extreme income and purchases (e.g. 0.001)",
    )
    parser.add_argument(
        "--drop-features",
        default="",
        help="comma-separated features to leave out of the file (e.g. age,engagement_score)",
    )
    args = parser.parse_args(argv)
    write_customer_file(
        args.out,
        args.truth,
        args.rows,
        args.seed,
        args.dirty_share,
        extreme_share=args.extreme_share,
        drop_features=tuple(name.strip() for name in args.drop_features.split(",") if name.strip()),
    )


if __name__ == "__main__":
    main()
