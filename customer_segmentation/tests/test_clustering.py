"""Unit tests for the KMeans settings and the diagnostics in ``clustering``."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.clustering import (
    DIAGNOSTIC_SPARK_SCHEMA,
    KMeansSettings,
    diagnose_cluster_counts,
    features_for_clustering,
    judge_cluster_count,
    standardise,
)
from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID
from customer_segmentation.sample_data import generate_clean_customers

ALL_FEATURES = tuple(CLUSTERING_FEATURES)


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_clean_customers(2000, seed=3)


@pytest.fixture(scope="module")
def settings() -> KMeansSettings:
    return KMeansSettings(features=ALL_FEATURES)


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


def test_settings_default_min_persona_share_is_two_percent():
    assert KMeansSettings(features=TWO_FEATURES).min_persona_share == 0.02


# --- standardise --------------------------------------------------------------------------


def test_standardise_centres_and_scales_each_column_with_the_population_sd(customers):
    # As the segmentation prepares them: income on the log scale, both clipped to the 0.5th
    # and 99.5th percentiles, then centred and scaled.
    values = customers[list(TWO_FEATURES)].to_numpy(dtype=float)
    transformed = np.column_stack([values[:, 0], np.log1p(values[:, 1])])
    clipped = np.clip(transformed, *np.percentile(transformed, [0.5, 99.5], axis=0))

    scaled = standardise(customers, list(TWO_FEATURES))

    np.testing.assert_allclose(scaled, (clipped - clipped.mean(axis=0)) / clipped.std(axis=0))
    np.testing.assert_allclose(scaled.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(scaled.std(axis=0), 1, rtol=1e-12)


def test_standardise_keeps_an_extreme_income_within_the_clipped_range(customers):
    extreme = customers.copy()
    extreme.loc[extreme.index[0], "annual_income"] = 50_000_000

    scaled = standardise(extreme, list(TWO_FEATURES))

    # Linear scaling would put this customer about 40 sd out; clipped, it is the top income.
    assert scaled[0, 1] == pytest.approx(scaled[:, 1].max())
    assert scaled[:, 1].max() < 4


# --- features_for_clustering --------------------------------------------------------------


def _feature_profiles(rows: list[tuple[str, int, bool]]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["feature_name", "feature_position", "is_used_for_clustering"]
    )


def test_features_for_clustering_keeps_used_features_in_position_order():
    profiles = _feature_profiles(
        [
            ("retention_months", 6, True),
            ("age", 1, True),
            ("spending_score", 3, False),
            ("engagement_score", 5, True),
            ("annual_income", 2, True),
        ]
    )

    features = features_for_clustering(profiles)

    assert features == ["age", "annual_income", "engagement_score", "retention_months"]
    assert all(type(name) is str for name in features)


def test_features_for_clustering_reads_integer_flags():
    profiles = _feature_profiles([("annual_income", 2, 1), ("age", 1, 0), ("spending_score", 3, 1)])

    assert features_for_clustering(profiles) == ["annual_income", "spending_score"]


def test_features_for_clustering_is_empty_when_nothing_is_used():
    profiles = _feature_profiles([("age", 1, False), ("annual_income", 2, False)])

    assert features_for_clustering(profiles) == []


# --- diagnose_cluster_counts --------------------------------------------------------------

DIAGNOSTIC_SETTINGS = KMeansSettings(features=ALL_FEATURES, n_clusters=4, n_init=3)
DIAGNOSTIC_KS = range(2, 8)


DIAGNOSTIC_SAMPLE_SIZE = 600


@pytest.fixture(scope="module")
def diagnostic_sample(customers) -> pd.DataFrame:
    return customers.sample(n=DIAGNOSTIC_SAMPLE_SIZE, random_state=0)


@pytest.fixture(scope="module")
def diagnostics(diagnostic_sample) -> pd.DataFrame:
    return diagnose_cluster_counts(diagnostic_sample, DIAGNOSTIC_SETTINGS, DIAGNOSTIC_KS)


DIAGNOSTIC_COLUMNS = [
    "cluster_count",
    "inertia",
    "silhouette_score",
    "is_chosen_cluster_count",
    "sample_size",
]
VERDICT_COLUMNS = [
    "elbow_cluster_count",
    "best_silhouette_cluster_count",
    "is_chosen_cluster_count_supported",
    "cluster_count_verdict",
]


def test_diagnose_cluster_counts_has_one_row_per_k(diagnostics):
    assert list(diagnostics.columns) == DIAGNOSTIC_COLUMNS + VERDICT_COLUMNS
    assert diagnostics["cluster_count"].tolist() == list(DIAGNOSTIC_KS)
    assert (diagnostics["sample_size"] == DIAGNOSTIC_SAMPLE_SIZE).all()


def test_diagnose_cluster_counts_inertia_falls_as_k_grows(diagnostics):
    inertia = diagnostics["inertia"].to_numpy()

    assert (inertia > 0).all()
    assert (np.diff(inertia) < 0).all()


def test_diagnose_cluster_counts_silhouette_is_a_valid_score(diagnostics):
    assert diagnostics["silhouette_score"].between(-1, 1).all()
    # Four overlapping personas: clearly structured data, not noise.
    assert diagnostics["silhouette_score"].max() > 0.1


def test_diagnose_cluster_counts_flags_only_the_configured_k(diagnostics):
    chosen = diagnostics[diagnostics["is_chosen_cluster_count"]]

    assert chosen["cluster_count"].tolist() == [DIAGNOSTIC_SETTINGS.n_clusters]
    assert diagnostics["is_chosen_cluster_count"].dtype == bool


def test_diagnose_cluster_counts_does_not_depend_on_row_order(diagnostic_sample, diagnostics):
    shuffled = diagnostic_sample.sample(frac=1, random_state=4).reset_index(drop=True)

    again = diagnose_cluster_counts(shuffled, DIAGNOSTIC_SETTINGS, DIAGNOSTIC_KS)

    pd.testing.assert_frame_equal(again, diagnostics)


def test_diagnose_cluster_counts_stops_when_k_reaches_the_distinct_points():
    # Twelve rows but five distinct profiles: k = 5 would leave nothing to separate.
    customers = _tiny_customers([(20, 1), (30, 2), (40, 3), (50, 4), (60, 5)] * 2 + [(20, 1)] * 2)
    settings = KMeansSettings(features=TWO_FEATURES, n_clusters=2, n_init=2)

    result = diagnose_cluster_counts(customers, settings, range(2, 9))

    assert result["cluster_count"].tolist() == [2, 3, 4]
    assert result["silhouette_score"].between(-1, 1).all()


def test_diagnose_cluster_counts_stops_when_k_reaches_the_number_of_customers():
    customers = _tiny_customers([(20 + i, i) for i in range(4)])
    settings = KMeansSettings(features=TWO_FEATURES, n_clusters=2, n_init=1)

    result = diagnose_cluster_counts(customers, settings, range(2, 9))

    assert result["cluster_count"].tolist() == [2, 3]
    assert (result["sample_size"] == 4).all()
    # Two values of k cannot show an elbow.
    assert result["elbow_cluster_count"].isna().all()
    assert not result["is_chosen_cluster_count_supported"].any()
    assert result["cluster_count_verdict"].str.startswith("Too few values of k").all()


def test_diagnose_cluster_counts_of_a_single_profile_fits_no_k_but_keeps_its_columns():
    # The build stops before on a base of fewer distinct profiles than n_clusters
    # (assert_customers_are_segmentable); a sample of a nearly uniform base can still hold one.
    customers = _tiny_customers([(20, 1)] * 10)

    result = diagnose_cluster_counts(customers, KMeansSettings(features=TWO_FEATURES), range(2, 4))

    assert result.empty
    assert list(result.columns) == DIAGNOSTIC_COLUMNS + VERDICT_COLUMNS
    # Spark takes the empty frame with these types: they must name the same columns.
    spark_columns = [column.split()[0] for column in DIAGNOSTIC_SPARK_SCHEMA.split(",")]
    assert spark_columns == DIAGNOSTIC_COLUMNS + VERDICT_COLUMNS


def test_diagnose_cluster_counts_carries_the_verdict_on_every_row(diagnostics):
    verdict = judge_cluster_count(diagnostics[DIAGNOSTIC_COLUMNS], DIAGNOSTIC_SETTINGS.n_clusters)

    assert diagnostics["elbow_cluster_count"].dtype == "Int64"
    assert diagnostics["best_silhouette_cluster_count"].dtype == "Int64"
    assert diagnostics["is_chosen_cluster_count_supported"].dtype == bool
    assert (diagnostics["elbow_cluster_count"] == verdict.elbow).all()
    assert (diagnostics["best_silhouette_cluster_count"] == verdict.best_silhouette).all()
    assert (diagnostics["is_chosen_cluster_count_supported"] == verdict.is_supported).all()
    assert (diagnostics["cluster_count_verdict"] == verdict.text).all()
    best = diagnostics.loc[diagnostics["silhouette_score"].idxmax(), "cluster_count"]
    assert verdict.best_silhouette == best


def test_four_persona_data_supports_four_segments(diagnostics):
    row = diagnostics.iloc[0]

    assert row["is_chosen_cluster_count_supported"]
    assert row["cluster_count_verdict"].startswith("The data supports 4 segments: ")


# --- judge_cluster_count ----------------------------------------------------------------------

# The gain in inertia shrinks most after k = 4 (drops 400, 300, then 50, 30, 20).
INERTIA = {2: 1000.0, 3: 600.0, 4: 300.0, 5: 250.0, 6: 220.0, 7: 200.0}
# Highest at k = 3; k = 5 is a local peak, k = 4 and k = 6 are not.
SILHOUETTE = {2: 0.30, 3: 0.45, 4: 0.20, 5: 0.25, 6: 0.22, 7: 0.21}


def _diagnostics(silhouette: dict[int, float] = SILHOUETTE) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "cluster_count": list(INERTIA),
            "inertia": list(INERTIA.values()),
            "silhouette_score": [silhouette[k] for k in INERTIA],
        }
    )


def test_judge_cluster_count_supports_k_at_the_elbow_even_with_the_best_silhouette_elsewhere():
    verdict = judge_cluster_count(_diagnostics(), chosen_k=4)

    assert (verdict.elbow, verdict.best_silhouette) == (4, 3)
    assert verdict.is_supported
    assert verdict.text == (
        "The data supports 4 segments: the inertia curve bends most sharply at k = 4."
    )


def test_judge_cluster_count_supports_k_with_the_best_silhouette():
    verdict = judge_cluster_count(_diagnostics(), chosen_k=3)

    assert (verdict.elbow, verdict.best_silhouette) == (4, 3)
    assert verdict.is_supported
    assert verdict.text.startswith("The data supports 3 segments: ")
    assert "the silhouette is highest at k = 3 (0.45)" in verdict.text
    assert "inertia" not in verdict.text


def test_judge_cluster_count_supports_k_at_a_local_silhouette_peak():
    verdict = judge_cluster_count(_diagnostics(), chosen_k=5)

    assert verdict.is_supported
    assert "the silhouette at k = 5 (0.25) is a local peak" in verdict.text
    assert "though lower than at k = 3 (0.45)" in verdict.text
    # 0.25 against 0.45 is a peak of its own, not close to the best.
    assert "close" not in verdict.text


def test_judge_cluster_count_supports_k_within_002_of_the_best_silhouette():
    # k = 2 is below its neighbour k = 3, so not a peak, but only 0.01 below the best.
    verdict = judge_cluster_count(_diagnostics({**SILHOUETTE, 2: 0.44}), chosen_k=2)

    assert verdict.is_supported
    assert "the silhouette at k = 2 (0.44) is within 0.02 of the best (k = 3, 0.45)" in (
        verdict.text
    )


def test_judge_cluster_count_does_not_support_k_far_from_elbow_and_best_silhouette():
    verdict = judge_cluster_count(_diagnostics(), chosen_k=6)

    assert (verdict.elbow, verdict.best_silhouette) == (4, 3)
    assert not verdict.is_supported
    assert verdict.text.startswith("The data does not clearly support 6 segments: ")
    # It names both the elbow and the best silhouette, against the chosen k's.
    assert "the elbow is at k = 4" in verdict.text
    assert "the silhouette peaks at k = 3 (0.45, against 0.22 at k = 6)" in verdict.text
    assert "business choice" in verdict.text


def test_judge_cluster_count_does_not_support_k_just_beyond_002_of_the_best():
    verdict = judge_cluster_count(_diagnostics({**SILHOUETTE, 2: 0.42}), chosen_k=2)

    assert not verdict.is_supported


@pytest.mark.parametrize(
    ("diagnostics", "chosen_k"),
    [(_diagnostics().iloc[:2], 2), (_diagnostics(), 9)],
    ids=["two values of k", "chosen k not fitted"],
)
def test_judge_cluster_count_cannot_judge_too_few_or_the_wrong_k(diagnostics, chosen_k):
    verdict = judge_cluster_count(diagnostics, chosen_k)

    assert (verdict.elbow, verdict.best_silhouette, verdict.is_supported) == (None, None, False)
    assert verdict.text == "Too few values of k were fitted to judge the choice of k."
