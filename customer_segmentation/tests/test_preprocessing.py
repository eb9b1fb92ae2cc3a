"""Unit tests for the robust feature preparation in ``preprocessing``."""

from __future__ import annotations

import numpy as np
import pytest

from customer_segmentation.features import CLUSTERING_FEATURES
from customer_segmentation.preprocessing import (
    EXTREME_IQR_MULTIPLE,
    IDENTITY,
    LOG1P,
    WINSOR_QUANTILES,
    FeaturePreparation,
    apply_transforms,
)
from customer_segmentation.sample_data import generate_clean_customers

ALL_FEATURES = tuple(CLUSTERING_FEATURES)
MONEY = ("annual_income", "total_purchase_amount")
AGE_INCOME = ("age", "annual_income")


@pytest.fixture(scope="module")
def values() -> np.ndarray:
    customers = generate_clean_customers(2000, seed=21)
    return customers[list(ALL_FEATURES)].to_numpy(dtype=float)


@pytest.fixture(scope="module")
def preparation(values) -> FeaturePreparation:
    return FeaturePreparation.fit(values, ALL_FEATURES)


@pytest.fixture(scope="module")
def ladder() -> FeaturePreparation:
    """Age 0.0..100.0 and an income whose log1p is 0.00..10.00: percentiles by hand."""
    steps = np.arange(1001, dtype=float)
    return FeaturePreparation.fit(np.column_stack([steps / 10, np.expm1(steps / 100)]), AGE_INCOME)


def _column(name: str) -> int:
    return ALL_FEATURES.index(name)


def _log_money(values: np.ndarray) -> np.ndarray:
    """The documented transform, written out: ln(1 + amount) for money, as is otherwise."""
    transformed = values.copy()
    for name in MONEY:
        transformed[:, _column(name)] = np.log(1 + values[:, _column(name)])
    return transformed


# --- transforms -----------------------------------------------------------------------------


def test_only_money_features_are_log_scaled(preparation):
    assert preparation.features == ALL_FEATURES
    assert preparation.transforms == (IDENTITY, LOG1P, IDENTITY, LOG1P, IDENTITY, IDENTITY)
    assert dict(zip(ALL_FEATURES, preparation.transforms, strict=True)) == {
        "age": "identity",
        "annual_income": "log1p",
        "spending_score": "identity",
        "total_purchase_amount": "log1p",
        "engagement_score": "identity",
        "retention_months": "identity",
    }


def test_transforms_follow_the_features_in_any_order_and_subset():
    features = ("total_purchase_amount", "age", "engagement_score")
    values = np.array([[100.0, 30.0, 50.0], [900.0, 40.0, 60.0], [50.0, 50.0, 70.0]])

    preparation = FeaturePreparation.fit(values, features)

    assert preparation.transforms == (LOG1P, IDENTITY, IDENTITY)


def test_apply_transforms_is_ln_of_one_plus_money_and_leaves_the_rest():
    values = np.array([[np.e - 1, 42.0], [0.0, -3.0], [np.e**2 - 1, 0.5]])

    transformed = apply_transforms(values, (LOG1P, IDENTITY))

    np.testing.assert_allclose(transformed, [[1.0, 42.0], [0.0, -3.0], [2.0, 0.5]])


def test_apply_transforms_reads_negative_money_as_zero():
    transformed = apply_transforms(np.array([[-50.0, -50.0]]), (LOG1P, IDENTITY))

    np.testing.assert_array_equal(transformed, [[0.0, -50.0]])


def test_apply_transforms_refuses_an_unknown_transform_naming_it():
    with pytest.raises(ValueError, match=r"unknown feature transform\(s\) \['sqrt'\]"):
        apply_transforms(np.ones((2, 2)), (LOG1P, "sqrt"))


# --- clipping (winsorising) -----------------------------------------------------------------


