"""Stored segmentation models: fit once, score many times, refit on request.

A model version is everything needed to score a customer without refitting: the features,
how each is prepared (``preprocessing``: log of money, clipping bounds, means and scales),
and each cluster's centroid with its persona or descriptive name. The dbt Python
model ``segmentation_models`` appends a version (one row per cluster) only when a fit is due:
no model yet, the usable features or k changed, or the var ``refit`` asks. Scoring itself is
nearest-centroid SQL (``int_customers_scored``); ``score`` below is the same rule in numpy,
used to count how many customers a refit moves.

A refit with unchanged features and k starts KMeans from the current centroids (warm start),
so personas stay put unless the data has really moved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import numpy as np
import pandas as pd
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

from customer_segmentation.clustering import KMeansSettings, one_compute_thread
from customer_segmentation.features import CUSTOMER_ID
from customer_segmentation.file_fingerprint import FileFingerprint
from customer_segmentation.frames import spark_schema
from customer_segmentation.personas import PersonaCatalogue, match_clusters_to_personas
from customer_segmentation.preprocessing import (
    IDENTITY,
    PREPROCESSING_METHOD,
    FeaturePreparation,
)

SILHOUETTE_SAMPLE_SIZE = 5000

# The stored table's columns and types, so that "no new version" is an empty frame of the
# right shape (dbt appends it as nothing).
VERSION_COLUMNS: dict[str, str] = {
    "model_version": "int64",
    "cluster_id": "int64",
    "fitted_at": "datetime64[us, UTC]",
    "fit_reason": "object",
    "source_file_name": "object",
    "source_file_sha256": "object",
    "source_record_count": "int64",
    "fitted_customer_count": "int64",
    "n_clusters": "int64",
    "kmeans_random_state": "int64",
    "kmeans_n_init": "int64",
    "min_persona_share": "float64",
    "preprocessing_method": "object",
    "features": "object",
    "feature_transforms": "object",
    "clip_lowers": "object",
    "clip_uppers": "object",
    "extreme_lowers": "object",
    "extreme_uppers": "object",
    "scaler_means": "object",
    "scaler_scales": "object",
    "centroid_standardised": "object",
    "centroid_original": "object",
    "persona_id": "Int64",
    "persona_name": "object",
    "segment_name": "object",
    "unnamed_reason": "object",
    "persona_evidence": "object",
    "persona_match_distance": "float64",
    "persona_match_confidence": "float64",
    "persona_match_strength": "object",
    "cluster_size_at_fit": "int64",
    "cluster_share_at_fit": "float64",
    "inertia": "float64",
    "silhouette_score": "float64",
    "customers_changing_persona": "Int64",
    "share_changing_persona": "float64",
}

# The list columns of a version and their elements' type; the other object columns hold text.
VERSION_LIST_ELEMENT_TYPES: dict[str, str] = {
    "feature_transforms": "string",
    **dict.fromkeys(
        [
            "clip_lowers",
            "clip_uppers",
            "extreme_lowers",
            "extreme_uppers",
            "scaler_means",
            "scaler_scales",
            "centroid_standardised",
            "centroid_original",
        ],
        "double",
    ),
}
# The store's types on Spark, where the model hands its rows over with a schema
# (``customer_segmentation.frames.for_engine``); DuckDB infers the same from the dtypes.
VERSION_SPARK_SCHEMA = spark_schema(VERSION_COLUMNS, VERSION_LIST_ELEMENT_TYPES)


@dataclass(frozen=True)
class SegmentationModel:
    """A fitted model: enough to score any customer with the same features."""

    preparation: FeaturePreparation
    cluster_ids: np.ndarray
    centroids_standardised: np.ndarray  # one row per cluster id, in cluster_ids order
    persona_names: tuple[str, ...]

    @property
    def features(self) -> tuple[str, ...]:
        return self.preparation.features

    def standardise(self, customers: pd.DataFrame) -> np.ndarray:
        return self.preparation.standardise(customers[list(self.features)].to_numpy(dtype=float))

    def score(self, customers: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each customer's nearest cluster id and the distance to it (standardised units)."""
        scaled = self.standardise(customers)
        distances = np.linalg.norm(
            scaled[:, None, :] - self.centroids_standardised[None, :, :], axis=2
        )
        nearest = distances.argmin(axis=1)
        return self.cluster_ids[nearest], distances[np.arange(len(scaled)), nearest]

    def extreme_features(self, customers: pd.DataFrame) -> list[str | None]:
        """Per customer, the features beyond the fitted range, comma-separated, or None."""
        mask = self.preparation.extreme_mask(customers[list(self.features)].to_numpy(dtype=float))
        return [
            ", ".join(name for name, flagged in zip(self.features, row, strict=True) if flagged)
            or None
            for row in mask
        ]

    def persona_of(self, cluster_ids: np.ndarray) -> np.ndarray:
        names = dict(zip(self.cluster_ids.tolist(), self.persona_names, strict=True))
        return np.array([names[int(cluster_id)] for cluster_id in cluster_ids])


