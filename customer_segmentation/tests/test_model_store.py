"""Unit tests for the stored segmentation models in ``model_store``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info, threadpool_limits

from customer_segmentation import clustering, model_store
from customer_segmentation.clustering import KMeansSettings, diagnose_cluster_counts
from customer_segmentation.features import (
    CLUSTERING_FEATURES,
    CUSTOMER_ID,
    LOG_SCALED_FEATURES,
    PERSONA_NAMES,
)
from customer_segmentation.file_fingerprint import FileFingerprint
from customer_segmentation.model_store import (
    VERSION_COLUMNS,
    SegmentationModel,
    SourceFile,
    empty_versions,
    fit_model,
    fit_reason,
    model_from_versions,
    next_model_version,
)
from customer_segmentation.personas import MATCH_STRENGTHS, PersonaCatalogue
from customer_segmentation.preprocessing import PREPROCESSING_METHOD
from customer_segmentation.sample_data import (
    EXTREME_INCOME_RANGE,
    generate_clean_customers,
    make_extreme,
)

SEEDS = Path(__file__).parents[2] / "seeds"
SEED_PATH = SEEDS / "persona_definitions.csv"
DEFINING_PATH = SEEDS / "persona_defining_features.csv"
ALL_FEATURES = tuple(CLUSTERING_FEATURES)
MONEY = [ALL_FEATURES.index(name) for name in LOG_SCALED_FEATURES]
# Columns a version stored before the robust preprocessing lacks (null in the database).
ROBUST_COLUMNS = (
    "preprocessing_method",
    "min_persona_share",
    "feature_transforms",
    "clip_lowers",
    "clip_uppers",
    "extreme_lowers",
    "extreme_uppers",
)
SETTINGS = KMeansSettings(features=ALL_FEATURES)
FITTED_AT = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
SOURCE_BYTES = b"customer_id,age\n000001,31\n000002,45\n"


@pytest.fixture(scope="module")
def personas() -> PersonaCatalogue:
    """The persona seeds, as the fit takes them."""
    return PersonaCatalogue(pd.read_csv(SEED_PATH), pd.read_csv(DEFINING_PATH))


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_clean_customers(2000, seed=7)


@pytest.fixture(scope="module")
def fitted(customers, personas) -> tuple[SegmentationModel, pd.DataFrame]:
    return fit_model(customers, personas, SETTINGS)


@pytest.fixture(scope="module")
def model(fitted) -> SegmentationModel:
    return fitted[0]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> SourceFile:
    path = tmp_path_factory.mktemp("source") / "customers_export.csv"
    path.write_bytes(SOURCE_BYTES)
    return SourceFile.from_fingerprint(FileFingerprint.of(path), record_count=2042)


@pytest.fixture(scope="module")
def first_version(customers, personas, source) -> pd.DataFrame:
    return next_model_version(
        None, lambda: customers, personas, SETTINGS, False, source, fitted_at=FITTED_AT
    )


@pytest.fixture(scope="module")
def refit_version(customers, personas, source, first_version) -> pd.DataFrame:
    return next_model_version(
        first_version,
        lambda: customers,
        personas,
        SETTINGS,
        True,
        source,
        fitted_at=FITTED_AT,
    )


@pytest.fixture(scope="module")
def extreme_customers() -> pd.DataFrame:
    """3,000 customers, 0.1% of them earning millions and spending near a million."""
    return make_extreme(generate_clean_customers(3000, seed=11), 0.001, seed=11)


@pytest.fixture(scope="module")
def extreme_fitted(extreme_customers, personas) -> tuple[SegmentationModel, pd.DataFrame]:
    return fit_model(extreme_customers, personas, SETTINGS)


@pytest.fixture(scope="module")
def extreme_version(extreme_customers, personas, source) -> pd.DataFrame:
    return next_model_version(None, lambda: extreme_customers, personas, SETTINGS, False, source)


def _values(customers: pd.DataFrame) -> np.ndarray:
    return customers[list(ALL_FEATURES)].to_numpy(dtype=float)


def _log_money_clipped(values: np.ndarray, lowers: np.ndarray, uppers: np.ndarray) -> np.ndarray:
    """The documented preparation before scaling: ln(1 + money), then clipped to the bounds."""
    transformed = values.copy()
    transformed[:, MONEY] = np.log1p(values[:, MONEY])
    return np.clip(transformed, lowers, uppers)


def _prepared(customers: pd.DataFrame, model: SegmentationModel) -> np.ndarray:
    """The customers as the model's documented preparation puts them, written out."""
    preparation = model.preparation
    clipped = _log_money_clipped(
        _values(customers), preparation.clip_lowers, preparation.clip_uppers
    )
    return (clipped - preparation.means) / preparation.scales


