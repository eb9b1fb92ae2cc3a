"""Naming clusters after the business personas, only where the data shows the persona.

KMeans numbers its clusters arbitrarily: the numbers change with the library version, the
thread count and the row order. So a cluster is never named by its number. Each persona in
the ``persona_definitions`` seed states its expected profile in standard deviations from the
customer base (``profile_<feature>``); clusters and personas are paired one-to-one by the
smallest total squared difference between centroid and profile (the Hungarian method).

A pairing only gives the cluster the persona's name when the data bears it out. The seed
``persona_defining_features`` lists the traits that make each persona what it is (Young:
age below the base; High-Value Loyal: purchases and retention above). A cluster takes a
persona's name only if

- it holds at least ``min_persona_share`` of the customers,
- the file has at least one of the persona's defining features, and
- its centroid shows every defining feature the file has, in the stated direction, by at
  least ``EVIDENCE_MIN_SD`` standard deviations.

The pairing prefers pairs that pass (a failing pair costs more than any passing one), so a
persona goes to the cluster that shows it. A cluster that passes no persona keeps a
descriptive name built from its profile ("Segment 5: older, high income, low spending").

How strongly a name is supported is ``match_confidence``, from 0 to 1:

    confidence = coverage x clarity
    coverage   = the persona's defining features the file has / all its defining features
    clarity    = the weakest defining feature's distance from the base on the persona's
                 side, in standard deviations, counted in full at ``FULL_EVIDENCE_SD``

Read it in three bands (``MATCH_STRENGTHS``): strong from 0.65 (at least two thirds of the
definition checked, each trait clearly shown), moderate from 0.4, weak below 0.4 (a trait
barely shown, or a third or less of the definition checked: use the name as a hint and look
at the profile first).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from customer_segmentation.features import CLUSTERING_FEATURES, FEATURE_WORDS

PROFILE_PREFIX = "profile_"
DIRECTIONS = {"above": 1.0, "below": -1.0}
# A trait counts as shown when the centroid sits at least this far on the persona's side of
# the base, in standard deviations; a quarter of a standard deviation is a visible difference
# in a segment average, smaller ones are within what a refit moves.
EVIDENCE_MIN_SD = 0.25
# ... and counts in full from this distance, the size of the gaps in the persona profiles.
FULL_EVIDENCE_SD = 1.0
# Confidence bands, highest first: (lowest confidence of the band, its name).
MATCH_STRENGTHS = ((0.65, "strong"), (0.4, "moderate"), (0.0, "weak"))
# A segment's profile reads as "low"/"high" on a feature beyond this many standard deviations.
DESCRIPTION_SD = 0.5
DESCRIBED_FEATURES = 3
# Added to the cost of a pair whose persona the cluster does not show: larger than any
# squared gap between standardised profiles, so the pairing names as many clusters as it can.
UNSUPPORTED_PAIR_COST = 1e6

# Why a cluster carries no persona name (column unnamed_reason).
TOO_SMALL = "below_min_persona_share"
NO_DEFINING_FEATURE = "no_defining_feature_in_file"
PROFILE_DISAGREES = "profile_disagrees"
NO_PERSONA_LEFT = "more_clusters_than_personas"


@dataclass(frozen=True)
class PersonaCatalogue:
    """The seeds that define the personas: profiles and names, and their defining features."""

    definitions: pd.DataFrame
    defining_features: pd.DataFrame

    def __post_init__(self) -> None:
        # Fails on a typo in either seed with the row's problem. These checks run in every
        # build that reads the seeds (segmentation_models), in place of data tests on them.
        check_persona_definitions(self.definitions)
        defining_features_by_persona(
            self.defining_features, self.definitions["persona_id"].astype(int).tolist()
        )


# The columns of persona_definitions that identify a persona: each set and unique.
PERSONA_KEYS = ("persona_id", "persona_name", "persona_slug")


def check_persona_definitions(definitions: pd.DataFrame) -> None:
    """Stop on a typo in the seed persona_definitions, naming each problem.

    Ids, names and slugs are keys (marts join on the id, the report and the tests read the
    name, files are named after the slug): each must be set and unique. The summary and every
    profile value must be set, since the pairing compares every profile column.
    """
    problems = []
    profile_columns = [
        column for column in definitions.columns if column.startswith(PROFILE_PREFIX)
    ]
    for column in [*PERSONA_KEYS, "persona_summary", *profile_columns]:
        if column not in definitions.columns:
            problems.append(f"column {column} is missing")
            continue
        values = definitions[column]
        blank = values.isna() | (values.astype(str).str.strip() == "")
        if blank.any():
            problems.append(f"{column} is empty on row(s) {(blank[blank].index + 1).tolist()}")
        if column in PERSONA_KEYS:
            repeated = sorted(values[values.duplicated() & ~blank].astype(str).unique())
            if repeated:
                problems.append(f"{column} repeats {repeated}")
    if problems:
        raise ValueError("seed persona_definitions: " + "; ".join(problems))


@dataclass(frozen=True)
class Evidence:
    """How one cluster's centroid bears out one persona's defining features."""

    shown: tuple[tuple[str, str, float], ...]  # (feature, direction, deviation in sd)
    absent: tuple[str, ...]  # defining features the file lacks

    @property
    def supports_name(self) -> bool:
        return bool(self.shown) and all(
            DIRECTIONS[direction] * deviation >= EVIDENCE_MIN_SD
            for _, direction, deviation in self.shown
        )

    @property
    def confidence(self) -> float:
        if not self.supports_name:
            return 0.0
        coverage = len(self.shown) / (len(self.shown) + len(self.absent))
        weakest = min(DIRECTIONS[direction] * value for _, direction, value in self.shown)
        return float(coverage * min(1.0, weakest / FULL_EVIDENCE_SD))

    def describe(self) -> str:
        """E.g. 'age -1.1 sd (defined below: shown); spending_score not in the file'."""
        parts = [
            f"{feature} {deviation:+.1f} sd (defined {direction}: "
            f"{'shown' if DIRECTIONS[direction] * deviation >= EVIDENCE_MIN_SD else 'not shown'})"
            for feature, direction, deviation in self.shown
        ]
        parts += [f"{feature} not in the file" for feature in self.absent]
        return "; ".join(parts)


@dataclass(frozen=True)
class PersonaMatch:
    """How one KMeans cluster was named.

    ``persona_id`` and ``match_strength`` are None when the cluster carries no persona name;
    ``unnamed_reason`` then says why and ``persona_name`` is the descriptive ``segment_name``.
    ``persona_evidence`` describes the defining features of the persona the cluster was
    paired with (or would have been). ``match_distance`` is the root-mean-square gap between
    centroid and that persona's profile, per feature, in standard deviations.
    """

    cluster_label: int
    cluster_id: int
    persona_id: int | None
    persona_name: str
    segment_name: str
    match_distance: float | None
    match_confidence: float | None
    match_strength: str | None
    persona_evidence: str | None
    unnamed_reason: str | None


def persona_profiles(persona_definitions: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """The personas' expected standardised profile over ``features``, indexed by persona id."""
    columns = [PROFILE_PREFIX + feature for feature in features]
    missing = [column for column in columns if column not in persona_definitions.columns]
    if missing:
        raise ValueError(f"persona_definitions lacks profile columns {missing}")
    ordered = persona_definitions.sort_values("persona_id")
    profiles = ordered.set_index("persona_id")[columns].astype(float)
    profiles.columns = features
    return profiles


