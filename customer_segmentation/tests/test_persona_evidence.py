"""Personas on files shaped like the real world: extreme customers, missing features.

End-to-end ``dbt build`` runs on generated files: the fit must hold with extreme customers,
the SQL scoring must agree with the stored model in Python, and a segment is named after a
persona only where the file lets it show the persona's defining features.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from customer_segmentation.features import PERSONA_NAMES
from customer_segmentation.model_store import model_from_versions
from customer_segmentation.sample_data import write_customer_file
from customer_segmentation.tests.dbt_runner import (
    SAMPLE_PATH,
    DbtRun,
    assert_succeeded,
    run_dbt,
)

MIN_PERSONA_AGREEMENT = 0.90
DEFAULT_MIN_PERSONA_SHARE = 0.02
YOUNG = "Young, Trend-Driven Shoppers"
PREMIUM = "Premium but Low Engagement"
WARN_TEST = "assert_segment_names_rest_on_strong_evidence"


def segment_profiles(run: DbtRun) -> pd.DataFrame:
    with run.connect() as connection:
        return connection.execute("select * from segment_profiles order by cluster_id").df()


@pytest.fixture(scope="module")
def extreme_build(tmp_path_factory) -> tuple[DbtRun, Path]:
    """10,000 customers, 0.1% of them with incomes of millions and purchases near a million."""
    workdir = tmp_path_factory.mktemp("extreme")
    path, truth = workdir / "customers.csv", workdir / "truth.csv"
    write_customer_file(path, truth, n_rows=10_000, seed=42, extreme_share=0.001)
    run = run_dbt(["build"], workdir, {"customers_path": str(path)})
    assert_succeeded(run)
    return run, truth


def test_extreme_customers_neither_form_nor_drag_a_segment(extreme_build) -> None:
    run, truth_path = extreme_build
    truth = pd.read_csv(truth_path, dtype=str)
    with run.connect() as connection:
        segments = connection.execute(
            "select customer_id, persona_name, annual_income, is_extreme_profile,"
            " extreme_features from customer_segments"
        ).df()
    joined = segments.merge(truth, on="customer_id")
    agreement = (joined["persona_name"] == joined["true_persona"]).mean()
    print(f"persona agreement with 0.1% extreme customers: {agreement:.2%}")
    assert agreement >= MIN_PERSONA_AGREEMENT
    profiles = segment_profiles(run)
    assert sorted(profiles["persona_name"]) == sorted(PERSONA_NAMES)
    assert profiles["customer_share"].min() >= DEFAULT_MIN_PERSONA_SHARE
    # Every customer with an income in millions is flagged, and on income.
    millionaires = segments[segments["annual_income"] >= 1_000_000]
    assert len(millionaires) >= 5
    assert millionaires["is_extreme_profile"].all()
    assert millionaires["extreme_features"].str.contains("annual_income").all()


def test_sql_scoring_gives_the_stored_models_assignments(extreme_build) -> None:
    run, _ = extreme_build
    with run.connect() as connection:
        versions = connection.execute("select * from segmentation_models").df()
        customers = connection.execute("select * from int_customer_features").df()
        scored = connection.execute(
            "select customer_id, cluster_id, distance_to_centroid, extreme_features"
            " from int_customers_scored"
        ).df()
    model = model_from_versions(versions, int(versions["model_version"].max()))
    cluster_ids, distances = model.score(customers)
    python = pd.DataFrame(
        {
            "customer_id": customers["customer_id"],
            "python_cluster_id": cluster_ids,
            "python_distance": distances,
            "python_extreme_features": model.extreme_features(customers),
        }
    )
    both = scored.merge(python, on="customer_id", validate="one_to_one")
    assert len(both) == len(customers) == len(scored)
    assert (both["cluster_id"] == both["python_cluster_id"]).all()
    assert (both["distance_to_centroid"] - both["python_distance"]).abs().max() < 1e-9
    assert (both["extreme_features"].fillna("") == both["python_extreme_features"].fillna("")).all()
    assert both["extreme_features"].notna().sum() >= 10


@pytest.fixture(scope="module")
def no_age_build(tmp_path_factory) -> DbtRun:
    workdir = tmp_path_factory.mktemp("no_age")
    path = workdir / "customers_without_age.csv"
    write_customer_file(path, None, n_rows=3000, seed=9, drop_features=("age",))
    run = run_dbt(["build"], workdir, {"customers_path": str(path)})
    assert_succeeded(run)
    return run


def test_a_file_without_age_never_names_the_persona_defined_by_age(no_age_build) -> None:
    profiles = segment_profiles(no_age_build)
    assert YOUNG not in set(profiles["persona_name"])
    unnamed = profiles[~profiles["is_matched_persona"]]
    assert len(unnamed) == 1
    segment = unnamed.iloc[0]
    assert segment["unnamed_reason"] == "no_defining_feature_in_file"
    assert segment["persona_name"] == segment["segment_name"]
    assert segment["persona_name"].startswith(f"Segment {segment['cluster_id']}: ")
    assert "age not in the file" in segment["persona_evidence"]
    assert segment["strategy_headline"] == "Test and learn before targeting"
    # The other three personas still show their defining features.
    named = profiles[profiles["is_matched_persona"]]
    assert set(named["persona_name"]) == set(PERSONA_NAMES) - {YOUNG}
    assert named["persona_match_strength"].notna().all()


def test_an_unnamed_segment_is_a_warning_in_the_build_log(no_age_build) -> None:
    assert f"WARN 1 {WARN_TEST}" in no_age_build.output
    assert "Segment evidence: Not named: the file has none of the closest persona's" in (
        no_age_build.output
    )


def test_a_persona_whose_segment_shrinks_below_the_minimum_share_loses_its_name(
    tmp_path,
) -> None:
    """Fit on the sample, then score a file with almost no premium customers."""
    database = tmp_path / "warehouse.duckdb"
    fitted = run_dbt(["build"], tmp_path / "fit", duckdb_path=database)
    assert_succeeded(fitted)
    with fitted.connect() as connection:
        premium_ids = set(
            connection.execute(
                "select customer_id from customer_segments where persona_name = ?", [PREMIUM]
            )
            .df()["customer_id"]
            .tolist()
        )
    sample = pd.read_csv(SAMPLE_PATH, dtype=str, keep_default_na=False)
    is_premium = sample["customer_id"].isin(premium_ids)
    few_premium = pd.concat([sample[~is_premium], sample[is_premium].head(20)])
    later_file = tmp_path / "customers_later.csv"
    few_premium.to_csv(later_file, index=False)

    scored = run_dbt(
        ["build"], tmp_path / "score", {"customers_path": str(later_file)}, duckdb_path=database
    )
    assert_succeeded(scored)
    profiles = segment_profiles(scored)
    assert PREMIUM not in set(profiles["persona_name"])
    shrunk = profiles[profiles["unnamed_reason"] == "below_min_persona_share"]
    assert len(shrunk) == 1
    assert shrunk["customer_share"].iloc[0] < DEFAULT_MIN_PERSONA_SHARE
    assert shrunk["segment_warning"].iloc[0].startswith("Too small to name: ")
    named = profiles[profiles["is_matched_persona"]]
    assert (named["customer_share"] >= DEFAULT_MIN_PERSONA_SHARE).all()
    with scored.connect() as connection:
        model_versions = connection.execute(
            "select count(distinct model_version) from segmentation_models"
        ).fetchone()[0]
    assert model_versions == 1, "the later file is scored with the stored model, not refitted"