@dataclass(frozen=True)
class SourceFile:
    """The customer file a version is fitted on, as the load recorded it (never re-read)."""

    file_name: str
    sha256: str
    record_count: int

    @classmethod
    def from_fingerprint(cls, fingerprint: FileFingerprint, record_count: int) -> SourceFile:
        return cls(fingerprint.file_name, fingerprint.file_sha256, record_count)


def _stored_list(value: object, default: float | str, size: int) -> np.ndarray:
    """A stored list column; versions fitted before the column existed hold null."""
    # DuckDB hands a null list back as None, pd.NA or NaN, depending on the path.
    if value is None or value is pd.NA or (np.isscalar(value) and pd.isna(value)):
        return np.full(size, default, dtype=object if isinstance(default, str) else float)
    return np.asarray(value, dtype=object if isinstance(default, str) else float)


def model_from_versions(versions: pd.DataFrame, model_version: int) -> SegmentationModel:
    """Rebuild one stored version from its rows (one per cluster).

    Versions stored before the robust preprocessing hold null transforms and bounds: they
    scale linearly and never clip, as they were fitted.
    """
    rows = versions[versions["model_version"] == model_version].sort_values("cluster_id")
    if rows.empty:
        raise ValueError(f"no stored model version {model_version}")
    first = rows.iloc[0]
    features = tuple(str(first["features"]).split(", "))
    size = len(features)
    stored = first.to_dict()
    preparation = FeaturePreparation(
        features=features,
        transforms=tuple(_stored_list(stored.get("feature_transforms"), IDENTITY, size)),
        clip_lowers=_stored_list(stored.get("clip_lowers"), -np.inf, size),
        clip_uppers=_stored_list(stored.get("clip_uppers"), np.inf, size),
        extreme_lowers=_stored_list(stored.get("extreme_lowers"), -np.inf, size),
        extreme_uppers=_stored_list(stored.get("extreme_uppers"), np.inf, size),
        means=np.asarray(first["scaler_means"], dtype=float),
        scales=np.asarray(first["scaler_scales"], dtype=float),
    )
    return SegmentationModel(
        preparation=preparation,
        cluster_ids=rows["cluster_id"].to_numpy(dtype=int),
        centroids_standardised=np.vstack(
            [np.asarray(centroid, dtype=float) for centroid in rows["centroid_standardised"]]
        ),
        persona_names=tuple(rows["persona_name"].astype(str)),
    )


def fit_reason(
    versions: pd.DataFrame, settings: KMeansSettings, refit_requested: bool
) -> str | None:
    """Why a new version is due, or None when the latest stored version still applies."""
    if versions.empty:
        return "first_fit"
    latest = versions[versions["model_version"] == versions["model_version"].max()].iloc[0]
    if latest.get("preprocessing_method") != PREPROCESSING_METHOD:
        return "preprocessing_changed"
    if tuple(str(latest["features"]).split(", ")) != settings.features:
        return "features_changed"
    if int(latest["n_clusters"]) != settings.n_clusters:
        return "cluster_count_changed"
    if float(latest["min_persona_share"]) != settings.min_persona_share:
        return "naming_rule_changed"
    if refit_requested:
        return "refit_requested"
    return None