def defining_features_by_persona(
    defining_features: pd.DataFrame, persona_ids: list[int]
) -> dict[int, list[tuple[str, str]]]:
    """Each persona's (feature, direction) traits from the seed, checked for typos."""
    problems = []
    for row in defining_features.itertuples(index=False):
        if row.feature_name not in CLUSTERING_FEATURES:
            problems.append(f"unknown feature '{row.feature_name}'")
        if row.direction not in DIRECTIONS:
            problems.append(f"direction '{row.direction}' is not one of {sorted(DIRECTIONS)}")
        if int(row.persona_id) not in persona_ids:
            problems.append(f"persona_id {row.persona_id} is not in persona_definitions")
    repeated = defining_features.duplicated(["persona_id", "feature_name"], keep="first")
    for row in defining_features[repeated].itertuples(index=False):
        problems.append(f"persona_id {row.persona_id} lists '{row.feature_name}' more than once")
    undefined = sorted(set(persona_ids) - set(defining_features["persona_id"].astype(int)))
    if undefined:
        problems.append(f"persona(s) {undefined} have no defining feature")
    if problems:
        raise ValueError("seed persona_defining_features: " + "; ".join(problems))
    traits: dict[int, list[tuple[str, str]]] = {persona_id: [] for persona_id in persona_ids}
    for row in defining_features.sort_values(["persona_id", "feature_name"]).itertuples():
        traits[int(row.persona_id)].append((str(row.feature_name), str(row.direction)))
    return traits


def weigh_evidence(centroid: pd.Series, traits: list[tuple[str, str]]) -> Evidence:
    """The persona's traits as this centroid (standardised, base = 0) shows them."""
    shown = tuple(
        (feature, direction, float(centroid[feature]))
        for feature, direction in traits
        if feature in centroid.index
    )
    absent = tuple(feature for feature, _ in traits if feature not in centroid.index)
    return Evidence(shown=shown, absent=absent)


def match_strength(confidence: float) -> str:
    """The band a confidence falls in: strong, moderate or weak."""
    return next(name for lowest, name in MATCH_STRENGTHS if confidence >= lowest)


