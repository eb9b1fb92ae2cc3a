"""The marts of feature statistics (``feature_correlations``, ``feature_distributions``) hold
what pandas and numpy compute from the sample build's customers."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.features import CLUSTERING_FEATURES, LOG_SCALED_FEATURES
from customer_segmentation.tests.dbt_runner import DbtRun

BIN_COUNT = 30


@pytest.fixture(scope="module")
def marts(sample_build: DbtRun) -> dict[str, pd.DataFrame]:
    with sample_build.connect() as connection:
        return {
            name: connection.execute(f"select * from {name}").df()
            for name in ("customer_segments", "feature_correlations", "feature_distributions")
        }


def test_correlations_are_pandas_pearson_over_the_clean_customers(marts) -> None:
    customers = marts["customer_segments"]
    expected = customers[list(CLUSTERING_FEATURES)].astype(float).corr()
    correlations = marts["feature_correlations"]
    # Each pair once, the feature first in canonical order on the left.
    pairs = zip(correlations["left_feature"], correlations["right_feature"], strict=True)
    assert sorted(pairs) == sorted(itertools.combinations(CLUSTERING_FEATURES, 2))
    for pair in correlations.itertuples():
        assert pair.pearson_correlation == pytest.approx(
            expected.loc[pair.left_feature, pair.right_feature], abs=1e-9
        )
        assert pair.customer_count == len(customers)


def test_histogram_counts_add_up_to_the_customers_of_each_gender(marts) -> None:
    customers = marts["customer_segments"]
    bins = marts["feature_distributions"]
    assert set(bins["feature_name"]) == set(CLUSTERING_FEATURES)
    counted = bins.groupby(["feature_name", "gender"])["customer_count"].sum()
    for feature in CLUSTERING_FEATURES:
        for gender, customer_count in customers["gender"].value_counts().items():
            assert counted[(feature, gender)] == customer_count


def test_bins_are_numpys_histogram_of_each_gender(marts) -> None:
    """Thirty equal bins common to every gender, each count exactly numpy.histogram's, up to
    the largest value or, for money, the 99.5th percentile with the rest in bin 31."""
    customers = marts["customer_segments"]
    bins = marts["feature_distributions"].sort_values(["feature_name", "gender", "bin_number"])
    for feature in CLUSTERING_FEATURES:
        values = customers[feature].astype(float)
        money = feature in LOG_SCALED_FEATURES
        upper = values.quantile(0.995) if money else values.max()
        edges = np.histogram_bin_edges(values, bins=BIN_COUNT, range=(values.min(), upper))
        for gender, gender_bins in bins[bins["feature_name"] == feature].groupby("gender"):
            shown = gender_bins[~gender_bins["is_above_display_cut"]]
            assert shown["bin_number"].tolist() == list(range(1, BIN_COUNT + 1))
            bin_edges = np.append(shown["bin_lower"], shown["bin_upper"].iloc[-1])
            assert bin_edges == pytest.approx(edges, rel=1e-12)
            # Counted against the mart's own edges: a value on an edge opens the next bin.
            gender_values = values[customers["gender"] == gender].to_numpy()
            cut = bin_edges[-1]
            expected, _ = np.histogram(gender_values[gender_values <= cut], bins=bin_edges)
            assert shown["customer_count"].tolist() == expected.tolist()
            above = gender_bins[gender_bins["is_above_display_cut"]]
            if money:
                assert above["bin_number"].tolist() == [BIN_COUNT + 1]
                assert above["customer_count"].iloc[0] == (gender_values > cut).sum()
                assert above["bin_upper"].iloc[0] == values.max()
            else:
                assert above.empty
    # The sample has incomes far above the rest: the cut leaves customers off the charts.
    income_above = bins[(bins["feature_name"] == "annual_income") & bins["is_above_display_cut"]]
    assert income_above["customer_count"].sum() > 0