def _nearest(scaled: np.ndarray, model: SegmentationModel) -> tuple[np.ndarray, np.ndarray]:
    distances = np.sqrt(
        ((scaled[:, None, :] - model.centroids_standardised[None, :, :]) ** 2).sum(axis=2)
    )
    return model.cluster_ids[distances.argmin(axis=1)], distances.min(axis=1)


def _band(confidence: float) -> str:
    return next(name for lowest, name in MATCH_STRENGTHS if confidence >= lowest)


def _linear_old_version(rows: pd.DataFrame, customers: pd.DataFrame, how: str) -> pd.DataFrame:
    """``rows`` as a version stored before the robust preprocessing: a linear scaler and none
    of the new columns, either missing from the frame or null as the database returns them.
    """
    values = _values(customers)
    old = rows.assign(
        scaler_means=[values.mean(axis=0).tolist()] * len(rows),
        scaler_scales=[values.std(axis=0).tolist()] * len(rows),
    )
    if how == "columns missing":
        return old.drop(columns=list(ROBUST_COLUMNS))
    connection = duckdb.connect()
    connection.register("stored", old)
    nulls = {
        "preprocessing_method": "varchar",
        "min_persona_share": "double",
        "feature_transforms": "varchar[]",
    }
    replaced = ", ".join(
        f"null::{nulls.get(name, 'double[]')} as {name}" for name in ROBUST_COLUMNS
    )
    return connection.sql(f"select * replace ({replaced}) from stored").df()


def _assigned_personas(model: SegmentationModel, customers: pd.DataFrame) -> np.ndarray:
    return model.persona_of(model.score(customers)[0])


