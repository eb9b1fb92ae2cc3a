"""The report's scatter sample: ``report.data.seeded_sample`` on a DuckDB relation.

(Moved here with the function from ``clustering``: the fits now draw their sample in SQL,
``int_customer_features_sampled``; the report, which reads only DuckDB, keeps this pick.)
"""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest

from customer_segmentation.report.data import seeded_sample
from customer_segmentation.sample_data import generate_clean_customers


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_clean_customers(2000, seed=3)


def test_seeded_sample_takes_at_most_size_distinct_customers(customers):
    sample = seeded_sample(duckdb.from_df(customers), 300, seed=0)
    everyone = seeded_sample(duckdb.from_df(customers), len(customers) + 10, seed=0)

    assert len(sample) == 300
    assert sample["customer_id"].is_unique
    assert set(sample["customer_id"]) <= set(customers["customer_id"])
    assert sorted(everyone["customer_id"]) == sorted(customers["customer_id"])
    assert list(sample.columns) == list(customers.columns)


def test_seeded_sample_depends_on_the_ids_and_the_seed_not_on_row_order(customers):
    shuffled = customers.sample(frac=1, random_state=7).reset_index(drop=True)

    first = seeded_sample(duckdb.from_df(customers), 300, seed=0)
    again = seeded_sample(duckdb.from_df(shuffled), 300, seed=0)
    other_seed = seeded_sample(duckdb.from_df(customers), 300, seed=1)

    assert first["customer_id"].tolist() == again["customer_id"].tolist()
    assert set(first["customer_id"]) != set(other_seed["customer_id"])


def test_seeded_sample_keeps_a_customer_picked_when_others_leave(customers):
    first = seeded_sample(duckdb.from_df(customers), 300, seed=0)
    fewer = customers[customers["customer_id"] != first["customer_id"].iloc[-1]]

    again = seeded_sample(duckdb.from_df(fewer), 300, seed=0)

    # Only the customer who left is replaced, by the next one in the seeded order.
    assert len(set(first["customer_id"]) & set(again["customer_id"])) == 299


@pytest.mark.parametrize("size", [1, 2, 3, 50, 400])
def test_seeded_sample_picks_the_same_customers_as_sorting_everyone(customers, size):
    # Sizes this small against 2,000 customers take the hash-range shortcut, and the smallest
    # ones often find too few ids in the range and fall back: both must pick the same ids.
    relation = duckdb.from_df(customers)
    for seed in range(10):
        expected = relation.order(f"hash(customer_id, {seed}), customer_id").limit(size).df()

        sample = seeded_sample(relation, size, seed=seed)

        assert sample["customer_id"].tolist() == expected["customer_id"].tolist()


@pytest.mark.parametrize("size", [0, -5])
def test_seeded_sample_rejects_an_empty_sample(customers, size):
    with pytest.raises(ValueError, match="sample size must be at least 1"):
        seeded_sample(duckdb.from_df(customers), size, seed=0)
