"""Unit tests for naming KMeans clusters after the business personas."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from customer_segmentation.features import CLUSTERING_FEATURES, PERSONA_NAMES
from customer_segmentation.personas import (
    MATCH_STRENGTHS,
    NO_DEFINING_FEATURE,
    NO_PERSONA_LEFT,
    PROFILE_DISAGREES,
    TOO_SMALL,
    PersonaCatalogue,
    PersonaMatch,
    describe_segment,
    match_clusters_to_personas,
    persona_profiles,
)

SEEDS = Path(__file__).parents[2] / "seeds"
SEED_PATH = SEEDS / "persona_definitions.csv"
DEFINING_PATH = SEEDS / "persona_defining_features.csv"
FEATURES = list(CLUSTERING_FEATURES)
YOUNG = "Young, Trend-Driven Shoppers"
YOUNG_ID = 2
SIGN = {"above": 1.0, "below": -1.0}


@pytest.fixture(scope="module")
def seed_definitions() -> pd.DataFrame:
    return pd.read_csv(SEED_PATH)


@pytest.fixture(scope="module")
def seed_defining() -> pd.DataFrame:
    return pd.read_csv(DEFINING_PATH)


def _small_definitions() -> pd.DataFrame:
    """Three personas on two features, far apart, listed out of id order."""
    return pd.DataFrame(
        {
            "persona_id": [30, 10, 20],
            "persona_name": ["Gamma", "Alpha", "Beta"],
            "profile_age": [-1.0, -1.0, 2.0],
            "profile_annual_income": [2.0, -1.0, -1.0],
        }
    )


def _small_defining() -> pd.DataFrame:
    """Alpha is younger, Beta earns less, Gamma earns more than the base."""
    return pd.DataFrame(
        {
            "persona_id": [10, 20, 30],
            "feature_name": ["age", "annual_income", "annual_income"],
            "direction": ["below", "below", "above"],
        }
    )


def _small_centroids(rows: list[tuple[float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["age", "annual_income"])


def _match_small(centroids: pd.DataFrame) -> list[PersonaMatch]:
    return match_clusters_to_personas(
        centroids, _small_definitions(), _small_defining(), _sizes(len(centroids))
    )


def _by_label(matches: list[PersonaMatch]) -> dict[int, PersonaMatch]:
    return {match.cluster_label: match for match in matches}


def _sizes(n: int) -> np.ndarray:
    return np.full(n, 100)


def _documented_confidence(centroid: pd.Series, defining: pd.DataFrame, persona_id: int) -> float:
    """coverage x clarity, as the module docstring states it, from the seed rows."""
    traits = defining[defining["persona_id"] == persona_id]
    shown = traits[traits["feature_name"].isin(centroid.index)]
    coverage = len(shown) / len(traits)
    weakest = min(SIGN[row.direction] * centroid[row.feature_name] for row in shown.itertuples())
    return coverage * min(1.0, weakest / 1.0)


def _documented_band(confidence: float) -> str:
    """The highest band whose lowest confidence the confidence reaches."""
    return next(name for lowest, name in MATCH_STRENGTHS if confidence >= lowest)


# --- persona_profiles -------------------------------------------------------------------


def test_persona_profiles_are_indexed_by_sorted_persona_id_with_plain_feature_names():
    profiles = persona_profiles(_small_definitions(), ["age", "annual_income"])

    assert list(profiles.index) == [10, 20, 30]
    assert list(profiles.columns) == ["age", "annual_income"]
    assert profiles.loc[20].tolist() == [2.0, -1.0]
    assert profiles.loc[30].tolist() == [-1.0, 2.0]
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


# --- PersonaCatalogue: the defining-features seed ------------------------------------------


def test_catalogue_accepts_the_shipped_seeds_and_every_persona_has_a_defining_feature(
    seed_definitions, seed_defining
):
    catalogue = PersonaCatalogue(seed_definitions, seed_defining)

    assert set(catalogue.defining_features["persona_id"]) == set(seed_definitions["persona_id"])
    assert set(seed_defining["feature_name"]) <= set(FEATURES)
    assert set(seed_defining["direction"]) <= {"above", "below"}


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("feature_name", "shoe_size", "unknown feature 'shoe_size'"),
        ("direction", "higher", "direction 'higher' is not one of ['above', 'below']"),
        ("persona_id", 9, "persona_id 9 is not in persona_definitions"),
    ],
    ids=["unknown feature", "unknown direction", "unknown persona"],
)
def test_catalogue_refuses_a_bad_seed_row_naming_the_problem(
    seed_definitions, seed_defining, column, value, problem
):
    defining = seed_defining.copy()
    defining.loc[len(defining)] = {"persona_id": 1, "feature_name": "age", "direction": "above"}
    defining.loc[len(defining) - 1, column] = value

    with pytest.raises(ValueError, match="persona_defining_features") as error:
        PersonaCatalogue(seed_definitions, defining)
    assert problem in str(error.value)


def test_catalogue_refuses_a_defining_feature_listed_twice(seed_definitions, seed_defining):
    defining = pd.concat([seed_defining, seed_defining.iloc[[0]]], ignore_index=True)
    first = seed_defining.iloc[0]

    with pytest.raises(ValueError, match="persona_defining_features") as error:
        PersonaCatalogue(seed_definitions, defining)
    assert f"persona_id {first.persona_id} lists '{first.feature_name}' more than once" in str(
        error.value
    )


@pytest.mark.parametrize(
    ("column", "row", "value", "problem"),
    [
        ("persona_id", 1, 1, "persona_id repeats ['1']"),
        ("persona_name", 2, "High-Value Loyal Customers", "persona_name repeats"),
        ("persona_slug", 3, "high_value_loyal", "persona_slug repeats ['high_value_loyal']"),
        ("persona_name", 0, " ", "persona_name is empty on row(s) [1]"),
        ("persona_summary", 1, None, "persona_summary is empty on row(s) [2]"),
        ("profile_age", 3, None, "profile_age is empty on row(s) [4]"),
    ],
    ids=["repeated id", "repeated name", "repeated slug", "blank name", "no summary", "no profile"],
)
def test_catalogue_refuses_a_bad_persona_definition_naming_it(
    seed_definitions, seed_defining, column, row, value, problem
):
    definitions = seed_definitions.copy()
    definitions[column] = definitions[column].astype(object)
    definitions.loc[row, column] = value

    with pytest.raises(ValueError, match="seed persona_definitions") as error:
        PersonaCatalogue(definitions, seed_defining)
    assert problem in str(error.value)


def test_catalogue_refuses_a_persona_without_defining_features(seed_definitions, seed_defining):
    defining = seed_defining[seed_defining["persona_id"] != YOUNG_ID]

    with pytest.raises(ValueError, match=r"persona\(s\) \[2\] have no defining feature"):
        PersonaCatalogue(seed_definitions, defining)


def test_catalogue_reports_every_problem_of_the_seed_at_once(seed_definitions, seed_defining):
    defining = seed_defining.copy()
    defining.loc[0, "feature_name"] = "shoe_size"
    defining.loc[1, "direction"] = "sideways"

    with pytest.raises(ValueError) as error:
        PersonaCatalogue(seed_definitions, defining)
    assert "unknown feature 'shoe_size'" in str(error.value)
    assert "direction 'sideways'" in str(error.value)


def test_matching_refuses_a_bad_defining_features_seed_too(seed_definitions, seed_defining):
    profiles = persona_profiles(seed_definitions, FEATURES).reset_index(drop=True)
    defining = seed_defining.assign(direction="up")

    with pytest.raises(ValueError, match="direction 'up'"):
        match_clusters_to_personas(profiles, seed_definitions, defining, _sizes(4))


# --- matching exact profiles ------------------------------------------------------------


@pytest.mark.parametrize("order", [[2, 0, 3, 1], [3, 2, 1, 0], [1, 3, 0, 2]])
def test_centroids_equal_to_profiles_match_by_position_not_label(
    seed_definitions, seed_defining, order
):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.iloc[order].reset_index(drop=True)

    matches = _by_label(
        match_clusters_to_personas(centroids, seed_definitions, seed_defining, _sizes(4))
    )

    names = seed_definitions.set_index("persona_id")["persona_name"]
    assert sorted(matches) == [0, 1, 2, 3]
    for label, profile_row in enumerate(order):
        expected_id = int(profiles.index[profile_row])
        match = matches[label]
        expected_confidence = _documented_confidence(
            centroids.iloc[label], seed_defining, expected_id
        )
        assert match.persona_id == expected_id
        assert match.cluster_id == expected_id
        assert match.persona_name == names[expected_id]
        assert match.segment_name.startswith(f"Segment {expected_id}: ")
        assert match.unnamed_reason is None
        assert match.match_distance == pytest.approx(0.0, abs=1e-12)
        # Every persona's own profile shows its defining traits; how clearly is the seed's.
        assert match.match_confidence == pytest.approx(expected_confidence)
        assert 0 < match.match_confidence <= 1
        assert match.match_strength == _documented_band(expected_confidence)


def test_matches_are_returned_sorted_by_cluster_id(seed_definitions, seed_defining):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.iloc[[3, 1, 2, 0]].reset_index(drop=True)

    matches = match_clusters_to_personas(centroids, seed_definitions, seed_defining, _sizes(4))

    assert [match.cluster_id for match in matches] == sorted(profiles.index)


def test_permuting_centroid_rows_keeps_the_persona_of_each_centroid(
    seed_definitions, seed_defining
):
    rng = np.random.default_rng(7)
    profiles = persona_profiles(seed_definitions, FEATURES)
    # Realistic centroids: near, but not on, the profiles.
    centroids = pd.DataFrame(
        profiles.to_numpy()[[1, 3, 0, 2]] + rng.normal(0, 0.2, (4, len(FEATURES))),
        columns=FEATURES,
    )

    def match(frame: pd.DataFrame) -> dict[int, PersonaMatch]:
        return _by_label(
            match_clusters_to_personas(frame, seed_definitions, seed_defining, _sizes(4))
        )

    original = match(centroids)

    for seed in range(5):
        permutation = np.random.default_rng(seed).permutation(4)
        result = match(centroids.iloc[permutation].reset_index(drop=True))
        for new_label, old_label in enumerate(permutation):
            new, old = result[new_label], original[old_label]
            assert new.persona_id == old.persona_id
            assert new.cluster_id == old.cluster_id
            assert new.persona_name == old.persona_name
            assert new.match_distance == pytest.approx(old.match_distance)
            assert new.match_confidence == pytest.approx(old.match_confidence)


# --- one-to-one assignment --------------------------------------------------------------


def test_two_centroids_closest_to_one_persona_are_assigned_one_to_one():
    # Both centroids are nearest to Alpha (-1, -1); centroid 0 is nearer. Both earn less
    # than the base (Beta's trait), both are younger (Alpha's).
    centroids = _small_centroids([(-0.9, -1.0), (-0.5, -1.0)])

    matches = _by_label(_match_small(centroids))

    assert matches[0].persona_name == "Alpha"
    # Centroid 1 gets its best remaining persona: Beta (2, -1) beats Gamma (-1, 2).
    assert matches[1].persona_name == "Beta"
    assert matches[1].persona_id == 20

    # RMS distances per feature, as documented on PersonaMatch.
    assert matches[0].match_distance == pytest.approx(np.sqrt(0.1**2 / 2))
    assert matches[1].match_distance == pytest.approx(np.sqrt(2.5**2 / 2))
    # The confidence reads the defining traits, not the distance: Alpha's trait (age) shows
    # at 0.9 sd, Beta's (income) at a full 1 sd, though Beta's profile is farther away.
    assert matches[0].match_confidence == pytest.approx(0.9)
    assert matches[1].match_confidence == pytest.approx(1.0)


def test_assignment_minimises_total_cost_not_greedy_order():
    # Every pair here is supported. Greedy in row order would give centroid 0 Alpha (its
    # nearest) and leave centroid 1, which sits on Alpha, with Beta far away. The best total
    # gives Alpha to centroid 1.
    centroids = _small_centroids([(-0.4, -1.0), (-1.0, -1.0)])

    matches = _by_label(_match_small(centroids))

    assert matches[1].persona_name == "Alpha"
    assert matches[1].match_distance == pytest.approx(0.0)
    assert matches[0].persona_name == "Beta"


def test_pairing_prefers_supported_pairs_over_a_smaller_profile_distance():
    # Centroid 0 is younger (Alpha's trait) and earns like the base (neither Beta's nor
    # Gamma's trait); centroid 1 is younger and earns less (Alpha's and Beta's traits). By
    # distance alone the best pairing gives Alpha to centroid 1 and leaves centroid 0 with a
    # persona it does not show; naming both takes 0-Alpha, 1-Beta.
    centroids = _small_centroids([(-0.3, 0.0), (-0.6, -1.0)])
    profiles = persona_profiles(_small_definitions(), ["age", "annual_income"])
    squared = ((centroids.to_numpy()[:, None, :] - profiles.to_numpy()[None]) ** 2).sum(axis=2)
    alpha, beta, gamma = 0, 1, 2  # rows of persona ids 10, 20 and 30
    by_distance = squared[1, alpha] + min(squared[0, beta], squared[0, gamma])
    assert by_distance < squared[0, alpha] + squared[1, beta]

    matches = _by_label(_match_small(centroids))

    assert (matches[0].persona_name, matches[1].persona_name) == ("Alpha", "Beta")
    assert all(match.unnamed_reason is None for match in matches.values())


def test_a_single_centroid_takes_the_persona_it_shows_not_the_nearest_profile():
    # (0, -1) is nearer Alpha (-1, -1) than Beta (2, -1), but is not younger than the base.
    matches = _match_small(_small_centroids([(0.0, -1.0)]))

    assert [match.persona_name for match in matches] == ["Beta"]


# --- evidence: when a cluster carries a persona's name ------------------------------------


def test_a_cluster_is_not_named_after_a_persona_whose_defining_features_are_all_missing(
    seed_definitions, seed_defining
):
    # Young is defined by age alone; without age no cluster may be called Young, however
    # young-looking its other features.
    without_age = [feature for feature in FEATURES if feature != "age"]
    profiles = persona_profiles(seed_definitions, without_age)
    centroids = profiles.reset_index(drop=True)
    young_label = list(profiles.index).index(YOUNG_ID)

    matches = match_clusters_to_personas(centroids, seed_definitions, seed_defining, _sizes(4))
    by_label = _by_label(matches)

    assert YOUNG not in [match.persona_name for match in matches]
    assert YOUNG_ID not in [match.persona_id for match in matches]
    young = by_label[young_label]
    assert young.persona_id is None
    assert young.unnamed_reason == NO_DEFINING_FEATURE
    assert young.cluster_id == 5  # after the largest persona id
    assert young.persona_name == young.segment_name
    assert young.persona_name == f"Segment 5: {describe_segment(centroids.iloc[young_label])}"
    assert young.match_confidence is None
    assert young.match_strength is None
    assert young.persona_evidence == f"closest persona {YOUNG}: age not in the file"
    # The other personas are still named on the features the file has.
    assert sorted(m.persona_id for m in matches if m.persona_id is not None) == [1, 3, 4]


def test_a_cluster_below_min_persona_share_is_not_named_and_the_persona_goes_elsewhere(
    seed_definitions, seed_defining
):
    profiles = persona_profiles(seed_definitions, FEATURES)
    young_like = profiles.loc[YOUNG_ID].copy()
    young_like["age"] = -0.6  # younger than the base, less so than the profile
    centroids = pd.DataFrame(
        [profiles.loc[1], profiles.loc[3], profiles.loc[YOUNG_ID], young_like]
    ).reset_index(drop=True)
    sizes = np.array([500, 500, 10, 500])  # the exact Young profile holds 10 of 1,510

    def match(min_share: float) -> dict[int, PersonaMatch]:
        return _by_label(
            match_clusters_to_personas(centroids, seed_definitions, seed_defining, sizes, min_share)
        )

    # Without a minimum share, the exact profile is Young.
    assert match(0.0)[2].persona_id == YOUNG_ID

    by_label = match(0.02)

    assert by_label[2].persona_id is None
    assert by_label[2].unnamed_reason == TOO_SMALL
    assert by_label[2].persona_name.startswith(f"Segment {by_label[2].cluster_id}: ")
    assert by_label[3].persona_id == YOUNG_ID
    assert by_label[3].persona_name == YOUNG
    assert (by_label[0].persona_id, by_label[1].persona_id) == (1, 3)


def test_a_cluster_exactly_at_min_persona_share_can_be_named(seed_definitions, seed_defining):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.reset_index(drop=True)
    sizes = np.array([25, 25, 25, 25])

    matches = match_clusters_to_personas(centroids, seed_definitions, seed_defining, sizes, 0.25)

    assert [match.persona_id for match in matches] == [1, 2, 3, 4]


def test_a_cluster_that_does_not_show_the_defining_traits_stays_unnamed(
    seed_definitions, seed_defining
):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.reset_index(drop=True)
    young_label = list(profiles.index).index(YOUNG_ID)
    centroids.loc[young_label, "age"] = 0.1  # nearest Young in profile, but not younger

    matches = match_clusters_to_personas(centroids, seed_definitions, seed_defining, _sizes(4))
    young = _by_label(matches)[young_label]

    assert YOUNG not in [match.persona_name for match in matches]
    assert young.persona_id is None
    assert young.unnamed_reason == PROFILE_DISAGREES
    assert young.cluster_id == 5
    assert young.persona_name == f"Segment 5: {describe_segment(centroids.iloc[young_label])}"
    assert young.persona_evidence == (
        f"closest persona {YOUNG}: age +0.1 sd (defined below: not shown)"
    )
    assert young.match_distance == pytest.approx(np.sqrt(1.1**2 / len(FEATURES)))


@pytest.mark.parametrize(
    ("age", "named"),
    [(-0.25, True), (-0.26, True), (-0.24, False), (0.3, False)],
)
def test_a_trait_counts_as_shown_from_a_quarter_of_a_standard_deviation(age, named):
    (match,) = _match_small(_small_centroids([(age, 0.0)]))

    assert (match.persona_name == "Alpha") is named
    assert (match.unnamed_reason is None) is named
    if not named:
        assert match.unnamed_reason == PROFILE_DISAGREES


def _one_persona(defining: list[tuple[str, str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    definitions = pd.DataFrame(
        {
            "persona_id": [1],
            "persona_name": ["Solo"],
            **{f"profile_{feature}": [0.0] for feature in FEATURES},
        }
    )
    rows = pd.DataFrame(
        [(1, feature, direction) for feature, direction in defining],
        columns=["persona_id", "feature_name", "direction"],
    )
    return definitions, rows


def _solo_match(centroid: dict[str, float], defining: list[tuple[str, str]]) -> PersonaMatch:
    definitions, rows = _one_persona(defining)
    (match,) = match_clusters_to_personas(pd.DataFrame([centroid]), definitions, rows, _sizes(1))
    return match


@pytest.mark.parametrize(
    ("centroid", "expected"),
    [
        # Both traits in the file (coverage 1); the weaker one sets the clarity.
        ({"age": -2.0, "spending_score": 1.2}, 1 * 1.0),
        ({"age": -0.7, "spending_score": 1.5}, 1 * 0.7),
        ({"age": -0.5, "spending_score": 1.5}, 1 * 0.5),
        ({"age": -1.5, "spending_score": 0.3}, 1 * 0.3),
        # spending_score not in the file: coverage 1/2.
        ({"age": -1.5, "annual_income": 0.0}, 0.5 * 1.0),
        ({"age": -0.5, "annual_income": 0.0}, 0.5 * 0.5),
        ({"age": -0.6, "annual_income": 0.0}, 0.5 * 0.6),
    ],
)
def test_confidence_is_coverage_times_clarity(centroid, expected):
    match = _solo_match(centroid, [("age", "below"), ("spending_score", "above")])

    assert match.persona_name == "Solo"
    assert match.match_confidence == pytest.approx(expected)
    assert match.match_strength == _documented_band(match.match_confidence)


def test_strength_bands_run_strong_moderate_weak_down_to_zero():
    assert [name for _, name in MATCH_STRENGTHS] == ["strong", "moderate", "weak"]
    bounds = [lowest for lowest, _ in MATCH_STRENGTHS]
    assert bounds == sorted(bounds, reverse=True)
    assert bounds[-1] == 0.0


@pytest.mark.parametrize(("band", "next_band"), [(0, 1), (1, 2)])
def test_a_confidence_at_a_band_bound_is_in_that_band_and_just_below_in_the_next(band, next_band):
    lowest, name = MATCH_STRENGTHS[band]

    at_bound = _solo_match({"age": -lowest, "annual_income": 0.0}, [("age", "below")])
    below = _solo_match({"age": -(lowest - 0.01), "annual_income": 0.0}, [("age", "below")])

    assert at_bound.match_confidence == pytest.approx(lowest)
    assert at_bound.match_strength == name
    assert below.match_strength == MATCH_STRENGTHS[next_band][1]


@pytest.mark.parametrize(
    ("centroid", "band"),
    [
        # Every trait in the file, each clearly shown.
        ({"age": -1.0, "spending_score": 1.0, "engagement_score": 1.2}, "strong"),
        # Two thirds of the definition checked, each trait clearly shown.
        ({"age": -1.0, "spending_score": 1.0, "annual_income": 0.0}, "strong"),
        # A third of the definition checked, however clearly.
        ({"age": -2.0, "annual_income": 0.0}, "weak"),
        # Every trait checked, one barely shown.
        ({"age": -1.0, "spending_score": 0.3, "engagement_score": 1.2}, "weak"),
    ],
)
def test_strength_bands_read_as_documented(centroid, band):
    defining = [("age", "below"), ("engagement_score", "above"), ("spending_score", "above")]

    match = _solo_match(centroid, defining)

    assert match.persona_name == "Solo"
    assert match.match_strength == band


def test_persona_evidence_describes_each_defining_feature():
    definitions, defining = _one_persona([("age", "below"), ("spending_score", "above")])
    centroids = pd.DataFrame([{"age": -0.5, "annual_income": 0.0}])

    (match,) = match_clusters_to_personas(centroids, definitions, defining, _sizes(1))

    assert match.persona_evidence == (
        "age -0.5 sd (defined below: shown); spending_score not in the file"
    )


# --- describe_segment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("centroid", "words"),
    [
        # The three farthest from the base, written in canonical feature order.
        (
            {
                "retention_months": 1.2,
                "age": -0.7,
                "engagement_score": 0.1,
                "annual_income": 0.3,
                "spending_score": -2.0,
            },
            "younger, low spending, long-standing",
        ),
        # Within half a standard deviation of the base reads as the middle word.
        (
            {
                "total_purchase_amount": 0.6,
                "annual_income": -0.45,
                "age": 0.4,
                "engagement_score": 0.1,
            },
            "mid-age, mid income, high purchases",
        ),
        # Half a standard deviation exactly is already low or high.
        ({"engagement_score": 0.5, "retention_months": -0.5}, "high engagement, newer"),
        ({"annual_income": 0.0, "age": 0.0}, "mid-age, mid income"),
        (
            {"total_purchase_amount": -3.0, "spending_score": 0.2, "annual_income": 1.0},
            "high income, average spending, low purchases",
        ),
    ],
)
def test_describe_segment_words_its_most_distinctive_features_in_canonical_order(centroid, words):
    assert describe_segment(pd.Series(centroid, dtype=float)) == words


# --- more or fewer clusters than personas -----------------------------------------------


def test_more_clusters_than_personas_names_leftovers_by_size(seed_definitions, seed_defining):
    profiles = persona_profiles(seed_definitions, FEATURES)
    far = np.full((2, len(FEATURES)), 6.0)
    far[1] *= -1
    # Rows 0..3 sit on personas (in a scrambled order), rows 4 and 5 are far from all of them.
    rows = np.vstack([profiles.to_numpy()[[2, 0, 3, 1]], far])
    order = [4, 0, 1, 5, 2, 3]  # leftovers end up at labels 0 and 3
    centroids = pd.DataFrame(rows[order], columns=FEATURES)
    sizes = np.array([40, 500, 500, 90, 500, 500])  # label 3 is the bigger leftover

    matches = match_clusters_to_personas(centroids, seed_definitions, seed_defining, sizes)
    by_label = _by_label(matches)

    assert len(matches) == 6
    assert by_label[3].cluster_id == 5
    assert by_label[3].persona_name == "Segment 5: younger, low income, low spending"
    assert by_label[0].cluster_id == 6
    assert by_label[0].persona_name == "Segment 6: older, high income, high spending"
    for label in (0, 3):
        assert by_label[label].persona_id is None
        assert by_label[label].segment_name == by_label[label].persona_name
        assert by_label[label].unnamed_reason == NO_PERSONA_LEFT
        assert by_label[label].match_distance is None
        assert by_label[label].match_confidence is None
        assert by_label[label].match_strength is None
        assert by_label[label].persona_evidence is None
    matched = {label: m.persona_id for label, m in by_label.items() if m.persona_id is not None}
    assert matched == {
        1: int(profiles.index[2]),
        2: int(profiles.index[0]),
        4: int(profiles.index[3]),
        5: int(profiles.index[1]),
    }
    assert [m.cluster_id for m in matches] == [1, 2, 3, 4, 5, 6]


def test_a_tiny_leftover_cluster_is_too_small_before_it_is_one_too_many(
    seed_definitions, seed_defining
):
    profiles = persona_profiles(seed_definitions, FEATURES)
    far = np.full((2, len(FEATURES)), 6.0)
    far[1] *= -1
    centroids = pd.DataFrame(np.vstack([profiles.to_numpy(), far]), columns=FEATURES)
    sizes = np.array([500, 500, 500, 500, 40, 90])  # 40 of 2,130 is 1.9%, 90 is 4.2%

    matches = match_clusters_to_personas(
        centroids, seed_definitions, seed_defining, sizes, min_persona_share=0.03
    )
    by_label = _by_label(matches)

    assert by_label[4].unnamed_reason == TOO_SMALL
    assert by_label[5].unnamed_reason == NO_PERSONA_LEFT


def test_leftover_ids_follow_the_largest_persona_id():
    centroids = _small_centroids([(-1.0, -1.0), (2.0, -1.0), (-1.0, 2.0), (8.0, 8.0)])

    by_label = _by_label(_match_small(centroids))

    assert [by_label[label].persona_id for label in range(3)] == [10, 20, 30]
    assert by_label[3].cluster_id == 31
    assert by_label[3].persona_name == "Segment 31: older, high income"


def test_leftovers_of_equal_size_are_ordered_by_centroid_not_label(seed_definitions, seed_defining):
    profiles = persona_profiles(seed_definitions, FEATURES).to_numpy()
    high, low = np.full(len(FEATURES), 7.0), np.full(len(FEATURES), -7.0)

    def leftover_names(rows: list[np.ndarray]) -> dict[tuple[float, ...], str]:
        centroids = pd.DataFrame(np.vstack(rows), columns=FEATURES)
        matches = match_clusters_to_personas(
            centroids, seed_definitions, seed_defining, _sizes(len(rows))
        )
        return {
            tuple(centroids.iloc[m.cluster_label]): m.persona_name
            for m in matches
            if m.persona_id is None
        }

    first = leftover_names([*profiles, high, low])
    second = leftover_names([low, *profiles, high])

    assert first == second
    assert first[tuple(low)] == "Segment 5: younger, low income, low spending"
    assert first[tuple(high)] == "Segment 6: older, high income, high spending"


def test_fewer_clusters_than_personas_uses_only_that_many_personas(seed_definitions, seed_defining):
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.iloc[[2, 0]].reset_index(drop=True)

    matches = _by_label(
        match_clusters_to_personas(centroids, seed_definitions, seed_defining, _sizes(2))
    )

    assert len(matches) == 2
    assert matches[0].persona_id == int(profiles.index[2])
    assert matches[1].persona_id == int(profiles.index[0])
    assert all(m.match_distance == pytest.approx(0.0, abs=1e-12) for m in matches.values())


# --- feature subsets --------------------------------------------------------------------


def test_subset_of_features_uses_only_those_profile_columns(seed_definitions, seed_defining):
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

    with_garbage = match_clusters_to_personas(centroids, scrambled, seed_defining, _sizes(4))
    without_others = match_clusters_to_personas(centroids, only_subset, seed_defining, _sizes(4))

    assert with_garbage == without_others
    by_label = _by_label(with_garbage)
    for label, profile_row in enumerate([1, 3, 0, 2]):
        persona_id = int(profiles.index[profile_row])
        match = by_label[label]
        assert match.match_distance == pytest.approx(0.0, abs=1e-12)
        traits = seed_defining[seed_defining["persona_id"] == persona_id]
        if traits["feature_name"].isin(subset).any():
            assert match.persona_id == persona_id
            assert match.match_confidence == pytest.approx(
                _documented_confidence(centroids.iloc[label], seed_defining, persona_id)
            )
        else:
            # High-Value Loyal is defined by purchases and retention, both left out.
            assert match.persona_id is None
            assert match.unnamed_reason == NO_DEFINING_FEATURE
    assert sum(match.persona_id is None for match in with_garbage) == 1


def test_centroid_feature_without_profile_column_raises(seed_definitions, seed_defining):
    definitions = seed_definitions.drop(columns=["profile_retention_months"])
    profiles = persona_profiles(seed_definitions, FEATURES)
    centroids = profiles.reset_index(drop=True)

    with pytest.raises(ValueError, match="profile_retention_months"):
        match_clusters_to_personas(centroids, definitions, seed_defining, _sizes(4))