def _assert_same_dtypes(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(VERSION_COLUMNS)
    for name, dtype in VERSION_COLUMNS.items():
        assert frame[name].dtype == pd.Series(dtype=dtype).dtype, name


# --- fit_model ------------------------------------------------------------------------------


def test_fit_model_recovers_the_true_personas(customers, model):
    agreement = (
        _assigned_personas(model, customers) == customers["true_persona"].to_numpy()
    ).mean()

    assert agreement >= 0.9
    assert set(model.persona_names) == set(PERSONA_NAMES)


def test_score_is_the_nearest_centroid(customers, model):
    expected_ids, expected_distances = _nearest(_prepared(customers, model), model)

    cluster_ids, distance = model.score(customers)

    np.testing.assert_array_equal(cluster_ids, expected_ids)
    np.testing.assert_allclose(distance, expected_distances, rtol=1e-9, atol=1e-12)
    assert set(cluster_ids.tolist()) == set(model.cluster_ids.tolist())


def test_score_keeps_the_input_row_order(customers, model):
    reordered = customers.iloc[::-1]

    ids, distances = model.score(customers)
    reversed_ids, reversed_distances = model.score(reordered)

    np.testing.assert_array_equal(reversed_ids, ids[::-1])
    np.testing.assert_array_equal(reversed_distances, distances[::-1])


def test_cluster_ids_are_the_persona_ids(fitted, personas):
    model, facts = fitted
    names = personas.definitions.set_index("persona_id")["persona_name"]

    assert model.cluster_ids.tolist() == [1, 2, 3, 4]
    assert list(model.persona_names) == [names[i] for i in (1, 2, 3, 4)]
    assert facts["cluster_id"].tolist() == [1, 2, 3, 4]
    assert facts["persona_id"].tolist() == [1, 2, 3, 4]
    assert model.centroids_standardised.shape == (4, len(ALL_FEATURES))


def test_fit_model_does_not_depend_on_row_order(customers, personas, model):
    for seed in (0, 1):
        shuffled = customers.sample(frac=1, random_state=seed).reset_index(drop=True)

        again, _ = fit_model(shuffled, personas, SETTINGS)

        for part in ("clip_lowers", "clip_uppers", "extreme_lowers", "extreme_uppers"):
            np.testing.assert_array_equal(
                getattr(again.preparation, part), getattr(model.preparation, part), part
            )
        np.testing.assert_array_equal(again.preparation.means, model.preparation.means)
        np.testing.assert_array_equal(again.preparation.scales, model.preparation.scales)
        np.testing.assert_array_equal(again.centroids_standardised, model.centroids_standardised)
        np.testing.assert_array_equal(again.cluster_ids, model.cluster_ids)
        assert again.persona_names == model.persona_names


def test_preparation_is_learned_from_the_fit_customers(customers, model):
    # ln(1 + money), clipped to the fit sample's 0.5th and 99.5th percentiles, then the mean
    # and population sd of the clipped values.
    values = _values(customers)
    transformed = _log_money_clipped(values, -np.inf, np.inf)
    lowers, uppers = np.percentile(transformed, [0.5, 99.5], axis=0)
    clipped = np.clip(transformed, lowers, uppers)

    assert model.features == ALL_FEATURES
    np.testing.assert_allclose(model.preparation.clip_lowers, lowers, rtol=1e-12)
    np.testing.assert_allclose(model.preparation.clip_uppers, uppers, rtol=1e-12)
    np.testing.assert_allclose(model.preparation.means, clipped.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.preparation.scales, clipped.std(axis=0, ddof=0), rtol=1e-12)


def test_standardise_uses_the_stored_preparation(model):
    other = make_extreme(generate_clean_customers(50, seed=8), 0.1, seed=8)

    scaled = model.standardise(other)

    np.testing.assert_allclose(scaled, _prepared(other, model), rtol=1e-12, atol=1e-12)
    # The extreme customers sit at the fitted upper bound of income, not millions of sd out.
    income = ALL_FEATURES.index("annual_income")
    preparation = model.preparation
    upper = (preparation.clip_uppers[income] - preparation.means[income]) / preparation.scales[
        income
    ]
    assert scaled[:, income].max() == pytest.approx(upper)


def test_fit_facts_describe_the_clusters_the_model_scores(customers, fitted):
    model, facts = fitted
    ids, distances = model.score(customers)

    sizes = pd.Series(ids).value_counts()
    assert facts["cluster_size_at_fit"].tolist() == [sizes[i] for i in model.cluster_ids]
    assert facts["cluster_size_at_fit"].sum() == len(customers)
    assert facts["inertia"].nunique() == 1
    assert facts["inertia"].iloc[0] == pytest.approx(float((distances**2).sum()), rel=1e-9)
    assert facts["silhouette_score"].between(-1, 1).all()
    assert facts["persona_match_distance"].between(0, 1).all()
    # Every cluster of four well separated personas is named, on evidence.
    assert facts["unnamed_reason"].isna().all()
    assert facts["persona_match_confidence"].between(0, 1, inclusive="right").all()
    assert facts["persona_match_strength"].tolist() == [
        _band(confidence) for confidence in facts["persona_match_confidence"]
    ]
    assert facts["persona_evidence"].str.contains("(defined ", regex=False).all()
    for row in facts.itertuples():
        assert row.segment_name.startswith(f"Segment {row.cluster_id}: ")
    np.testing.assert_allclose(
        facts["cluster_share_at_fit"], sizes.loc[model.cluster_ids].to_numpy() / len(ids)
    )


@pytest.mark.parametrize(
    "fit",
    [
        lambda customers, personas: fit_model(customers, personas, SETTINGS),
        lambda customers, _: diagnose_cluster_counts(customers, SETTINGS, range(2, 4)),
    ],
    ids=["fit_model", "diagnose_cluster_counts"],
)
def test_fits_run_on_one_compute_thread(customers, personas, monkeypatch, fit):
    # The build runs DuckDB on every core beside these fits; see one_compute_thread.
    threads_seen = {"fit": [], "silhouette": []}

    def recording(step, function):
        def record_threads_then_call(*args, **kwargs):
            threads_seen[step].append({pool["num_threads"] for pool in threadpool_info()})
            return function(*args, **kwargs)

        return record_threads_then_call

    monkeypatch.setattr(KMeans, "fit", recording("fit", KMeans.fit))
    for module in (clustering, model_store):
        monkeypatch.setattr(
            module, "silhouette_score", recording("silhouette", module.silhouette_score)
        )
    # Two threads outside, so the check fails on any machine if the fits stop limiting them.
    with threadpool_limits(limits=2):
        fit(customers, personas)

    for step, seen in threads_seen.items():
        assert seen, step
        assert all(threads == {1} for threads in seen), step


def test_fit_model_with_more_clusters_than_personas(customers, personas):
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=6, n_init=3)

    model, facts = fit_model(customers, personas, settings)

    assert model.cluster_ids.tolist() == [1, 2, 3, 4, 5, 6]
    assert facts["persona_id"].isna().tolist() == [False] * 4 + [True] * 2
    for cluster_id, name in zip([5, 6], model.persona_names[4:], strict=True):
        assert name.startswith(f"Segment {cluster_id}: ")
        assert name not in PERSONA_NAMES
    assert facts["persona_name"].iloc[4:].tolist() == facts["segment_name"].iloc[4:].tolist()
    assert facts["unnamed_reason"].iloc[4:].tolist() == ["more_clusters_than_personas"] * 2
    assert facts["cluster_size_at_fit"].iloc[4] >= facts["cluster_size_at_fit"].iloc[5]