def test_clip_bounds_are_the_half_percent_percentiles_of_the_transformed_values(ladder):
    # Linear percentiles of 0.0..100.0 are 0.5 and 99.5; of 0.00..10.00, 0.05 and 9.95.
    assert WINSOR_QUANTILES == (0.005, 0.995)
    np.testing.assert_allclose(ladder.clip_lowers, [0.5, 0.05])
    np.testing.assert_allclose(ladder.clip_uppers, [99.5, 9.95])


def test_clip_bounds_of_customer_data_are_on_the_log_scale_for_money(values, preparation):
    transformed = _log_money(values)

    np.testing.assert_allclose(
        preparation.clip_lowers, np.percentile(transformed, 0.5, axis=0), rtol=1e-12
    )
    np.testing.assert_allclose(
        preparation.clip_uppers, np.percentile(transformed, 99.5, axis=0), rtol=1e-12
    )
    # Money bounds are logs (incomes near 50,000 have a log near 11), not amounts.
    assert preparation.clip_uppers[_column("annual_income")] < 20


def test_means_and_scales_are_those_of_the_clipped_transformed_fit_values(values, preparation):
    clipped = np.clip(_log_money(values), preparation.clip_lowers, preparation.clip_uppers)

    np.testing.assert_allclose(preparation.means, clipped.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(preparation.scales, clipped.std(axis=0, ddof=0), rtol=1e-12)


def test_standardised_fit_values_have_mean_0_and_sd_1(values, preparation):
    scaled = preparation.standardise(values)

    np.testing.assert_allclose(scaled.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1, rtol=1e-12)


def test_an_extreme_value_is_clipped_to_the_bound_and_flagged(values, preparation):
    ordinary = np.median(values, axis=0)
    extreme = ordinary.copy()
    extreme[_column("annual_income")] = 5_000_000
    at_bound = ordinary.copy()
    at_bound[_column("annual_income")] = np.expm1(preparation.clip_uppers[_column("annual_income")])

    scaled = preparation.standardise(np.vstack([ordinary, extreme, at_bound]))
    flagged = preparation.extreme_mask(np.vstack([ordinary, extreme]))

    income = _column("annual_income")
    bound = (preparation.clip_uppers[income] - preparation.means[income]) / preparation.scales[
        income
    ]
    assert scaled[1, income] == pytest.approx(bound)
    np.testing.assert_allclose(scaled[1], scaled[2], rtol=1e-9, atol=1e-12)
    # The extreme customer differs from the ordinary one only on income.
    np.testing.assert_array_equal(np.delete(scaled[1], income), np.delete(scaled[0], income))
    assert flagged[0].tolist() == [False] * len(ALL_FEATURES)
    assert flagged[1].tolist() == [name == "annual_income" for name in ALL_FEATURES]


def test_a_value_far_below_the_base_is_clipped_and_flagged(ladder):
    low = np.array([[-10_000.0, 0.0]])

    np.testing.assert_allclose(ladder.standardise(low), ladder.standardise(np.array([[0.5, 0.0]])))
    assert ladder.extreme_mask(low).tolist() == [[True, False]]


def test_clipping_alone_does_not_flag_a_customer(values, preparation):
    # The richest customers of an ordinary file are clipped (beyond the 99.5th percentile)
    # but lie within the far-out fences: winsorised, not extreme.
    transformed = _log_money(values)
    clipped = (transformed > preparation.clip_uppers) | (transformed < preparation.clip_lowers)
    flagged = preparation.extreme_mask(values)

    for name in MONEY:
        assert clipped[:, _column(name)].any(), name
        assert not flagged[:, _column(name)].any(), name
    assert flagged.sum() < clipped.sum()


def test_extreme_fences_are_three_interquartile_ranges_beyond_the_quartiles(ladder):
    # Age 0.0..100.0: quartiles 25 and 75, IQR 50.
    assert EXTREME_IQR_MULTIPLE == 3.0
    assert ladder.extreme_lowers[0] == pytest.approx(25 - 3 * 50)
    assert ladder.extreme_uppers[0] == pytest.approx(75 + 3 * 50)
    ages = np.array([[224.9, 0.0], [225.1, 0.0], [-124.9, 0.0], [-125.1, 0.0]])
    assert ladder.extreme_mask(ages)[:, 0].tolist() == [False, True, False, True]


def test_a_feature_with_zero_iqr_does_not_flag_its_ordinary_values():
    # Most customers are new (0 months): the middle half is one value, so the IQR is 0 and
    # every other tenure would be "extreme" without the fallback to the standard deviation.
    months = np.concatenate([np.zeros(760), np.tile(np.arange(1.0, 7.0), 40)])
    ages = np.random.default_rng(0).normal(40, 10, 1000)
    values = np.column_stack([ages, months])
    features = ("age", "retention_months")
    assert np.percentile(months, 25) == np.percentile(months, 75) == 0

    preparation = FeaturePreparation.fit(values, features)

    assert not preparation.extreme_mask(values)[:, 1].any()
    far_out = preparation.extreme_mask(np.array([[40.0, 1000.0]]))
    assert far_out.tolist() == [[False, True]]
    assert np.isfinite(preparation.extreme_uppers).all()


def test_a_constant_column_is_not_divided_by_zero():
    values = np.column_stack([np.full(10, 40.0), np.arange(10, dtype=float)])

    preparation = FeaturePreparation.fit(values, AGE_INCOME)

    assert preparation.scales[0] == 1.0
    assert np.isfinite(preparation.standardise(values)).all()
    assert not preparation.extreme_mask(values).any()


# --- back to the features' own units --------------------------------------------------------


def test_to_transformed_scale_undoes_the_standardisation(values, preparation):
    clipped = np.clip(_log_money(values), preparation.clip_lowers, preparation.clip_uppers)

    back = preparation.to_transformed_scale(preparation.standardise(values))

    np.testing.assert_allclose(back, clipped, rtol=1e-12)


def test_to_original_scale_inverts_the_preparation_within_the_clip_bounds(ladder):
    inside = np.array([[0.5, 100.0], [50.0, 2500.0], [99.5, np.expm1(9.95)]])

    back = ladder.to_original_scale(ladder.standardise(inside))

    np.testing.assert_allclose(back, inside, rtol=1e-9)


def test_to_original_scale_gives_the_clip_bound_for_a_clipped_value(ladder):
    back = ladder.to_original_scale(ladder.standardise(np.array([[200.0, 1e9]])))

    np.testing.assert_allclose(back, [[99.5, np.expm1(9.95)]], rtol=1e-9)


def test_to_original_scale_of_the_base_is_the_mean_on_the_log_scale(ladder):
    back = ladder.to_original_scale(np.zeros((1, 2)))

    np.testing.assert_allclose(back, [[ladder.means[0], np.expm1(ladder.means[1])]])


def test_a_column_clipping_leaves_constant_is_centred_not_blown_up():
    # 99.6% of customers on one placeholder income: clipping leaves the column constant up to
    # rounding noise, which must not become a scale that puts everyone a standard deviation out.
    incomes = np.full(2000, 52_000.0)
    incomes[:8] = [10_000, 20_000, 30_000, 40_000, 60_000, 70_000, 80_000, 90_000]
    ages = np.linspace(20, 70, 2000)
    values = np.column_stack([ages, incomes])
    prepared = FeaturePreparation.fit(values, ("age", "annual_income"))

    assert prepared.scales[1] == 1.0
    np.testing.assert_allclose(prepared.standardise(values)[8:, 1], 0.0, atol=1e-9)


def test_to_original_scale_leaves_large_non_money_values_alone_without_overflow():
    values = np.column_stack([np.linspace(700, 900, 500), np.linspace(1_000, 9_000, 500)])
    prepared = FeaturePreparation.fit(values, ("retention_months", "annual_income"))
    standardised = prepared.standardise(values)

    with np.errstate(over="raise"):
        original = prepared.to_original_scale(standardised)

    expected = np.clip(values[:, 0], prepared.clip_lowers[0], prepared.clip_uppers[0])
    np.testing.assert_allclose(original[:, 0], expected)
