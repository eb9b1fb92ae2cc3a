"""KMeans settings and cluster-count diagnostics for the segmentation.

The dbt Python models pass the clean customer features and the settings read from their dbt
config (``customer_segmentation.settings``); the fit itself lives in ``model_store``. The
vars were validated by ``validate_project_vars`` and the customers found segmentable by the
post-hook ``assert_customers_are_segmentable`` before any of this runs. Everything here is
plain pandas/scikit-learn so it is tested with pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from customer_segmentation.features import CUSTOMER_ID
from customer_segmentation.preprocessing import FeaturePreparation


@dataclass(frozen=True)
class KMeansSettings:
    """What the fit needs from the project config (vars in ``dbt_project.yml``)."""

    features: tuple[str, ...]
    n_clusters: int = 4
    random_state: int = 0
    n_init: int = 10
    min_persona_share: float = 0.02


def features_for_clustering(feature_profiles: pd.DataFrame) -> list[str]:
    """The features ``int_features_profiled`` marks for clustering, in canonical order.

    That model decides which requested features the file can support (present, not all
    missing, not constant); this only reads its decision.
    """
    used = feature_profiles[feature_profiles["is_used_for_clustering"].astype(bool)]
    return used.sort_values("feature_position")["feature_name"].astype(str).tolist()


@contextmanager
def one_compute_thread() -> Iterator[None]:
    """Run scikit-learn's native code (OpenMP, BLAS) on one thread inside this block.

    The fits here are small (a sample of at most ``fit_sample_size`` customers) and run while
    DuckDB works on every core for the models beside them. Measured on 2 cores: a
    100,000-customer fit takes 0.5 s on one thread against 1.0 s on two, and in 10-million-
    customer builds the choice-of-k diagnostics took 7 to 20 s on two threads beside the
    scoring, 2 to 3 s on one: OpenMP's workers waited on cores DuckDB held. The clusters
    found are the same.
    """
    with threadpool_limits(limits=1):
        yield


def standardise(customers: pd.DataFrame, features: list[str]) -> np.ndarray:
    """The features prepared as the segmentation prepares them (log of money, clipped, scaled)."""
    values = customers[features].to_numpy(dtype=float)
    return FeaturePreparation.fit(values, tuple(features)).standardise(values)


DIAGNOSTIC_COLUMNS = [
    "cluster_count",
    "inertia",
    "silhouette_score",
    "is_chosen_cluster_count",
    "sample_size",
]
# The diagnostics' columns and types on Spark (``customer_segmentation.frames.for_engine``):
# with no k to fit the frame is empty, and pyspark cannot infer types from no rows.
DIAGNOSTIC_SPARK_SCHEMA = (
    "cluster_count bigint, inertia double, silhouette_score double,"
    " is_chosen_cluster_count boolean, sample_size bigint, elbow_cluster_count bigint,"
    " best_silhouette_cluster_count bigint, is_chosen_cluster_count_supported boolean,"
    " cluster_count_verdict string"
)


def diagnose_cluster_counts(
    customers: pd.DataFrame,
    settings: KMeansSettings,
    k_values: range,
) -> pd.DataFrame:
    """Inertia and silhouette of KMeans for each k, to show whether the data supports k.

    Every k is fitted on the same customers, ``customers`` (a seeded sample of the clean
    customers: the silhouette is quadratic in rows), standardised, with the segmentation's
    ``random_state`` and ``n_init``. One row per k, up to the first k that is not below
    both the number of customers and of distinct profiles (the sample may hold fewer than the
    base the build checked).
    """
    customers = customers.sort_values(CUSTOMER_ID, kind="stable").reset_index(drop=True)
    scaled = standardise(customers, list(settings.features))
    distinct_points = len(np.unique(scaled, axis=0))
    rows = []
    for k in k_values:
        if k >= min(len(scaled), distinct_points):
            break
        kmeans = KMeans(n_clusters=k, n_init=settings.n_init, random_state=settings.random_state)
        with one_compute_thread():
            labels = kmeans.fit_predict(scaled)
            silhouette = float(silhouette_score(scaled, labels))
        rows.append(
            {
                "cluster_count": k,
                "inertia": float(kmeans.inertia_),
                "silhouette_score": silhouette,
                "is_chosen_cluster_count": k == settings.n_clusters,
                "sample_size": len(scaled),
            }
        )
    # Named columns even when no k fits (a sample of a single profile): the table keeps its shape.
    diagnostics = pd.DataFrame(rows, columns=DIAGNOSTIC_COLUMNS)
    verdict = judge_cluster_count(diagnostics, settings.n_clusters)
    return diagnostics.assign(
        elbow_cluster_count=pd.array([verdict.elbow] * len(diagnostics), dtype="Int64"),
        best_silhouette_cluster_count=pd.array(
            [verdict.best_silhouette] * len(diagnostics), dtype="Int64"
        ),
        is_chosen_cluster_count_supported=verdict.is_supported,
        cluster_count_verdict=verdict.text,
    )


@dataclass(frozen=True)
class ClusterCountVerdict:
    """What the elbow and silhouette say about the chosen k, in numbers and in words."""

    elbow: int | None
    best_silhouette: int | None
    is_supported: bool
    text: str


def judge_cluster_count(diagnostics: pd.DataFrame, chosen_k: int) -> ClusterCountVerdict:
    """Whether the inertia curve's elbow or the silhouette back the chosen k.

    The elbow is the k after which the gain in inertia shrinks most. The chosen k is
    supported when it is the elbow, has the best silhouette, or has a silhouette within 0.02
    of the best or at a local peak.
    """
    if len(diagnostics) < 3 or chosen_k not in set(diagnostics["cluster_count"]):
        return ClusterCountVerdict(
            None, None, False, "Too few values of k were fitted to judge the choice of k."
        )
    inertia = diagnostics.set_index("cluster_count")["inertia"]
    drops = -inertia.diff()
    bend = (drops - drops.shift(-1)).dropna()  # how much the gain shrinks after each k
    elbow = int(bend.idxmax()) if not bend.empty else None
    silhouette = diagnostics.set_index("cluster_count")["silhouette_score"]
    best_k = int(silhouette.idxmax())
    chosen_score = float(silhouette[chosen_k])
    near_best = silhouette.max() - chosen_score <= 0.02
    is_local_peak = all(
        chosen_score >= silhouette.get(neighbour, -1.0)
        for neighbour in (chosen_k - 1, chosen_k + 1)
    )
    evidence = []
    if elbow == chosen_k:
        evidence.append(f"the inertia curve bends most sharply at k = {chosen_k}")
    if best_k == chosen_k:
        evidence.append(f"the silhouette is highest at k = {chosen_k} ({chosen_score:.2f})")
    elif near_best:
        evidence.append(
            f"the silhouette at k = {chosen_k} ({chosen_score:.2f}) is within 0.02 of the best"
            f" (k = {best_k}, {silhouette.max():.2f})"
        )
    elif is_local_peak:
        evidence.append(
            f"the silhouette at k = {chosen_k} ({chosen_score:.2f}) is a local peak, though"
            f" lower than at k = {best_k} ({silhouette.max():.2f})"
        )
    if evidence:
        text = f"The data supports {chosen_k} segments: " + " and ".join(evidence) + "."
    else:
        text = (
            f"The data does not clearly support {chosen_k} segments: the elbow is at k = {elbow}"
            f" and the silhouette peaks at k = {best_k} ({silhouette.max():.2f}, against"
            f" {chosen_score:.2f} at k = {chosen_k}). The personas are a business choice; read"
            " them as broad groups rather than sharply separated clusters."
        )
    return ClusterCountVerdict(elbow, best_k, bool(evidence), text)