# --- warm start ---------------------------------------------------------------------------


def test_warm_start_keeps_existing_customers_in_their_persona(customers, personas, model):
    newcomers = generate_clean_customers(100, seed=99)
    newcomers[CUSTOMER_ID] = "N" + newcomers[CUSTOMER_ID].astype(str)
    combined = pd.concat([customers, newcomers], ignore_index=True)

    refitted, _ = fit_model(combined, personas, SETTINGS, warm_start=model)

    moved = (_assigned_personas(model, customers) != _assigned_personas(refitted, customers)).mean()
    assert moved < 0.02
    assert refitted.cluster_ids.tolist() == model.cluster_ids.tolist()
    assert refitted.persona_names == model.persona_names
    # The preparation follows the new data rather than being copied from the warm start.
    transformed = _log_money_clipped(_values(combined), -np.inf, np.inf)
    np.testing.assert_allclose(
        refitted.preparation.clip_uppers, np.percentile(transformed, 99.5, axis=0)
    )
    clipped = np.clip(
        transformed, refitted.preparation.clip_lowers, refitted.preparation.clip_uppers
    )
    np.testing.assert_allclose(refitted.preparation.means, clipped.mean(axis=0))


def test_warm_start_starts_from_the_previous_centroids(customers, personas):
    # With eight clusters KMeans has several local optima: a cold fit with another seed lands
    # elsewhere, while a warm start stays near the previous model's centroids, whatever the
    # seed. (Not exactly on them: the previous fit stopped at KMeans' tolerance, and the warm
    # start takes a few more steps from there.)
    previous, _ = fit_model(
        customers,
        personas,
        KMeansSettings(features=ALL_FEATURES, n_clusters=8, n_init=1, random_state=5),
    )
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=8, n_init=1, random_state=0)

    warm, _ = fit_model(customers, personas, settings, warm_start=previous)
    cold, _ = fit_model(customers, personas, settings)

    warm_gap = np.abs(warm.centroids_standardised - previous.centroids_standardised).max()
    cold_gap = np.abs(cold.centroids_standardised - previous.centroids_standardised).max()
    assert cold_gap > 1.0
    assert warm_gap < cold_gap / 4
    assert warm.persona_names[:4] == previous.persona_names[:4]


