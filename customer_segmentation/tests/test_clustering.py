"""Unit tests for the KMeans segmentation behind the dbt model ``customer_clusters``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.clustering import (
    MAX_CLUSTERS,
    MIN_CLUSTERS,
    KMeansSettings,
    SegmentationInputError,
    check_segmentable,
    fit_kmeans,
    segment_customers,
)
from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID, PERSONA_NAMES
from customer_segmentation.sample_data import generate_clean_customers

SEED_PATH = Path(__file__).parents[2] / "seeds" / "persona_definitions.csv"
ALL_FEATURES = tuple(CLUSTERING_FEATURES)
EXPECTED_COLUMNS = [
    CUSTOMER_ID,
    "cluster_id",
    "persona_id",
    "persona_name",
    "is_matched_persona",
    "distance_to_centroid",
    "persona_match_distance",
    "persona_match_confidence",
    "persona_match_features",
]


@pytest.fixture(scope="module")
def persona_definitions() -> pd.DataFrame:
    return pd.read_csv(SEED_PATH)


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_clean_customers(2000, seed=3)


@pytest.fixture(scope="module")
def settings() -> KMeansSettings:
    return KMeansSettings(features=ALL_FEATURES)


@pytest.fixture(scope="module")
def segmented(customers, persona_definitions, settings) -> pd.DataFrame:
    return segment_customers(customers, persona_definitions, settings)


def _tiny_customers(rows: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            CUSTOMER_ID: [f"{i:06d}" for i in range(1, len(rows) + 1)],
            "age": [row[0] for row in rows],
            "annual_income": [row[1] for row in rows],
        }
    )


TWO_FEATURES = ("age", "annual_income")


# --- KMeansSettings ---------------------------------------------------------------------


def test_settings_defaults():
    settings = KMeansSettings(features=ALL_FEATURES)

    assert settings.n_clusters == 4
    assert settings.n_init >= 1
    assert settings.features == ALL_FEATURES


@pytest.mark.parametrize(
    "features",
    [("age", "shoe_size"), ("age",), ()],
    ids=["unknown feature", "one feature", "no features"],
)
def test_settings_reject_bad_features(features):
    with pytest.raises(SegmentationInputError, match="clustering_features") as error:
        KMeansSettings(features=features)
    assert str(list(features)) in str(error.value)


@pytest.mark.parametrize("n_clusters", [1, 13, 0, -4])
def test_settings_reject_n_clusters_out_of_range(n_clusters):
    with pytest.raises(SegmentationInputError, match="n_clusters") as error:
        KMeansSettings(features=TWO_FEATURES, n_clusters=n_clusters)
    assert f"got {n_clusters}" in str(error.value)


@pytest.mark.parametrize("n_clusters", [MIN_CLUSTERS, MAX_CLUSTERS])
def test_settings_accept_n_clusters_at_the_bounds(n_clusters):
    assert KMeansSettings(features=TWO_FEATURES, n_clusters=n_clusters).n_clusters == n_clusters


@pytest.mark.parametrize("n_init", [0, -1])
def test_settings_reject_n_init_below_one(n_init):
    with pytest.raises(SegmentationInputError, match="kmeans_n_init"):
        KMeansSettings(features=TWO_FEATURES, n_init=n_init)


def test_settings_error_is_a_value_error():
    with pytest.raises(ValueError):
        KMeansSettings(features=TWO_FEATURES, n_clusters=1)


# --- KMeansSettings.from_config_values ----------------------------------------------------


def test_from_config_values_accepts_native_values():
    settings = KMeansSettings.from_config_values(list(ALL_FEATURES), 5, 7, 3)

    assert settings == KMeansSettings(features=ALL_FEATURES, n_clusters=5, random_state=7, n_init=3)


@pytest.mark.parametrize(
    "features",
    [
        "['age', 'annual_income']",
        '["age", "annual_income"]',
        "[age, annual_income]",
        " ['age',  'annual_income'] ",
        "age,annual_income",
        ("age", "annual_income"),
        ["age", "annual_income"],
    ],
)
def test_from_config_values_reads_rendered_feature_lists(features):
    settings = KMeansSettings.from_config_values(features, "4", "0", "10")

    assert settings.features == ("age", "annual_income")


def test_from_config_values_reads_numbers_rendered_as_text():
    settings = KMeansSettings.from_config_values("['age', 'spending_score']", "6", "42", " 2 ")

    assert (settings.n_clusters, settings.random_state, settings.n_init) == (6, 42, 2)
    assert all(isinstance(v, int) for v in (settings.n_clusters, settings.random_state))


@pytest.mark.parametrize("value", ["4.5", "four", True, False, None, "", 4.5, "nan"])
def test_from_config_values_rejects_non_integers(value):
    with pytest.raises(SegmentationInputError) as error:
        KMeansSettings.from_config_values(list(TWO_FEATURES), value, 0, 10)
    assert str(error.value) == f"n_clusters must be an integer; got {value!r}"


@pytest.mark.parametrize("value", [True, False])
def test_from_config_values_rejects_booleans_even_where_1_or_0_would_do(value):
    # True would otherwise pass as random_state 1: YAML "yes"/"true" is not a number.
    with pytest.raises(SegmentationInputError, match="kmeans_random_state must be an integer"):
        KMeansSettings.from_config_values(list(TWO_FEATURES), 4, value, 10)


def test_from_config_values_names_the_bad_setting():
    with pytest.raises(SegmentationInputError, match="kmeans_random_state"):
        KMeansSettings.from_config_values(list(TWO_FEATURES), 4, "zero", 10)
    with pytest.raises(SegmentationInputError, match="kmeans_n_init"):
        KMeansSettings.from_config_values(list(TWO_FEATURES), 4, 0, "10.5")


@pytest.mark.parametrize("features", [None, 3, {"age": 1}])
def test_from_config_values_rejects_non_list_features(features):
    with pytest.raises(SegmentationInputError, match="clustering_features"):
        KMeansSettings.from_config_values(features, 4, 0, 10)


def test_from_config_values_still_validates_ranges():
    with pytest.raises(SegmentationInputError, match="n_clusters"):
        KMeansSettings.from_config_values(list(TWO_FEATURES), "13", 0, 10)
    with pytest.raises(SegmentationInputError, match="clustering_features"):
        KMeansSettings.from_config_values("['age', 'height']", 4, 0, 10)


# --- check_segmentable ------------------------------------------------------------------


def test_check_segmentable_accepts_enough_distinct_rows():
    customers = _tiny_customers([(20, 1), (30, 2), (40, 3), (50, 4)])

    check_segmentable(customers, KMeansSettings(features=TWO_FEATURES, n_clusters=4))


def test_check_segmentable_rejects_fewer_rows_than_clusters():
    customers = _tiny_customers([(20, 1), (30, 2), (40, 3)])

    with pytest.raises(SegmentationInputError) as error:
        check_segmentable(customers, KMeansSettings(features=TWO_FEATURES, n_clusters=4))
    message = str(error.value)
    assert "Only 3 clean customer" in message
    assert "n_clusters = 4" in message


def test_check_segmentable_rejects_fewer_distinct_points_than_clusters():
    # Ten rows, but only three distinct profiles.
    customers = _tiny_customers([(20, 1)] * 4 + [(30, 2)] * 3 + [(40, 3)] * 3)

    with pytest.raises(SegmentationInputError) as error:
        check_segmentable(customers, KMeansSettings(features=TWO_FEATURES, n_clusters=4))
    message = str(error.value)
    assert "Only 3 distinct" in message
    assert "n_clusters = 4" in message


def test_check_segmentable_counts_distinct_points_on_the_features_only():
    # Distinct customer ids must not make identical profiles count as distinct.
    customers = _tiny_customers([(20, 1)] * 5 + [(30, 2)] * 5)
    customers["engagement_score"] = range(10)

    with pytest.raises(SegmentationInputError, match="Only 2 distinct"):
        check_segmentable(customers, KMeansSettings(features=TWO_FEATURES, n_clusters=3))


def test_check_segmentable_rejects_missing_values_naming_the_column():
    customers = _tiny_customers([(20, 1), (30, np.nan), (40, 3), (50, 4), (60, 5)])

    with pytest.raises(SegmentationInputError, match="missing values") as error:
        check_segmentable(customers, KMeansSettings(features=TWO_FEATURES, n_clusters=2))
    assert "annual_income" in str(error.value)
    assert "'age'" not in str(error.value)


def test_check_segmentable_rejects_missing_feature_column():
    customers = _tiny_customers([(20, 1), (30, 2), (40, 3)])
    settings = KMeansSettings(features=("age", "spending_score"), n_clusters=2)

    with pytest.raises(SegmentationInputError, match="spending_score"):
        check_segmentable(customers, settings)


def test_segment_customers_checks_before_fitting(persona_definitions):
    customers = _tiny_customers([(20, 1)] * 10)

    with pytest.raises(SegmentationInputError, match="Only 1 distinct"):
        segment_customers(customers, persona_definitions, KMeansSettings(features=TWO_FEATURES))


# --- fit_kmeans -------------------------------------------------------------------------


def test_fit_kmeans_distances_are_to_the_nearest_standardised_centroid(customers, settings):
    fitted = fit_kmeans(customers, settings)

    values = customers[list(ALL_FEATURES)].to_numpy(dtype=float)
    scaled = (values - values.mean(axis=0)) / values.std(axis=0)
    centres = fitted.centroids_standardised.to_numpy()
    all_distances = np.linalg.norm(scaled[:, None, :] - centres[None, :, :], axis=2)

    assert list(fitted.centroids_standardised.columns) == list(ALL_FEATURES)
    assert centres.shape == (settings.n_clusters, len(ALL_FEATURES))
    np.testing.assert_array_equal(fitted.labels, all_distances.argmin(axis=1))
    np.testing.assert_allclose(fitted.distances, all_distances.min(axis=1), atol=1e-9)
    assert fitted.inertia == pytest.approx(float((fitted.distances**2).sum()), rel=1e-6)
    # Standardised centroids of a partition average to the overall mean of 0.
    sizes = np.bincount(fitted.labels, minlength=settings.n_clusters)
    np.testing.assert_allclose(sizes @ centres / sizes.sum(), 0, atol=1e-9)


# --- segment_customers ------------------------------------------------------------------


def test_segment_customers_returns_one_sorted_row_per_customer(customers, segmented):
    assert list(segmented.columns) == EXPECTED_COLUMNS
    assert len(segmented) == len(customers)
    assert segmented[CUSTOMER_ID].is_unique
    assert set(segmented[CUSTOMER_ID]) == set(customers[CUSTOMER_ID])
    assert segmented[CUSTOMER_ID].tolist() == sorted(customers[CUSTOMER_ID])
    assert segmented.index.tolist() == list(range(len(customers)))


def test_segment_customers_recovers_the_true_personas(customers, segmented):
    truth = customers.set_index(CUSTOMER_ID)["true_persona"]
    agreement = (segmented["persona_name"].to_numpy() == truth[segmented[CUSTOMER_ID]]).mean()

    assert agreement >= 0.9
    assert set(segmented["persona_name"]) == set(PERSONA_NAMES)


def test_segment_customers_matched_clusters_use_the_persona_id(segmented, persona_definitions):
    assert segmented["is_matched_persona"].all()
    assert (segmented["cluster_id"] == segmented["persona_id"]).all()
    names = persona_definitions.set_index("persona_id")["persona_name"]
    assert (segmented["persona_name"].to_numpy() == names[segmented["persona_id"]].to_numpy()).all()
    # Each cluster has a single persona, match distance and confidence.
    per_cluster = segmented.groupby("cluster_id")[
        ["persona_name", "persona_match_distance", "persona_match_confidence"]
    ].nunique()
    assert (per_cluster == 1).all().all()


def test_segment_customers_value_ranges(segmented):
    assert (segmented["distance_to_centroid"] >= 0).all()
    assert segmented["distance_to_centroid"].notna().all()
    assert segmented["persona_match_confidence"].between(0, 1).all()
    # Recovered personas sit well within one standard deviation (RMS per feature) of their
    # profile, and much closer to it than to any other persona.
    assert segmented["persona_match_distance"].between(0, 1).all()
    assert (segmented["persona_match_confidence"] >= 0.5).all()
    assert (segmented["persona_match_features"] == ", ".join(ALL_FEATURES)).all()


def test_segment_customers_is_deterministic(customers, persona_definitions, settings, segmented):
    again = segment_customers(customers, persona_definitions, settings)

    pd.testing.assert_frame_equal(again, segmented, check_exact=True)


def test_fit_kmeans_single_init_is_reproducible_from_random_state(customers):
    # With one initialisation the seed decides the result, label numbers included.
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=8, n_init=1, random_state=5)

    first, second = fit_kmeans(customers, settings), fit_kmeans(customers, settings)

    np.testing.assert_array_equal(first.labels, second.labels)
    pd.testing.assert_frame_equal(
        first.centroids_standardised, second.centroids_standardised, check_exact=True
    )


def test_segment_customers_names_do_not_depend_on_row_order(
    customers, persona_definitions, settings, segmented
):
    for seed in (0, 1):
        shuffled = customers.sample(frac=1, random_state=seed).reset_index(drop=True)
        result = segment_customers(shuffled, persona_definitions, settings)

        # Same persona and cluster for every single customer.
        for column in [CUSTOMER_ID, "cluster_id", "persona_id", "persona_name"]:
            pd.testing.assert_series_equal(result[column], segmented[column])
        # Floating-point sums differ in order only.
        for column in ["distance_to_centroid", "persona_match_distance"]:
            np.testing.assert_allclose(result[column], segmented[column], rtol=1e-9, atol=1e-12)


def test_segment_customers_accepts_integer_customer_ids(customers, persona_definitions):
    numeric_ids = customers.assign(**{CUSTOMER_ID: customers[CUSTOMER_ID].astype(int)})
    settings = KMeansSettings(features=ALL_FEATURES, n_init=2)

    result = segment_customers(numeric_ids, persona_definitions, settings)

    assert result[CUSTOMER_ID].map(type).eq(str).all()
    assert set(result[CUSTOMER_ID]) == {str(i) for i in numeric_ids[CUSTOMER_ID]}


def test_segment_customers_with_more_clusters_than_personas(customers, persona_definitions):
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=6, n_init=3)

    result = segment_customers(customers, persona_definitions, settings)

    assert sorted(result["cluster_id"].unique()) == [1, 2, 3, 4, 5, 6]
    leftovers = result[~result["is_matched_persona"]]
    assert set(leftovers["persona_name"]) == {"Unmatched Segment 5", "Unmatched Segment 6"}
    assert leftovers["persona_id"].isna().all()
    assert leftovers["persona_match_distance"].isna().all()
    sizes = leftovers["cluster_id"].value_counts()
    assert sizes[5] >= sizes[6]
    matched = result[result["is_matched_persona"]]
    assert (matched["cluster_id"] == matched["persona_id"]).all()


def test_segment_customers_with_fewer_clusters_and_a_feature_subset(customers, persona_definitions):
    features = ("age", "annual_income", "spending_score")
    settings = KMeansSettings(features=features, n_clusters=2, n_init=3)

    result = segment_customers(customers, persona_definitions, settings)

    assert result["is_matched_persona"].all()
    assert result["persona_id"].nunique() == 2
    assert set(result["persona_id"]) <= set(persona_definitions["persona_id"])
    assert (result["persona_match_features"] == "age, annual_income, spending_score").all()
