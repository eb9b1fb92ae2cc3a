"""Unit tests for the stored segmentation models in ``model_store``."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from threadpoolctl import threadpool_info, threadpool_limits

from customer_segmentation import clustering, model_store
from customer_segmentation.clustering import (
    KMeansSettings,
    SegmentationInputError,
    diagnose_cluster_counts,
)
from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID, PERSONA_NAMES
from customer_segmentation.model_store import (
    VERSION_COLUMNS,
    SegmentationModel,
    SourceFile,
    empty_versions,
    fit_model,
    fit_reason,
    model_from_versions,
    next_model_version,
    parse_flag,
)
from customer_segmentation.sample_data import generate_clean_customers

SEED_PATH = Path(__file__).parents[2] / "seeds" / "persona_definitions.csv"
ALL_FEATURES = tuple(CLUSTERING_FEATURES)
SETTINGS = KMeansSettings(features=ALL_FEATURES)
FITTED_AT = datetime(2024, 5, 1, 12, 30, tzinfo=UTC)
SOURCE_BYTES = b"customer_id,age\n000001,31\n000002,45\n"


@pytest.fixture(scope="module")
def persona_definitions() -> pd.DataFrame:
    return pd.read_csv(SEED_PATH)


@pytest.fixture(scope="module")
def customers() -> pd.DataFrame:
    return generate_clean_customers(2000, seed=7)


@pytest.fixture(scope="module")
def fitted(customers, persona_definitions) -> tuple[SegmentationModel, pd.DataFrame]:
    return fit_model(customers, persona_definitions, SETTINGS)


@pytest.fixture(scope="module")
def model(fitted) -> SegmentationModel:
    return fitted[0]


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> SourceFile:
    path = tmp_path_factory.mktemp("source") / "customers_export.csv"
    path.write_bytes(SOURCE_BYTES)
    return SourceFile(path=path, record_count=2042)


@pytest.fixture(scope="module")
def first_version(customers, persona_definitions, source) -> pd.DataFrame:
    return next_model_version(
        None, lambda: customers, persona_definitions, SETTINGS, False, source, fitted_at=FITTED_AT
    )


@pytest.fixture(scope="module")
def refit_version(customers, persona_definitions, source, first_version) -> pd.DataFrame:
    return next_model_version(
        first_version,
        lambda: customers,
        persona_definitions,
        SETTINGS,
        True,
        source,
        fitted_at=FITTED_AT,
    )


def _values(customers: pd.DataFrame) -> np.ndarray:
    return customers[list(ALL_FEATURES)].to_numpy(dtype=float)


def _personas(model: SegmentationModel, customers: pd.DataFrame) -> np.ndarray:
    return model.persona_of(model.score(customers)[0])


def _assert_same_dtypes(frame: pd.DataFrame) -> None:
    assert list(frame.columns) == list(VERSION_COLUMNS)
    for name, dtype in VERSION_COLUMNS.items():
        assert frame[name].dtype == pd.Series(dtype=dtype).dtype, name


# --- fit_model ------------------------------------------------------------------------------


def test_fit_model_recovers_the_true_personas(customers, model):
    agreement = (_personas(model, customers) == customers["true_persona"].to_numpy()).mean()

    assert agreement >= 0.9
    assert set(model.persona_names) == set(PERSONA_NAMES)


def test_score_is_the_nearest_centroid(customers, model):
    values = _values(customers)
    scaled = (values - values.mean(axis=0)) / values.std(axis=0)
    distances = np.sqrt(
        ((scaled[:, None, :] - model.centroids_standardised[None, :, :]) ** 2).sum(axis=2)
    )

    cluster_ids, distance = model.score(customers)

    np.testing.assert_array_equal(cluster_ids, model.cluster_ids[distances.argmin(axis=1)])
    np.testing.assert_allclose(distance, distances.min(axis=1), rtol=1e-9, atol=1e-12)
    assert set(cluster_ids.tolist()) == set(model.cluster_ids.tolist())


def test_score_keeps_the_input_row_order(customers, model):
    reordered = customers.iloc[::-1]

    ids, distances = model.score(customers)
    reversed_ids, reversed_distances = model.score(reordered)

    np.testing.assert_array_equal(reversed_ids, ids[::-1])
    np.testing.assert_array_equal(reversed_distances, distances[::-1])


def test_cluster_ids_are_the_persona_ids(fitted, persona_definitions):
    model, facts = fitted
    names = persona_definitions.set_index("persona_id")["persona_name"]

    assert model.cluster_ids.tolist() == [1, 2, 3, 4]
    assert list(model.persona_names) == [names[i] for i in (1, 2, 3, 4)]
    assert facts["cluster_id"].tolist() == [1, 2, 3, 4]
    assert facts["persona_id"].tolist() == [1, 2, 3, 4]
    assert model.centroids_standardised.shape == (4, len(ALL_FEATURES))


def test_fit_model_does_not_depend_on_row_order(customers, persona_definitions, model):
    for seed in (0, 1):
        shuffled = customers.sample(frac=1, random_state=seed).reset_index(drop=True)

        again, _ = fit_model(shuffled, persona_definitions, SETTINGS)

        np.testing.assert_array_equal(again.scaler_means, model.scaler_means)
        np.testing.assert_array_equal(again.scaler_scales, model.scaler_scales)
        np.testing.assert_array_equal(again.centroids_standardised, model.centroids_standardised)
        np.testing.assert_array_equal(again.cluster_ids, model.cluster_ids)
        assert again.persona_names == model.persona_names


def test_scaler_is_the_mean_and_population_sd(customers, model):
    values = _values(customers)

    assert model.features == ALL_FEATURES
    np.testing.assert_allclose(model.scaler_means, values.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(model.scaler_scales, values.std(axis=0, ddof=0), rtol=1e-12)


def test_standardise_uses_the_stored_scaler(customers, model):
    other = generate_clean_customers(50, seed=8)

    scaled = model.standardise(other)

    np.testing.assert_allclose(scaled, (_values(other) - model.scaler_means) / model.scaler_scales)


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
    assert facts["persona_match_confidence"].between(0.5, 1).all()


@pytest.mark.parametrize(
    "fit",
    [
        lambda customers, personas: fit_model(customers, personas, SETTINGS),
        lambda customers, _: diagnose_cluster_counts(customers, SETTINGS, range(2, 4)),
    ],
    ids=["fit_model", "diagnose_cluster_counts"],
)
def test_fits_run_on_one_compute_thread(customers, persona_definitions, monkeypatch, fit):
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
        fit(customers, persona_definitions)

    for step, seen in threads_seen.items():
        assert seen, step
        assert all(threads == {1} for threads in seen), step


def test_fit_model_checks_the_input(persona_definitions):
    customers = generate_clean_customers(10, seed=1)
    customers[list(ALL_FEATURES)] = 1.0

    with pytest.raises(SegmentationInputError, match="Only 1 distinct"):
        fit_model(customers, persona_definitions, SETTINGS)


def test_fit_model_with_more_clusters_than_personas(customers, persona_definitions):
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=6, n_init=3)

    model, facts = fit_model(customers, persona_definitions, settings)

    assert model.cluster_ids.tolist() == [1, 2, 3, 4, 5, 6]
    assert model.persona_names[4:] == ("Unmatched Segment 5", "Unmatched Segment 6")
    assert facts["persona_id"].isna().tolist() == [False] * 4 + [True] * 2
    assert facts["cluster_size_at_fit"].iloc[4] >= facts["cluster_size_at_fit"].iloc[5]


# --- warm start ---------------------------------------------------------------------------


def test_warm_start_keeps_existing_customers_in_their_persona(
    customers, persona_definitions, model
):
    newcomers = generate_clean_customers(100, seed=99)
    newcomers[CUSTOMER_ID] = "N" + newcomers[CUSTOMER_ID].astype(str)
    combined = pd.concat([customers, newcomers], ignore_index=True)

    refitted, _ = fit_model(combined, persona_definitions, SETTINGS, warm_start=model)

    moved = (_personas(model, customers) != _personas(refitted, customers)).mean()
    assert moved < 0.02
    assert refitted.cluster_ids.tolist() == model.cluster_ids.tolist()
    assert refitted.persona_names == model.persona_names
    # The scaler follows the new data rather than being copied from the warm start.
    np.testing.assert_allclose(refitted.scaler_means, _values(combined).mean(axis=0))


def test_warm_start_starts_from_the_previous_centroids(customers, persona_definitions):
    # With eight clusters KMeans has several local optima: a cold fit with another seed lands
    # elsewhere, while a warm start stays on the previous model's centroids (a fixed point of
    # KMeans on the data they were fitted on), whatever the seed.
    previous, _ = fit_model(
        customers,
        persona_definitions,
        KMeansSettings(features=ALL_FEATURES, n_clusters=8, n_init=1, random_state=5),
    )
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=8, n_init=1, random_state=0)

    warm, _ = fit_model(customers, persona_definitions, settings, warm_start=previous)
    cold, _ = fit_model(customers, persona_definitions, settings)

    np.testing.assert_allclose(
        warm.centroids_standardised, previous.centroids_standardised, atol=1e-9
    )
    assert np.abs(cold.centroids_standardised - previous.centroids_standardised).max() > 0.1


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

    for row in first_version.itertuples():
        np.testing.assert_array_equal(row.scaler_means, model.scaler_means)
        np.testing.assert_array_equal(row.scaler_scales, model.scaler_scales)
    np.testing.assert_array_equal(
        np.vstack(first_version["centroid_standardised"]), model.centroids_standardised
    )
    for column in ["persona_id", "persona_name", "cluster_size_at_fit", "inertia"]:
        assert first_version[column].tolist() == facts[column].tolist(), column


def test_centroid_original_is_the_mean_customer_of_each_cluster(first_version, customers, model):
    ids, _ = model.score(customers)
    means = customers.assign(cluster_id=ids).groupby("cluster_id")[list(ALL_FEATURES)].mean()
    originals = np.vstack(first_version["centroid_original"])

    np.testing.assert_allclose(originals, means.loc[model.cluster_ids].to_numpy(), rtol=1e-8)


def test_source_file_sha256_is_the_hash_of_the_file_bytes(first_version, source):
    expected = hashlib.sha256(SOURCE_BYTES).hexdigest()

    assert source.sha256() == expected
    assert (first_version["source_file_sha256"] == expected).all()


def test_source_file_sha256_of_a_file_larger_than_one_read(tmp_path):
    data = np.random.default_rng(0).bytes((1 << 20) * 2 + 123)
    path = tmp_path / "big.csv"
    path.write_bytes(data)

    assert SourceFile(path=path, record_count=0).sha256() == hashlib.sha256(data).hexdigest()


def test_no_new_version_when_nothing_changed(first_version, persona_definitions, source):
    def customers_must_not_be_loaded() -> pd.DataFrame:
        raise AssertionError("a build that only scores must not load customers into Python")

    rows = next_model_version(
        first_version, customers_must_not_be_loaded, persona_definitions, SETTINGS, False, source
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
    first_version, customers, persona_definitions, source
):
    settings = KMeansSettings(features=ALL_FEATURES, n_clusters=5, n_init=3)

    rows = next_model_version(
        first_version, lambda: customers, persona_definitions, settings, False, source
    )

    assert rows["model_version"].tolist() == [2] * 5
    assert (rows["fit_reason"] == "cluster_count_changed").all()
    before = _personas(model_from_versions(first_version, 1), customers)
    after = _personas(model_from_versions(rows, 2), customers)
    changed = int((before != after).sum())
    assert changed > 0
    assert (rows["customers_changing_persona"] == changed).all()
    np.testing.assert_allclose(rows["share_changing_persona"], changed / len(customers))


def test_next_version_number_follows_the_latest(refit_version, first_version):
    versions = pd.concat([first_version, refit_version], ignore_index=True)
    three = KMeansSettings(features=ALL_FEATURES, n_clusters=3, n_init=2)
    customers = generate_clean_customers(500, seed=5)
    source = SourceFile(path=SEED_PATH, record_count=500)

    rows = next_model_version(
        versions, lambda: customers, pd.read_csv(SEED_PATH), three, False, source
    )

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
    rows = first_version.iloc[::-1].copy()
    for column in ["scaler_means", "scaler_scales", "centroid_standardised"]:
        rows[column] = [np.asarray(value) for value in rows[column]]

    stored = model_from_versions(rows, 1)

    assert stored.cluster_ids.tolist() == [1, 2, 3, 4]
    np.testing.assert_array_equal(stored.score(customers)[0], model.score(customers)[0])


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


# --- parse_flag -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", [True, "true", "True", " TRUE "])
def test_parse_flag_true(value):
    assert parse_flag(value, "refit") is True


@pytest.mark.parametrize("value", [False, "false", "False", None])
def test_parse_flag_false(value):
    assert parse_flag(value, "refit") is False


@pytest.mark.parametrize("value", ["maybe", "ture", 2])
def test_parse_flag_rejects_other_values_naming_the_var(value):
    with pytest.raises(ValueError, match="refit must be true or false") as error:
        parse_flag(value, "refit")
    assert repr(value) in str(error.value)