def test_warm_start_moves_the_previous_centroids_into_the_new_preparation(
    customers, personas, model, monkeypatch
):
    newcomers = make_extreme(generate_clean_customers(300, seed=98), 0.05, seed=98)
    newcomers[CUSTOMER_ID] = "N" + newcomers[CUSTOMER_ID].astype(str)
    combined = pd.concat([customers, newcomers], ignore_index=True)
    created: list[dict] = []

    def recording_kmeans(**arguments: object) -> KMeans:
        created.append(arguments)
        return KMeans(**arguments)

    monkeypatch.setattr(model_store, "KMeans", recording_kmeans)

    refitted, _ = fit_model(combined, personas, SETTINGS, warm_start=model)

    (arguments,) = created
    assert arguments["n_init"] == 1
    # Back to the transformed (log) scale with the old means and scales, into the new ones.
    old, new = model.preparation, refitted.preparation
    assert not np.allclose(old.means, new.means)
    expected = (model.centroids_standardised * old.scales + old.means - new.means) / new.scales
    np.testing.assert_allclose(arguments["init"], expected, rtol=1e-12, atol=1e-12)


# --- fit_reason -----------------------------------------------------------------------------


def test_fit_reason_first_fit_on_no_versions():
    assert fit_reason(empty_versions(), SETTINGS, refit_requested=False) == "first_fit"
    assert fit_reason(empty_versions(), SETTINGS, refit_requested=True) == "first_fit"


def test_fit_reason_none_when_nothing_changed(first_version):
    assert fit_reason(first_version, SETTINGS, refit_requested=False) is None


def test_fit_reason_refit_requested(first_version):
    assert fit_reason(first_version, SETTINGS, refit_requested=True) == "refit_requested"


def test_fit_reason_features_changed(first_version):
    fewer = KMeansSettings(features=("age", "annual_income", "spending_score"))
    reordered = KMeansSettings(features=tuple(reversed(ALL_FEATURES)))

    assert fit_reason(first_version, fewer, refit_requested=False) == "features_changed"
    assert fit_reason(first_version, fewer, refit_requested=True) == "features_changed"
    assert fit_reason(first_version, reordered, refit_requested=False) == "features_changed"


def test_fit_reason_cluster_count_changed(first_version):
    five = KMeansSettings(features=ALL_FEATURES, n_clusters=5)

    assert fit_reason(first_version, five, refit_requested=False) == "cluster_count_changed"
    assert fit_reason(first_version, five, refit_requested=True) == "cluster_count_changed"


def test_fit_reason_naming_rule_changed(first_version):
    stricter = KMeansSettings(features=ALL_FEATURES, min_persona_share=0.05)

    assert (first_version["min_persona_share"] == SETTINGS.min_persona_share).all()
    assert fit_reason(first_version, stricter, refit_requested=False) == "naming_rule_changed"
    assert fit_reason(first_version, stricter, refit_requested=True) == "naming_rule_changed"


def test_fit_reason_preprocessing_changed_on_another_method(first_version):
    other = first_version.assign(preprocessing_method="standard_scaler")

    assert fit_reason(other, SETTINGS, refit_requested=False) == "preprocessing_changed"
    # It comes before every other reason: the stored parameters mean something else.
    five = KMeansSettings(features=ALL_FEATURES, n_clusters=5)
    assert fit_reason(other, five, refit_requested=True) == "preprocessing_changed"


def test_fit_reason_compares_with_the_latest_version(first_version):
    two_features = ("age", "annual_income")
    latest = first_version.assign(model_version=2, features=", ".join(two_features))
    versions = pd.concat([latest, first_version], ignore_index=True)

    assert fit_reason(versions, KMeansSettings(features=two_features), False) is None
    assert fit_reason(versions, SETTINGS, False) == "features_changed"


# --- next_model_version ---------------------------------------------------------------------


def test_first_version_has_one_row_per_cluster_and_the_declared_columns(
    first_version, customers, source
):
    _assert_same_dtypes(first_version)
    assert len(first_version) == SETTINGS.n_clusters
    assert (first_version["model_version"] == 1).all()
    assert first_version["cluster_id"].tolist() == [1, 2, 3, 4]
    assert (first_version["fit_reason"] == "first_fit").all()
    assert (first_version["fitted_at"] == pd.Timestamp(FITTED_AT)).all()
    assert (first_version["source_file_name"] == "customers_export.csv").all()
    assert (first_version["source_record_count"] == 2042).all()
    assert (first_version["fitted_customer_count"] == len(customers)).all()
    assert (first_version["n_clusters"] == SETTINGS.n_clusters).all()
    assert (first_version["kmeans_random_state"] == SETTINGS.random_state).all()
    assert (first_version["kmeans_n_init"] == SETTINGS.n_init).all()
    assert (first_version["features"] == ", ".join(ALL_FEATURES)).all()
    assert first_version["customers_changing_persona"].isna().all()
    assert first_version["share_changing_persona"].isna().all()


