"""Naming clusters after the business personas.

KMeans numbers its clusters arbitrarily: the numbers change with the library version, the
thread count and the row order. So a cluster is never named by its number. Each persona in
the ``persona_definitions`` seed states its expected profile in standard deviations from the
customer base (``profile_<feature>``); clusters and personas are paired one-to-one by the
smallest total squared difference between centroid and profile (the Hungarian method).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

PROFILE_PREFIX = "profile_"
UNMATCHED_NAME = "Unmatched Segment {cluster_id}"


@dataclass(frozen=True)
class PersonaMatch:
    """How one KMeans cluster was named.

    ``match_distance`` is the root-mean-square difference between the cluster's centroid and
    the persona's profile, per feature, in standard deviations (0 is a perfect fit).
    ``match_confidence`` is ``1 - distance / distance to the next-closest persona``, clipped
    to [0, 1]: near 1 the cluster is unmistakably this persona, near 0 it sits between two.
    """

    cluster_label: int
    cluster_id: int
    persona_id: int | None
    persona_name: str
    match_distance: float | None
    match_confidence: float | None


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


def match_clusters_to_personas(
    centroids_standardised: pd.DataFrame,
    persona_definitions: pd.DataFrame,
    cluster_sizes: np.ndarray,
) -> list[PersonaMatch]:
    """Pair clusters with personas one-to-one by the best total fit; name the rest generically."""
    features = list(centroids_standardised.columns)
    profiles = persona_profiles(persona_definitions, features)
    names = persona_definitions.set_index("persona_id")["persona_name"]
    centroids = centroids_standardised.to_numpy(dtype=float)
    # cost[i, j]: mean squared gap between centroid i and persona j's profile.
    cost = ((centroids[:, None, :] - profiles.to_numpy()[None, :, :]) ** 2).mean(axis=2)
    cluster_rows, persona_columns = linear_sum_assignment(cost)

    matches: list[PersonaMatch] = []
    for cluster_row, persona_column in zip(cluster_rows, persona_columns, strict=True):
        persona_id = int(profiles.index[persona_column])
        distance = float(np.sqrt(cost[cluster_row, persona_column]))
        others = np.delete(cost[cluster_row], persona_column)
        confidence = None
        if others.size:
            nearest_other = float(np.sqrt(others.min()))
            confidence = 0.0
            if nearest_other > 0:
                confidence = float(np.clip(1 - distance / nearest_other, 0, 1))
        matches.append(
            PersonaMatch(
                cluster_label=int(cluster_row),
                cluster_id=persona_id,
                persona_id=persona_id,
                persona_name=str(names[persona_id]),
                match_distance=distance,
                match_confidence=confidence,
            )
        )

    # Clusters beyond the number of personas: biggest first, ties broken by centroid.
    matched = set(int(row) for row in cluster_rows)
    leftovers = sorted(
        (row for row in range(len(centroids)) if row not in matched),
        key=lambda row: (-int(cluster_sizes[row]), tuple(np.round(centroids[row], 6))),
    )
    next_id = int(profiles.index.max()) + 1
    for offset, cluster_row in enumerate(leftovers):
        cluster_id = next_id + offset
        matches.append(
            PersonaMatch(
                cluster_label=int(cluster_row),
                cluster_id=cluster_id,
                persona_id=None,
                persona_name=UNMATCHED_NAME.format(cluster_id=cluster_id),
                match_distance=None,
                match_confidence=None,
            )
        )
    return sorted(matches, key=lambda match: match.cluster_id)
