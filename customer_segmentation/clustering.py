"""KMeans settings, input checks and cluster-count diagnostics for the segmentation.

The dbt Python models pass the clean customer features and the settings from their dbt
config; the fit itself lives in ``model_store``. Everything here is plain pandas/scikit-learn
so it is tested with pytest.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID
from customer_segmentation.preprocessing import FeaturePreparation

MIN_CLUSTERS = 2
MAX_CLUSTERS = 12
# Above this, four personas could not all be named even in four equal segments.
MAX_MIN_PERSONA_SHARE = 0.25


class SegmentationInputError(ValueError):
    """The data or settings cannot be segmented; the message says why and what to do."""


@dataclass(frozen=True)
class KMeansSettings:
    """What the fit needs from the project config (vars in ``dbt_project.yml``)."""

    features: tuple[str, ...]
    n_clusters: int = 4
    random_state: int = 0
    n_init: int = 10
    min_persona_share: float = 0.02

    def __post_init__(self) -> None:
        unknown = [name for name in self.features if name not in CLUSTERING_FEATURES]
        repeated = len(set(self.features)) != len(self.features)
        if unknown or repeated or len(self.features) < 2:
            raise SegmentationInputError(
                "clustering_features must list at least two distinct features of "
                f"{', '.join(CLUSTERING_FEATURES)};"
                f" got {list(self.features)}"
            )
        if not MIN_CLUSTERS <= self.n_clusters <= MAX_CLUSTERS:
            raise SegmentationInputError(
                f"n_clusters must be an integer from {MIN_CLUSTERS} to {MAX_CLUSTERS};"
                f" got {self.n_clusters}"
            )
        if self.n_init < 1:
            raise SegmentationInputError(f"kmeans_n_init must be at least 1; got {self.n_init}")
        if not 0 <= self.min_persona_share <= MAX_MIN_PERSONA_SHARE:
            raise SegmentationInputError(
                f"min_persona_share must be a share from 0 to {MAX_MIN_PERSONA_SHARE};"
                f" got {self.min_persona_share}"
            )

    @classmethod
    def from_config_values(
        cls,
        features: Any,
        n_clusters: Any,
        random_state: Any,
        n_init: Any,
        min_persona_share: Any = 0.02,
    ) -> KMeansSettings:
        """Build from a dbt Python model's config values.

        dbt renders ``"{{ var(...) }}"`` in YAML config to text, so numbers and lists may
        arrive as strings; they are read back here, strictly.
        """
        return cls(
            features=tuple(_as_list(features, "clustering_features")),
            n_clusters=_as_int(n_clusters, "n_clusters"),
            random_state=_as_int(random_state, "kmeans_random_state"),
            n_init=_as_int(n_init, "kmeans_n_init"),
            min_persona_share=_as_share(min_persona_share, "min_persona_share"),
        )


def _as_int(value: Any, name: str) -> int:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if isinstance(value, bool) or not number.is_integer():
        raise SegmentationInputError(f"{name} must be an integer; got {value!r}")
    return int(number)


def _as_share(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SegmentationInputError(
            f"{name} must be a number from 0 to 1; got {value!r}"
        ) from None


def cluster_count_range(value: Any) -> range:
    """The var ``diagnostics_cluster_counts`` ([smallest, largest] k) as a range of k."""
    bounds = [
        _as_int(bound, "diagnostics_cluster_counts")
        for bound in _as_list(value, "diagnostics_cluster_counts")
    ]
    if len(bounds) != 2 or not MIN_CLUSTERS <= bounds[0] <= bounds[1] <= MAX_CLUSTERS:
        raise SegmentationInputError(
            f"diagnostics_cluster_counts must be [smallest, largest] with {MIN_CLUSTERS} <="
            f" smallest <= largest <= {MAX_CLUSTERS}; got {value!r}"
        )
    return range(bounds[0], bounds[1] + 1)


def positive_int(value: Any, name: str) -> int:
    """A config value that must be a whole number of at least 1."""
    number = _as_int(value, name)
    if number < 1:
        raise SegmentationInputError(f"{name} must be at least 1; got {value!r}")
    return number


def _as_list(value: Any, name: str) -> list[str]:
    if isinstance(value, str):
        text = value.strip().strip("[]")
        return [part.strip().strip("'\"") for part in text.split(",") if part.strip()]
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    raise SegmentationInputError(f"{name} must be a list of feature names; got {value!r}")


def features_for_clustering(feature_profiles: pd.DataFrame) -> list[str]:
    """The features ``int_features_profiled`` marks for clustering, in canonical order.

    That model decides which requested features the file can support (present, not all
    missing, not constant); this only reads its decision.
    """
    used = feature_profiles[feature_profiles["is_used_for_clustering"].astype(bool)]
    return used.sort_values("feature_position")["feature_name"].astype(str).tolist()


def check_segmentable(customers: pd.DataFrame, settings: KMeansSettings) -> None:
    """Stop with a clear message when KMeans cannot give ``n_clusters`` real clusters."""
    missing = [name for name in settings.features if name not in customers.columns]
    if missing:
        raise SegmentationInputError(f"clean customers lack clustering features: {missing}")
    rows = len(customers)
    if rows < settings.n_clusters:
        raise SegmentationInputError(
            f"Only {rows} clean customer(s) for n_clusters = {settings.n_clusters}: "
            "check the rejects in customers_rejected, or lower n_clusters with --vars."
        )
    values = customers[list(settings.features)]
    if values.isna().any().any():
        columns = values.columns[values.isna().any()].tolist()
        raise SegmentationInputError(f"clean customers have missing values in {columns}")
    distinct_points = len(values.drop_duplicates())
    if distinct_points < settings.n_clusters:
        raise SegmentationInputError(
            f"Only {distinct_points} distinct customer profile(s) for n_clusters = "
            f"{settings.n_clusters}: KMeans would return empty clusters. "
            "Lower n_clusters or add customers."
        )


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


def seeded_sample(customers: duckdb.DuckDBPyRelation, size: int, seed: int) -> pd.DataFrame:
    """At most ``size`` customers, picked by a seeded hash of their id, as a pandas frame.

    The database picks the rows, so only the sample ever reaches Python, whatever the number
    of customers. The pick depends on the ids alone, not on row order: the same customers
    give the same sample in every build, and a customer keeps its place as others come and go.
    """
    if size < 1:
        raise SegmentationInputError(f"sample size must be at least 1; got {size}")
    sample_key = f"hash({CUSTOMER_ID}, {int(seed)})"
    sample_order = f"{sample_key}, {CUSTOMER_ID}"
    customer_count = customers.aggregate("count(*)").fetchall()[0][0]
    if customer_count > 4 * size:
        # Sorting every customer to keep a few is most of the cost on a large base. Hashes are
        # uniform, so the lowest fraction of the hash range holds about twice `size` ids:
        # when it holds at least `size`, the pick below is the same as from the whole base.
        hash_bound = (2 * size << 64) // customer_count
        candidates = customers.filter(f"{sample_key} < {hash_bound}")
        sample = candidates.order(sample_order).limit(size).df()
        if len(sample) == size:
            return sample
    return customers.order(sample_order).limit(size).df()


def diagnose_cluster_counts(
    customers: pd.DataFrame,
    settings: KMeansSettings,
    k_values: range,
) -> pd.DataFrame:
    """Inertia and silhouette of KMeans for each k, to show whether the data supports k.

    Every k is fitted on the same customers, ``customers`` (a seeded sample of the clean
    customers: the silhouette is quadratic in rows), standardised, with the segmentation's
    ``random_state`` and ``n_init``. One row per k.
    """
    customers = customers.sort_values(CUSTOMER_ID, kind="stable").reset_index(drop=True)
    check_segmentable(customers, settings)
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
    diagnostics = pd.DataFrame(rows)
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