def test_first_version_stores_the_fitted_model(first_version, fitted):
    model, facts = fitted
    preparation = model.preparation

    assert (first_version["preprocessing_method"] == PREPROCESSING_METHOD).all()
    assert (first_version["min_persona_share"] == SETTINGS.min_persona_share).all()
    for row in first_version.itertuples():
        assert list(row.feature_transforms) == list(preparation.transforms)
        np.testing.assert_array_equal(row.clip_lowers, preparation.clip_lowers)
        np.testing.assert_array_equal(row.clip_uppers, preparation.clip_uppers)
        np.testing.assert_array_equal(row.extreme_lowers, preparation.extreme_lowers)
        np.testing.assert_array_equal(row.extreme_uppers, preparation.extreme_uppers)
        np.testing.assert_array_equal(row.scaler_means, preparation.means)
        np.testing.assert_array_equal(row.scaler_scales, preparation.scales)
    np.testing.assert_array_equal(
        np.vstack(first_version["centroid_standardised"]), model.centroids_standardised
    )
    for column in [
        "persona_id",
        "persona_name",
        "segment_name",
        "unnamed_reason",
        "persona_evidence",
        "persona_match_confidence",
        "persona_match_strength",
        "cluster_size_at_fit",
        "cluster_share_at_fit",
        "inertia",
    ]:
        assert first_version[column].tolist() == facts[column].tolist(), column


def test_centroid_original_is_each_clusters_mean_customer_in_own_units(
    first_version, customers, model
):
    # KMeans centroids are the mean of their customers as prepared: clipped, and for money on
    # the log scale, so a money centroid is the geometric-style mean exp(mean ln(1 + x)) - 1.
    ids, _ = model.score(customers)
    preparation = model.preparation
    clipped = _log_money_clipped(
        _values(customers), preparation.clip_lowers, preparation.clip_uppers
    )
    means = pd.DataFrame(clipped).groupby(ids).mean().loc[model.cluster_ids].to_numpy(copy=True)
    means[:, MONEY] = np.expm1(means[:, MONEY])
    originals = np.vstack(first_version["centroid_original"])

    np.testing.assert_allclose(originals, means, rtol=1e-8)
    # In the features' own units: incomes in the tens of thousands, not logs.
    income = ALL_FEATURES.index("annual_income")
    assert (originals[:, income] > 10_000).all()


def test_a_version_names_the_file_and_hash_the_load_recorded(first_version, source):
    expected = hashlib.sha256(SOURCE_BYTES).hexdigest()

    assert source.sha256 == expected
    assert (first_version["source_file_sha256"] == expected).all()
    assert (first_version["source_file_name"] == "customers_export.csv").all()
    assert (first_version["source_record_count"] == 2042).all()


def test_no_new_version_when_nothing_changed(first_version, personas, source):
    def customers_must_not_be_loaded() -> pd.DataFrame:
        raise AssertionError("a build that only scores must not load customers into Python")

    rows = next_model_version(
        first_version, customers_must_not_be_loaded, personas, SETTINGS, False, source
    )

    assert rows.empty
    _assert_same_dtypes(rows)


def test_requested_refit_adds_version_2_moving_few_customers(refit_version, customers):
    changed = refit_version["customers_changing_persona"].iloc[0]

    _assert_same_dtypes(refit_version)
    assert len(refit_version) == SETTINGS.n_clusters
    assert (refit_version["model_version"] == 2).all()
    assert (refit_version["fit_reason"] == "refit_requested").all()
    assert isinstance(changed, int | np.integer)
    assert (refit_version["customers_changing_persona"] == changed).all()
    assert refit_version["share_changing_persona"].iloc[0] == pytest.approx(
        changed / len(customers)
    )
    assert (refit_version["share_changing_persona"] < 0.02).all()