def fit_model(
    customers: pd.DataFrame,
    personas: PersonaCatalogue,
    settings: KMeansSettings,
    warm_start: SegmentationModel | None = None,
) -> tuple[SegmentationModel, pd.DataFrame]:
    """Prepare the features, fit KMeans and name the clusters; return the model and its facts.

    Customers are sorted by id first: k-means++ follows row order. With ``warm_start``, KMeans
    starts from that model's centroids (moved into the new scaling) and runs once.
    """
    customers = customers.sort_values(CUSTOMER_ID, kind="stable").reset_index(drop=True)
    features = list(settings.features)
    values = customers[features].to_numpy(dtype=float)
    preparation = FeaturePreparation.fit(values, settings.features)
    scaled = preparation.standardise(values)
    if warm_start is not None:
        # The old centroids on the transformed scale, then in the new standardisation.
        transformed = warm_start.preparation.to_transformed_scale(warm_start.centroids_standardised)
        kmeans = KMeans(
            n_clusters=settings.n_clusters,
            init=(transformed - preparation.means) / preparation.scales,
            n_init=1,
            random_state=settings.random_state,
        )
    else:
        kmeans = KMeans(
            n_clusters=settings.n_clusters,
            n_init=settings.n_init,
            random_state=settings.random_state,
        )
    with one_compute_thread():
        labels = kmeans.fit_predict(scaled)
    sizes = np.bincount(labels, minlength=settings.n_clusters)
    centroids = pd.DataFrame(kmeans.cluster_centers_, columns=features)
    matches = sorted(
        match_clusters_to_personas(
            centroids,
            personas.definitions,
            personas.defining_features,
            cluster_sizes=sizes,
            min_persona_share=settings.min_persona_share,
        ),
        key=lambda match: match.cluster_id,
    )
    order = [match.cluster_label for match in matches]
    model = SegmentationModel(
        preparation=preparation,
        cluster_ids=np.array([match.cluster_id for match in matches]),
        centroids_standardised=kmeans.cluster_centers_[order],
        persona_names=tuple(match.persona_name for match in matches),
    )
    rng = np.random.default_rng(settings.random_state)
    sample = rng.choice(len(scaled), size=min(len(scaled), SILHOUETTE_SAMPLE_SIZE), replace=False)
    if len(np.unique(labels[sample])) > 1:
        with one_compute_thread():
            silhouette = float(silhouette_score(scaled[sample], labels[sample]))
    else:
        silhouette = float("nan")
    facts = pd.DataFrame(
        {
            "cluster_id": model.cluster_ids,
            "persona_id": pd.array([match.persona_id for match in matches], dtype="Int64"),
            "persona_name": list(model.persona_names),
            "segment_name": [match.segment_name for match in matches],
            "unnamed_reason": [match.unnamed_reason for match in matches],
            "persona_evidence": [match.persona_evidence for match in matches],
            "persona_match_distance": [match.match_distance for match in matches],
            "persona_match_confidence": [match.match_confidence for match in matches],
            "persona_match_strength": [match.match_strength for match in matches],
            "cluster_size_at_fit": sizes[order],
            "cluster_share_at_fit": sizes[order] / len(scaled),
            "inertia": float(kmeans.inertia_),
            "silhouette_score": silhouette,
        }
    )
    return model, facts


def next_model_version(
    versions: pd.DataFrame | None,
    load_customers: Callable[[], pd.DataFrame],
    personas: PersonaCatalogue,
    settings: KMeansSettings,
    refit_requested: bool,
    source: SourceFile,
    fitted_at: datetime | None = None,
) -> pd.DataFrame:
    """The rows of the next model version, or an empty frame when no fit is due.

    ``load_customers`` returns the customers to fit on (in the project, a seeded sample of
    at most var ``fit_sample_size`` clean customers); it is called only when a fit is due, so
    a build that only scores never moves customers into Python.
    """
    versions = empty_versions() if versions is None else versions
    reason = fit_reason(versions, settings, refit_requested)
    if reason is None:
        return empty_versions()
    customers = load_customers()
    previous = None
    if not versions.empty:
        previous = model_from_versions(versions, int(versions["model_version"].max()))
    warm_start = previous if reason == "refit_requested" else None
    model, facts = fit_model(customers, personas, settings, warm_start)
    changed: int | None = None
    share: float | None = None
    if previous is not None and set(previous.features) <= set(customers.columns):
        before = previous.persona_of(previous.score(customers)[0])
        after = model.persona_of(model.score(customers)[0])
        changed = int((before != after).sum())
        share = changed / len(customers)
    preparation = model.preparation
    originals = preparation.to_original_scale(model.centroids_standardised)
    fitted = pd.Timestamp(fitted_at or datetime.now(UTC))
    fitted = fitted.tz_localize(UTC) if fitted.tzinfo is None else fitted.tz_convert(UTC)
    rows = facts.assign(
        model_version=1 if versions.empty else int(versions["model_version"].max()) + 1,
        fitted_at=fitted,
        fit_reason=reason,
        source_file_name=source.file_name,
        source_file_sha256=source.sha256,
        source_record_count=source.record_count,
        fitted_customer_count=len(customers),
        n_clusters=settings.n_clusters,
        kmeans_random_state=settings.random_state,
        kmeans_n_init=settings.n_init,
        min_persona_share=settings.min_persona_share,
        preprocessing_method=PREPROCESSING_METHOD,
        features=", ".join(model.features),
        feature_transforms=[list(preparation.transforms)] * len(facts),
        clip_lowers=[preparation.clip_lowers.tolist()] * len(facts),
        clip_uppers=[preparation.clip_uppers.tolist()] * len(facts),
        extreme_lowers=[preparation.extreme_lowers.tolist()] * len(facts),
        extreme_uppers=[preparation.extreme_uppers.tolist()] * len(facts),
        scaler_means=[preparation.means.tolist()] * len(facts),
        scaler_scales=[preparation.scales.tolist()] * len(facts),
        centroid_standardised=[row.tolist() for row in model.centroids_standardised],
        centroid_original=[row.tolist() for row in originals],
        customers_changing_persona=pd.array([changed] * len(facts), dtype="Int64"),
        share_changing_persona=share,
    )
    return rows[list(VERSION_COLUMNS)].astype(VERSION_COLUMNS)


def empty_versions() -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in VERSION_COLUMNS.items()})
