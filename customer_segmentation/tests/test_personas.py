"""Unit tests for naming KMeans clusters after the business personas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.features import CLUSTERING_FEATURES, PERSONA_NAMES
from customer_segmentation.personas import (
    PersonaMatch,
    match_clusters_to_personas,
    persona_profiles,
)

SEED_PATH = Path(__file__).parents[2] / "seeds" / "persona_definitions.csv"
FEATURES = list(CLUSTERING_FEATURES)


@pytest.fixture(scope="module")
def seed_definitions() -> pd.DataFrame:
    return pd.read_csv(SEED_PATH)


def _small_definitions() -> pd.DataFrame:
    """Three personas on two features, far apart, listed out of id order."""
    return pd.DataFrame(
        {
            "persona_id": [30, 10, 20],
            "persona_name": ["Gamma", "Alpha", "Beta"],
            "profile_x": [0.0, 0.0, 3.0],
            "profile_y": [3.0, 0.0, 0.0],
        }
    )


def _by_label(matches: list[PersonaMatch]) -> dict[int, PersonaMatch]:
    return {match.cluster_label: match for match in matches}


def _sizes(n: int) -> np.ndarray:
    return np.full(n, 100)


# --- persona_profiles -------------------------------------------------------------------


def test_persona_profiles_are_indexed_by_sorted_persona_id_with_plain_feature_names():
    profiles = persona_profiles(_small_definitions(), ["x", "y"])

    assert list(profiles.index) == [10, 20, 30]
    assert list(profiles.columns) == ["x", "y"]
    assert profiles.loc[20].tolist() == [3.0, 0.0]
    assert profiles.loc[30].tolist() == [0.0, 3.0]
    assert all(dtype.kind == "f" for dtype in profiles.dtypes)


def test_persona_profiles_of_the_seed_cover_every_persona_and_feature(seed_definitions):
    profiles = persona_profiles(seed_definitions, FEATURES)

    assert list(profiles.columns) == FEATURES
    assert profiles.shape == (len(PERSONA_NAMES), len(FEATURES))
    names = seed_definitions.set_index("persona_id").loc[profiles.index, "persona_name"]
    assert set(names) == set(PERSONA_NAMES)
    assert not profiles.isna().any().any()


def test_persona_profiles_missing_column_raises_naming_it(seed_definitions):
    definitions = seed_definitions.drop(columns=["profile_engagement_score"])

    with pytest.raises(ValueError, match="profile_engagement_score"):
        persona_profiles(definitions, FEATURES)


# --- matching exact profiles ------------------------------------------------------------


@pytest.mark.parametrize("order", [[2, 0, 3, 1], [3, 2, 1, 0], [1, 3, 0, 2]])
def test_centroids_equal_to_profiles_match_by_position_not_label(seed_definitions, order):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.iloc[order].reset_index(drop=True)

    matches = _by_label(match_clusters_to_personas(centroids, seed_definitions, _sizes(4)))

    names = seed_definitions.set_index("persona_id")["persona_name"]
    assert sorted(matches) == [0, 1, 2, 3]
    for label, profile_row in enumerate(order):
        expected_id = int(profiles.index[profile_row])
        match = matches[label]
        assert match.persona_id == expected_id
        assert match.cluster_id == expected_id
        assert match.persona_name == names[expected_id]
        assert match.match_distance == pytest.approx(0.0, abs=1e-12)
        assert match.match_confidence == pytest.approx(1.0)


def test_matches_are_returned_sorted_by_cluster_id(seed_definitions):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.iloc[[3, 1, 2, 0]].reset_index(drop=True)

    matches = match_clusters_to_personas(centroids, seed_definitions, _sizes(4))

    assert [match.cluster_id for match in matches] == sorted(profiles.index)


def test_permuting_centroid_rows_keeps_the_persona_of_each_centroid(seed_definitions):
    rng = np.random.default_rng(7)
    profiles = persona_profiles(seed_definitions, FEATURES)
    # Realistic centroids: near, but not on, the profiles.
    centroids = pd.DataFrame(
        profiles.to_numpy()[[1, 3, 0, 2]] + rng.normal(0, 0.2, (4, len(FEATURES))),
        columns=FEATURES,
    )
    original = _by_label(match_clusters_to_personas(centroids, seed_definitions, _sizes(4)))

    for seed in range(5):
        permutation = np.random.default_rng(seed).permutation(4)
        permuted = centroids.iloc[permutation].reset_index(drop=True)
        result = _by_label(match_clusters_to_personas(permuted, seed_definitions, _sizes(4)))
        for new_label, old_label in enumerate(permutation):
            assert result[new_label].persona_id == original[old_label].persona_id
            assert result[new_label].match_distance == pytest.approx(
                original[old_label].match_distance
            )
            assert result[new_label].match_confidence == pytest.approx(
                original[old_label].match_confidence
            )


# --- one-to-one assignment --------------------------------------------------------------


def test_two_centroids_closest_to_one_persona_are_assigned_one_to_one():
    definitions = _small_definitions()
    # Both centroids are nearest to Alpha (0, 0); centroid 0 is nearer.
    centroids = pd.DataFrame({"x": [0.1, 0.5], "y": [0.0, 0.0]})

    matches = _by_label(match_clusters_to_personas(centroids, definitions, _sizes(2)))

    assert matches[0].persona_name == "Alpha"
    # Centroid 1 gets its best remaining persona: Beta (3, 0) beats Gamma (0, 3).
    assert matches[1].persona_name == "Beta"
    assert matches[1].persona_id == 20

    # RMS distances per feature, as documented on PersonaMatch.
    alpha0, beta0, gamma0 = (np.sqrt(0.1**2 / 2), np.sqrt(2.9**2 / 2), np.sqrt((0.01 + 9) / 2))
    alpha1, beta1 = np.sqrt(0.5**2 / 2), np.sqrt(2.5**2 / 2)
    assert matches[0].match_distance == pytest.approx(alpha0)
    assert matches[0].match_confidence == pytest.approx(1 - alpha0 / min(beta0, gamma0))
    assert matches[1].match_distance == pytest.approx(beta1)
    # The forced match is worse than Alpha, so the confidence is clipped to 0.
    assert beta1 > alpha1
    assert matches[1].match_confidence == 0.0
    assert matches[1].match_confidence < matches[0].match_confidence


def test_assignment_minimises_total_cost_not_greedy_order():
    definitions = _small_definitions()
    # Greedy in row order would give centroid 0 Alpha (its nearest) and leave centroid 1,
    # which sits on Alpha, with a far persona. The best total gives Alpha to centroid 1.
    centroids = pd.DataFrame({"x": [1.2, 0.0], "y": [0.0, 0.0]})

    matches = _by_label(match_clusters_to_personas(centroids, definitions, _sizes(2)))

    assert matches[1].persona_name == "Alpha"
    assert matches[1].match_distance == pytest.approx(0.0)
    assert matches[0].persona_name == "Beta"


def test_confidence_is_partial_when_centroid_sits_between_two_personas():
    definitions = _small_definitions()
    # Centroid at (1, 0): distance to Alpha 1/sqrt(2), to Beta 2/sqrt(2).
    centroids = pd.DataFrame({"x": [1.0], "y": [0.0]})

    (match,) = match_clusters_to_personas(centroids, definitions, _sizes(1))

    assert match.persona_name == "Alpha"
    assert match.match_confidence == pytest.approx(0.5)


# --- more or fewer clusters than personas -----------------------------------------------


def test_more_clusters_than_personas_names_leftovers_by_size(seed_definitions):
    profiles = persona_profiles(seed_definitions, FEATURES)
    far = np.full((2, len(FEATURES)), 6.0)
    far[1] *= -1
    # Rows 0..3 sit on personas (in a scrambled order), rows 4 and 5 are far from all of them.
    rows = np.vstack([profiles.to_numpy()[[2, 0, 3, 1]], far])
    order = [4, 0, 1, 5, 2, 3]  # leftovers end up at labels 0 and 3
    centroids = pd.DataFrame(rows[order], columns=FEATURES)
    sizes = np.array([40, 500, 500, 90, 500, 500])  # label 3 is the bigger leftover

    matches = match_clusters_to_personas(centroids, seed_definitions, sizes)
    by_label = _by_label(matches)

    assert len(matches) == 6
    assert by_label[3].cluster_id == 5
    assert by_label[3].persona_name == "Unmatched Segment 5"
    assert by_label[0].cluster_id == 6
    assert by_label[0].persona_name == "Unmatched Segment 6"
    for label in (0, 3):
        assert by_label[label].persona_id is None
        assert by_label[label].match_distance is None
        assert by_label[label].match_confidence is None
    matched = {label: m.persona_id for label, m in by_label.items() if m.persona_id is not None}
    assert matched == {
        1: int(profiles.index[2]),
        2: int(profiles.index[0]),
        4: int(profiles.index[3]),
        5: int(profiles.index[1]),
    }
    assert [m.cluster_id for m in matches] == [1, 2, 3, 4, 5, 6]


def test_leftover_ids_follow_the_largest_persona_id():
    definitions = _small_definitions()  # ids 10, 20, 30
    centroids = pd.DataFrame({"x": [0.0, 3.0, 0.0, 9.0], "y": [0.0, 0.0, 3.0, 9.0]})

    by_label = _by_label(match_clusters_to_personas(centroids, definitions, _sizes(4)))

    assert by_label[3].cluster_id == 31
    assert by_label[3].persona_name == "Unmatched Segment 31"


def test_leftovers_of_equal_size_are_ordered_by_centroid_not_label(seed_definitions):
    profiles = persona_profiles(seed_definitions, FEATURES).to_numpy()
    high, low = np.full(len(FEATURES), 7.0), np.full(len(FEATURES), -7.0)

    def leftover_names(rows: list[np.ndarray]) -> dict[tuple[float, ...], str]:
        centroids = pd.DataFrame(np.vstack(rows), columns=FEATURES)
        matches = match_clusters_to_personas(centroids, seed_definitions, _sizes(len(rows)))
        return {
            tuple(centroids.iloc[m.cluster_label]): m.persona_name
            for m in matches
            if m.persona_id is None
        }

    first = leftover_names([*profiles, high, low])
    second = leftover_names([low, *profiles, high])

    assert first == second
    assert first[tuple(low)] == "Unmatched Segment 5"
    assert first[tuple(high)] == "Unmatched Segment 6"


def test_fewer_clusters_than_personas_uses_only_that_many_personas(seed_definitions):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.iloc[[2, 0]].reset_index(drop=True)

    matches = _by_label(match_clusters_to_personas(centroids, seed_definitions, _sizes(2)))

    assert len(matches) == 2
    assert matches[0].persona_id == int(profiles.index[2])
    assert matches[1].persona_id == int(profiles.index[0])
    assert all(m.match_distance == pytest.approx(0.0, abs=1e-12) for m in matches.values())


# --- feature subsets --------------------------------------------------------------------


def test_subset_of_features_uses_only_those_profile_columns(seed_definitions):
    subset = ["age", "annual_income", "spending_score"]
    profiles = persona_profiles(seed_definitions, subset)
    centroids = profiles.iloc[[1, 3, 0, 2]].reset_index(drop=True)
    # The other profile columns are garbage; they must not influence the result.
    scrambled = seed_definitions.copy()
    for feature in set(FEATURES) - set(subset):
        scrambled["profile_" + feature] = [100.0, -100.0, 50.0, -50.0]
    only_subset = seed_definitions[
        ["persona_id", "persona_name", *("profile_" + f for f in subset)]
    ]

    with_garbage = match_clusters_to_personas(centroids, scrambled, _sizes(4))
    without_others = match_clusters_to_personas(centroids, only_subset, _sizes(4))

    assert with_garbage == without_others
    by_label = _by_label(with_garbage)
    for label, profile_row in enumerate([1, 3, 0, 2]):
        assert by_label[label].persona_id == int(profiles.index[profile_row])
        assert by_label[label].match_distance == pytest.approx(0.0, abs=1e-12)


def test_centroid_feature_without_profile_column_raises(seed_definitions):
    definitions = seed_definitions.drop(columns=["profile_retention_months"])
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.reset_index(drop=True)

    with pytest.raises(ValueError, match="profile_retention_months"):
        match_clusters_to_personas(centroids, definitions, _sizes(4))