def test_changed_cluster_count_counts_customers_changing_persona(
    first_version, customers, personas, source
):
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=5, n_init=3)

    rows = next_model_version(first_version, lambda: customers, personas, settings, False, source)

    assert rows["model_version"].tolist() == [2] * 5
    assert (rows["fit_reason"] == "cluster_count_changed").all()
    before = _assigned_personas(model_from_versions(first_version, 1), customers)
    after = _assigned_personas(model_from_versions(rows, 2), customers)
    changed = int((before != after).sum())
    assert changed > 0
    assert (rows["customers_changing_persona"] == changed).all()
    np.testing.assert_allclose(rows["share_changing_persona"], changed / len(customers))


def test_next_version_number_follows_the_latest(refit_version, first_version, personas):
    versions = pd.concat([first_version, refit_version], ignore_index=True)
    three = KMeansSettings(features=ALL_FEATURES, n_clusters=3, n_init=2)
    customers = generate_clean_customers(500, seed=5)
    source = SourceFile(file_name=SEED_PATH.name, sha256="0" * 64, record_count=500)

    rows = next_model_version(versions, lambda: customers, personas, three, False, source)

    assert rows["model_version"].tolist() == [3, 3, 3]


# --- model_from_versions --------------------------------------------------------------------


def test_model_round_trips_through_its_rows(first_version, customers, model):
    stored = model_from_versions(first_version, 1)

    ids, distances = stored.score(customers)
    expected_ids, expected_distances = model.score(customers)
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(distances, expected_distances)
    assert stored.features == model.features
    assert stored.persona_names == model.persona_names


def test_model_round_trips_from_database_shaped_rows(first_version, customers, model):
    # A database hands list columns back as numpy arrays, and rows in any order.
    connection = duckdb.connect()
    connection.register("stored", first_version)
    rows = connection.sql("select * from stored order by cluster_id desc").df()
    assert isinstance(rows["clip_lowers"].iloc[0], np.ndarray)

    stored = model_from_versions(rows, 1)

    assert stored.cluster_ids.tolist() == [1, 2, 3, 4]
    assert stored.preparation.transforms == model.preparation.transforms
    np.testing.assert_array_equal(stored.score(customers)[0], model.score(customers)[0])
    np.testing.assert_array_equal(stored.standardise(customers), model.standardise(customers))


def test_stored_version_scores_exactly_like_the_fitted_model_with_clipping(
    extreme_version, extreme_fitted, extreme_customers
):
    model, _ = extreme_fitted
    values = _values(extreme_customers)
    transformed = _log_money_clipped(values, -np.inf, np.inf)
    preparation = model.preparation
    beyond = (transformed > preparation.clip_uppers) | (transformed < preparation.clip_lowers)
    assert beyond[:, MONEY].any(axis=0).all()  # money beyond the fitted range, to clip

    stored = model_from_versions(extreme_version, 1)

    np.testing.assert_array_equal(
        stored.standardise(extreme_customers), model.standardise(extreme_customers)
    )
    ids, distances = stored.score(extreme_customers)
    expected_ids, expected_distances = model.score(extreme_customers)
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_array_equal(distances, expected_distances)
    assert stored.extreme_features(extreme_customers) == model.extreme_features(extreme_customers)
    assert stored.persona_names == model.persona_names


@pytest.mark.parametrize("how", ["columns missing", "null in the database"])
def test_version_without_the_robust_columns_scores_linearly_without_clipping(
    first_version, customers, extreme_customers, how
):
    old = _linear_old_version(first_version, customers, how)

    stored = model_from_versions(old, 1)

    fit_values = _values(customers)
    linear = (_values(extreme_customers) - fit_values.mean(axis=0)) / fit_values.std(axis=0)
    np.testing.assert_allclose(stored.standardise(extreme_customers), linear, rtol=1e-12)
    # The millionaires stay where a linear scale puts them, far beyond any clip bound.
    income = ALL_FEATURES.index("annual_income")
    assert stored.standardise(extreme_customers)[:, income].max() > 50
    expected_ids, expected_distances = _nearest(linear, stored)
    ids, distances = stored.score(extreme_customers)
    np.testing.assert_array_equal(ids, expected_ids)
    np.testing.assert_allclose(distances, expected_distances, rtol=1e-9)
    assert set(stored.extreme_features(extreme_customers)) == {None}
    assert stored.preparation.transforms == ("identity",) * len(ALL_FEATURES)


