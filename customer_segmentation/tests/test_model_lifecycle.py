"""The model lifecycle on one database: first build fits, later builds score, refit on request.

Three builds in sequence: the sample; the sample plus 5% new customers; the same with
``refit: true``. Each assertion is what marketing relies on between campaign runs.
"""

from __future__ import annotations

import pandas as pd
import pytest

from customer_segmentation.sample_data import generate_customer_file
from customer_segmentation.tests.dbt_runner import SAMPLE_PATH, DbtRun, assert_succeeded, run_dbt

MAX_SHARE_MOVED_BY_REFIT = 0.02


def personas(run: DbtRun) -> pd.Series:
    with run.connect() as connection:
        frame = connection.execute("select customer_id, persona_name from customer_segments").df()
    return frame.set_index("customer_id")["persona_name"]


def versions(run: DbtRun) -> pd.DataFrame:
    with run.connect() as connection:
        return connection.execute(
            "select * from segmentation_model_versions order by model_version"
        ).df()


@pytest.fixture(scope="module")
def lifecycle(tmp_path_factory) -> dict[str, object]:
    workdir = tmp_path_factory.mktemp("lifecycle")
    database = workdir / "warehouse.duckdb"
    sample = pd.read_csv(SAMPLE_PATH, dtype=str, keep_default_na=False)
    new_customers, _ = generate_customer_file(n_rows=len(sample) // 20, seed=99, dirty_share=0)
    new_customers["customer_id"] = "N" + new_customers["customer_id"]
    grown_file = workdir / "customers_grown.csv"
    pd.concat([sample, new_customers]).to_csv(grown_file, index=False)

    first = run_dbt(["build"], workdir / "first", duckdb_path=database)
    assert_succeeded(first)
    first_personas, first_versions = personas(first), versions(first)
    grown = run_dbt(
        ["build"], workdir / "grown", {"customers_path": str(grown_file)}, duckdb_path=database
    )
    assert_succeeded(grown)
    grown_personas, grown_versions = personas(grown), versions(grown)
    refit = run_dbt(
        ["build"],
        workdir / "refit",
        {"customers_path": str(grown_file), "refit": True},
        duckdb_path=database,
    )
    assert_succeeded(refit)
    return {
        "first": (first_personas, first_versions),
        "grown": (grown_personas, grown_versions),
        "refit": (personas(refit), versions(refit)),
        "new_ids": set(new_customers["customer_id"]),
        "run": refit,
    }


def test_first_build_fits_version_one(lifecycle) -> None:
    _, first_versions = lifecycle["first"]
    assert first_versions["model_version"].tolist() == [1]
    assert first_versions["fit_reason"].tolist() == ["first_fit"]
    assert first_versions["source_file_name"].tolist() == ["customers_sample.csv"]
    assert len(first_versions["source_file_sha256"].iloc[0]) == 64


def test_new_customers_are_scored_without_refitting(lifecycle) -> None:
    first_personas, _ = lifecycle["first"]
    grown_personas, grown_versions = lifecycle["grown"]
    assert grown_versions["model_version"].tolist() == [1]
    existing = grown_personas.loc[first_personas.index]
    assert (existing == first_personas).all(), "an existing customer changed persona"
    assert lifecycle["new_ids"] <= set(grown_personas.index)


def test_refit_adds_a_version_and_moves_few_customers(lifecycle) -> None:
    grown_personas, _ = lifecycle["grown"]
    refit_personas, refit_versions = lifecycle["refit"]
    assert refit_versions["model_version"].tolist() == [1, 2]
    assert refit_versions["is_current"].tolist() == [False, True]
    second = refit_versions.iloc[1]
    assert second["fit_reason"] == "refit_requested"
    assert second["share_changing_persona"] < MAX_SHARE_MOVED_BY_REFIT
    first_customers = lifecycle["first"][0].index
    moved = (refit_personas.loc[first_customers] != grown_personas.loc[first_customers]).mean()
    print(
        f"refit: {second['customers_changing_persona']} of {second['fitted_customer_count']}"
        f" customers change persona ({second['share_changing_persona']:.2%});"
        f" existing customers moved: {moved:.2%}"
    )
    assert moved < MAX_SHARE_MOVED_BY_REFIT


def test_segment_migrations_show_new_customers_and_the_refit(lifecycle) -> None:
    run: DbtRun = lifecycle["run"]
    with run.connect() as connection:
        migrations = connection.execute("select * from segment_migrations").df()
    new_arrivals = migrations[migrations["from_persona_name"] == "(new customer)"]
    builds_with_new_customers = new_arrivals.groupby("moved_at")["customer_count"].sum()
    assert builds_with_new_customers.tolist() == [
        len(lifecycle["first"][0]),
        len(lifecycle["new_ids"]),
    ]
    version_moves = migrations[
        (migrations["from_model_version"] == 1) & (migrations["to_model_version"] == 2)
    ]
    refit_personas, _ = lifecycle["refit"]
    assert version_moves["customer_count"].sum() == len(refit_personas)
    changed = version_moves[version_moves["is_persona_change"]]["customer_count"].sum()
    stayed = version_moves[~version_moves["is_persona_change"]]["customer_count"].sum()
    assert changed < MAX_SHARE_MOVED_BY_REFIT * stayed