def strength_scale() -> str:
    """The bands in words, for the report: 'strong from 0.65, moderate from 0.4, weak below'."""
    named = [f"{name} from {lowest:g}" for lowest, name in MATCH_STRENGTHS if lowest > 0]
    return ", ".join(named) + f", {MATCH_STRENGTHS[-1][1]} below"


def describe_segment(centroid: pd.Series) -> str:
    """The segment's most distinctive features in words, in canonical feature order."""
    distinctive = centroid.abs().sort_values(ascending=False, kind="stable").index
    chosen = set(distinctive[:DESCRIBED_FEATURES])
    words = []
    for feature in (name for name in CLUSTERING_FEATURES if name in chosen):
        below, near, above = FEATURE_WORDS[feature]
        value = float(centroid[feature])
        words.append(
            below if value <= -DESCRIPTION_SD else above if value >= DESCRIPTION_SD else near
        )
    return ", ".join(words)


def match_clusters_to_personas(
    centroids_standardised: pd.DataFrame,
    persona_definitions: pd.DataFrame,
    defining_features: pd.DataFrame,
    cluster_sizes: np.ndarray,
    min_persona_share: float = 0.0,
) -> list[PersonaMatch]:
    """Name each cluster after the persona it shows, or describe it; one persona per cluster."""
    features = list(centroids_standardised.columns)
    profiles = persona_profiles(persona_definitions, features)
    names = persona_definitions.set_index("persona_id")["persona_name"]
    traits = defining_features_by_persona(defining_features, profiles.index.astype(int).tolist())
    centroids = centroids_standardised.to_numpy(dtype=float)
    shares = np.asarray(cluster_sizes, dtype=float) / max(float(np.sum(cluster_sizes)), 1.0)

    # cost[i, j]: mean squared gap between centroid i and persona j's profile.
    cost = ((centroids[:, None, :] - profiles.to_numpy()[None, :, :]) ** 2).mean(axis=2)
    evidence = [
        [
            weigh_evidence(centroids_standardised.iloc[row], traits[int(persona_id)])
            for persona_id in profiles.index
        ]
        for row in range(len(centroids))
    ]
    supported = np.array(
        [
            [shares[row] >= min_persona_share and item.supports_name for item in evidence[row]]
            for row in range(len(centroids))
        ]
    )
    cluster_rows, persona_columns = linear_sum_assignment(
        cost + np.where(supported, 0.0, UNSUPPORTED_PAIR_COST)
    )
    paired = dict(zip(cluster_rows.tolist(), persona_columns.tolist(), strict=True))

    named: dict[int, int] = {}  # cluster row -> persona column
    for row, column in paired.items():
        if supported[row, column]:
            named[row] = column
    # Named clusters take their persona's id; the others follow the largest persona id,
    # biggest first, ties broken by centroid so the numbering never depends on KMeans labels.
    cluster_ids = {row: int(profiles.index[column]) for row, column in named.items()}
    unnamed_rows = sorted(
        (row for row in range(len(centroids)) if row not in named),
        key=lambda row: (-int(cluster_sizes[row]), tuple(np.round(centroids[row], 6))),
    )
    next_id = int(profiles.index.max()) + 1
    for offset, row in enumerate(unnamed_rows):
        cluster_ids[row] = next_id + offset

    matches = []
    for row in range(len(centroids)):
        cluster_id = cluster_ids[row]
        segment_name = f"Segment {cluster_id}: {describe_segment(centroids_standardised.iloc[row])}"
        column = paired.get(row)
        item = evidence[row][column] if column is not None else None
        distance = float(np.sqrt(cost[row, column])) if column is not None else None
        if row in named:
            persona_id = int(profiles.index[column])
            confidence = item.confidence
            matches.append(
                PersonaMatch(
                    cluster_label=row,
                    cluster_id=cluster_id,
                    persona_id=persona_id,
                    persona_name=str(names[persona_id]),
                    segment_name=segment_name,
                    match_distance=distance,
                    match_confidence=confidence,
                    match_strength=match_strength(confidence),
                    persona_evidence=item.describe(),
                    unnamed_reason=None,
                )
            )
            continue
        if shares[row] < min_persona_share:
            reason = TOO_SMALL
        elif column is None:
            reason = NO_PERSONA_LEFT
        elif not item.shown:
            reason = NO_DEFINING_FEATURE
        else:
            reason = PROFILE_DISAGREES
        matches.append(
            PersonaMatch(
                cluster_label=row,
                cluster_id=cluster_id,
                persona_id=None,
                persona_name=segment_name,
                segment_name=segment_name,
                match_distance=distance,
                match_confidence=None,
                match_strength=None,
                persona_evidence=(
                    None
                    if item is None
                    else f"closest persona {names[profiles.index[column]]}: {item.describe()}"
                ),
                unnamed_reason=reason,
            )
        )
    return sorted(matches, key=lambda match: match.cluster_id)
