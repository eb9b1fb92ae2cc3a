"""The Python models' view of either engine's frames (``customer_segmentation.frames``).

The DuckDB path runs on real relations. The DuckDB environment has no pyspark, so the Spark
path runs on ``SparkFrameStandIn``: a class over a DuckDB relation with the few DataFrame
methods the module calls, each behaving as pyspark documents it (``dtypes`` as (name, SQL
type) pairs, ``filter`` with a SQL predicate, ``selectExpr``, ``count``, ``toPandas`` giving
decimals as ``decimal.Decimal`` objects). The Spark build (``make spark``) runs the real thing.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import duckdb
import numpy as np
import pandas as pd
import pytest

from customer_segmentation.frames import (
    first_ranked,
    for_engine,
    is_spark_frame,
    row_count,
    spark_schema,
    to_pandas,
)
from customer_segmentation.model_store import VERSION_COLUMNS, VERSION_SPARK_SCHEMA

SPARK_TYPE_NAMES = {"VARCHAR": "string", "BIGINT": "bigint", "DOUBLE": "double"}


class SparkFrameStandIn:
    """A pyspark DataFrame as far as ``frames`` uses one, over a DuckDB relation."""

    def __init__(self, relation: duckdb.DuckDBPyRelation) -> None:
        self._relation = relation

    @property
    def dtypes(self) -> list[tuple[str, str]]:
        return [
            (name, SPARK_TYPE_NAMES.get(str(kind), str(kind).lower()))
            for name, kind in zip(self._relation.columns, self._relation.types, strict=True)
        ]

    def filter(self, condition: str) -> SparkFrameStandIn:
        # Spark keeps no row order: hand the rows back in another one.
        return SparkFrameStandIn(self._relation.filter(condition).order("random()"))

    def selectExpr(self, *expressions: str) -> SparkFrameStandIn:  # noqa: N802 (pyspark's name)
        return SparkFrameStandIn(self._relation.project(", ".join(expressions)))

    def count(self) -> int:
        return len(self._relation.df())

    def toPandas(self) -> pd.DataFrame:  # noqa: N802 (pyspark's name)
        frame = self._relation.df()
        for name, kind in self.dtypes:
            # pyspark hands decimals over as Decimal objects, not floats.
            if kind.startswith("decimal"):
                decimals = [Decimal(str(value)) for value in frame[name]]
                frame[name] = pd.Series(decimals, dtype=object)
        return frame


class SparkSessionStandIn:
    """``createDataFrame(records, schema=ddl)``, recording what it was given."""

    def createDataFrame(self, records: list[tuple], schema: str) -> dict:  # noqa: N802
        return {"records": records, "schema": schema}


CUSTOMERS = pd.DataFrame(
    {
        "customer_id": ["c1", "c2", "c3", "c4", "c5"],
        "sample_rank": [3, 1, 5, 2, 4],
        "annual_income": [10.5, 20.25, 30.0, 40.75, 50.5],
        "age": [30, 40, 50, 60, 70],
    }
)


def customers_relation() -> duckdb.DuckDBPyRelation:
    return duckdb.from_df(CUSTOMERS).project(
        "customer_id, sample_rank, cast(annual_income as decimal(18, 2)) as annual_income, age"
    )


@pytest.fixture
def duckdb_relation() -> duckdb.DuckDBPyRelation:
    return customers_relation()


@pytest.fixture
def spark_frame() -> SparkFrameStandIn:
    return SparkFrameStandIn(customers_relation())


def test_the_stand_in_hands_decimals_over_as_pyspark_does(spark_frame):
    assert ("annual_income", "decimal(18,2)") in spark_frame.dtypes
    assert isinstance(spark_frame.toPandas()["annual_income"].iloc[0], Decimal)


def test_to_pandas_gives_decimals_as_floats_on_both_engines(duckdb_relation, spark_frame):
    from_duckdb = to_pandas(duckdb_relation)
    from_spark = to_pandas(spark_frame)

    for frame in (from_duckdb, from_spark):
        assert frame["annual_income"].dtype == np.float64
        assert frame["annual_income"].tolist() == CUSTOMERS["annual_income"].tolist()
    pd.testing.assert_frame_equal(from_duckdb, from_spark, check_dtype=False)


def test_to_pandas_passes_pandas_through_and_refuses_anything_else():
    assert to_pandas(CUSTOMERS) is CUSTOMERS
    with pytest.raises(TypeError, match="DuckDB relation or a Spark DataFrame"):
        to_pandas([1, 2, 3])


def test_row_count_counts_in_the_engine(duckdb_relation, spark_frame):
    assert row_count(duckdb_relation) == 5
    assert row_count(spark_frame) == 5
    with pytest.raises(TypeError):
        row_count(CUSTOMERS)


def test_a_duckdb_relation_is_not_taken_for_a_spark_frame(duckdb_relation, spark_frame):
    assert not is_spark_frame(duckdb_relation)
    assert is_spark_frame(spark_frame)


@pytest.mark.parametrize("size", [1, 3, 5, 9])
def test_first_ranked_takes_ranks_one_to_size_in_rank_order(duckdb_relation, spark_frame, size):
    expected = ["c2", "c4", "c1", "c5", "c3"][:size]
    for frame in (duckdb_relation, spark_frame):
        sample = first_ranked(frame, size)

        assert sample["customer_id"].tolist() == expected
        assert "sample_rank" not in sample.columns
        assert sample.index.tolist() == list(range(len(expected)))


@pytest.mark.parametrize("size", [0, -2])
def test_first_ranked_refuses_an_empty_sample(duckdb_relation, size):
    with pytest.raises(ValueError, match="sample size must be at least 1"):
        first_ranked(duckdb_relation, size)


def test_for_engine_hands_duckdb_the_pandas_frame():
    connection = duckdb.connect()

    assert for_engine(CUSTOMERS, connection, "`customer_id` string") is CUSTOMERS


def test_for_engine_hands_spark_plain_values_and_nulls_with_the_schema():
    frame = pd.DataFrame(
        {
            "model_version": pd.array([1, 2], dtype="int64"),
            "persona_id": pd.array([3, None], dtype="Int64"),
            "fitted_at": pd.to_datetime(["2026-01-02 03:04:05", None]).tz_localize(UTC),
            "inertia": [1.5, np.nan],
            "scaler_means": [[0.5, 1.5], np.array([2.5, 3.5])],
        }
    )

    written = for_engine(frame, SparkSessionStandIn(), "the schema")

    assert written["schema"] == "the schema"
    first, second = written["records"]
    assert first == (1, 3, datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC), 1.5, [0.5, 1.5])
    assert second == (2, None, None, None, [2.5, 3.5])
    # pyspark's type checks accept Python's own types only, never numpy scalars.
    assert all(type(value) in (int, float, list, datetime) for value in first)


def test_spark_schema_types_every_column_of_a_model_version():
    schema = dict(column.split(" ", 1) for column in VERSION_SPARK_SCHEMA.split(", "))

    assert list(schema) == [f"`{name}`" for name in VERSION_COLUMNS]
    assert schema["`fitted_at`"] == "timestamp"
    assert schema["`persona_id`"] == "bigint"
    assert schema["`inertia`"] == "double"
    assert schema["`persona_name`"] == "string"
    assert schema["`feature_transforms`"] == "array<string>"
    assert schema["`centroid_original`"] == "array<double>"


def test_spark_schema_refuses_a_dtype_it_does_not_know():
    with pytest.raises(KeyError):
        spark_schema({"flag": "bool"}, {})