@pytest.mark.parametrize("how", ["columns missing", "null in the database"])
def test_version_without_the_robust_columns_is_refitted_for_preprocessing_changed(
    first_version, customers, personas, source, how
):
    old = _linear_old_version(first_version, customers, how)

    assert fit_reason(old, SETTINGS, refit_requested=False) == "preprocessing_changed"
    assert fit_reason(old, SETTINGS, refit_requested=True) == "preprocessing_changed"

    rows = next_model_version(old, lambda: customers, personas, SETTINGS, False, source)

    assert (rows["model_version"] == 2).all()
    assert (rows["fit_reason"] == "preprocessing_changed").all()
    assert (rows["preprocessing_method"] == PREPROCESSING_METHOD).all()
    before = _assigned_personas(model_from_versions(old, 1), customers)
    after = _assigned_personas(model_from_versions(rows, 2), customers)
    assert (rows["customers_changing_persona"] == int((before != after).sum())).all()
    assert fit_reason(pd.concat([old, rows]), SETTINGS, refit_requested=False) is None


# --- robust to extreme customers ------------------------------------------------------------


def test_fit_with_extreme_customers_recovers_the_true_personas(extreme_customers, extreme_fitted):
    model, facts = extreme_fitted
    income = extreme_customers["annual_income"]
    assert (income >= EXTREME_INCOME_RANGE[0]).sum() == 3  # 0.1% of 3,000

    agreement = (
        _assigned_personas(model, extreme_customers) == extreme_customers["true_persona"]
    ).mean()

    assert agreement >= 0.9
    assert set(model.persona_names) == set(PERSONA_NAMES)
    named = facts[facts["persona_id"].notna()]
    assert (named["cluster_share_at_fit"] >= SETTINGS.min_persona_share).all()
    # The extreme customers join the persona segments: none has a segment of its own.
    assert facts["cluster_size_at_fit"].min() > 100


def test_extreme_features_lists_the_features_beyond_the_fences(extreme_customers, extreme_fitted):
    model, _ = extreme_fitted
    ordinary = extreme_customers[list(ALL_FEATURES)].median()
    rows = pd.DataFrame([ordinary] * 5).reset_index(drop=True)
    rows.loc[1, "annual_income"] = 5_000_000
    rows.loc[2, ["annual_income", "total_purchase_amount"]] = [5_000_000, 1e9]
    rows.loc[3, "annual_income"] = 100  # far below on the log scale
    rows.loc[4, "retention_months"] = 600

    assert model.extreme_features(rows) == [
        None,
        "annual_income",
        "annual_income, total_purchase_amount",
        "annual_income",
        "retention_months",
    ]


def test_every_extreme_generated_customer_is_flagged_on_income(extreme_customers, extreme_fitted):
    model, _ = extreme_fitted
    is_extreme = extreme_customers["annual_income"] >= EXTREME_INCOME_RANGE[0]

    flagged = pd.Series(model.extreme_features(extreme_customers), index=extreme_customers.index)

    assert flagged[is_extreme].str.contains("annual_income").all()
    # Ordinary customers are rarely far out.
    assert flagged[~is_extreme].notna().mean() < 0.01


def test_model_from_versions_picks_the_requested_version(first_version, refit_version):
    versions = pd.concat([refit_version, first_version], ignore_index=True)

    first = model_from_versions(versions, 1)
    second = model_from_versions(versions, 2)

    np.testing.assert_array_equal(
        first.centroids_standardised, np.vstack(first_version["centroid_standardised"])
    )
    np.testing.assert_array_equal(
        second.centroids_standardised, np.vstack(refit_version["centroid_standardised"])
    )


def test_model_from_versions_rejects_an_unknown_version(first_version):
    with pytest.raises(ValueError, match="no stored model version 7"):
        model_from_versions(first_version, 7)
