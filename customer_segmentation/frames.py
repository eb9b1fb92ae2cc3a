"""What the dbt Python models need from either engine's dataframes, in one place.

On DuckDB (dbt-duckdb) ``dbt.ref()`` and ``session.sql()`` give a ``DuckDBPyRelation``; on
Spark (dbt-spark, dbt-databricks) a pyspark ``DataFrame``, and ``session`` is the
``SparkSession``. The models read through these few functions and stay the same on both:
the relation is filtered where it lives and only the rows the model needs reach pandas.

Neither engine is imported here: the DuckDB environment has no pyspark and the Spark one no
duckdb. A Spark frame is recognised by its methods, so the tests can stand in for it with a
small pandas-backed class; a DuckDB relation by its class, once duckdb is loaded.
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np
import pandas as pd


def is_duckdb_relation(frame: Any) -> bool:
    """True for a DuckDB relation; without duckdb loaded, nothing can be one."""
    duckdb = sys.modules.get("duckdb")
    return duckdb is not None and isinstance(frame, duckdb.DuckDBPyRelation)


def is_spark_frame(frame: Any) -> bool:
    """True for a pyspark DataFrame (or anything with its ``toPandas``/``dtypes`` methods)."""
    return hasattr(frame, "toPandas") and hasattr(frame, "dtypes")


def to_pandas(frame: Any) -> pd.DataFrame:
    """The frame's rows as pandas, with the same column types from either engine.

    DuckDB hands decimals to pandas as floats and pyspark as ``decimal.Decimal`` objects:
    Spark's decimals are cast to double first, so the models compute on floats on both.
    """
    if isinstance(frame, pd.DataFrame):
        return frame
    if is_duckdb_relation(frame):
        return frame.df()
    if is_spark_frame(frame):
        columns = [
            f"cast(`{name}` as double) as `{name}`" if kind.startswith("decimal") else f"`{name}`"
            for name, kind in frame.dtypes
        ]
        return frame.selectExpr(*columns).toPandas()
    raise TypeError(f"expected a DuckDB relation or a Spark DataFrame, got {type(frame).__name__}")


def row_count(frame: Any) -> int:
    """How many rows the frame holds, counted by its engine."""
    if is_duckdb_relation(frame):
        return int(frame.aggregate("count(*)").fetchall()[0][0])
    if is_spark_frame(frame):
        return int(frame.count())
    raise TypeError(f"expected a DuckDB relation or a Spark DataFrame, got {type(frame).__name__}")


def first_ranked(frame: Any, size: int, rank_column: str = "sample_rank") -> pd.DataFrame:
    """The rows ranked 1 to ``size`` in ``rank_column``, in rank order, without the rank.

    The engine filters, so only those rows reach pandas; they are sorted here, since Spark
    returns rows in no particular order.
    """
    if size < 1:
        raise ValueError(f"sample size must be at least 1; got {size}")
    rows = to_pandas(frame.filter(f"{rank_column} <= {int(size)}"))
    return rows.sort_values(rank_column).drop(columns=rank_column).reset_index(drop=True)


def for_engine(frame: pd.DataFrame, session: Any, spark_schema: str) -> Any:
    """A model's pandas result as the engine's dbt materialization should write it.

    DuckDB takes pandas as it is. Spark gets a DataFrame of ``spark_schema`` (a DDL column
    list): pyspark infers types from the values, which an empty frame has none of, and an
    incremental model appends its result to a table of fixed types. Missing values (NaN,
    NaT, pd.NA) become nulls.
    """
    if not hasattr(session, "createDataFrame"):
        return frame
    cells = frame.astype(object).where(frame.notna(), None)
    records = [
        tuple(_python_value(value) for value in row)
        for row in cells.itertuples(index=False, name=None)
    ]
    return session.createDataFrame(records, schema=spark_schema)


def _python_value(value: Any) -> Any:
    """A cell as the plain Python value pyspark's type checks accept (no numpy scalars)."""
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


_SQL_TYPES = {
    "int64": "bigint",
    "Int64": "bigint",
    "float64": "double",
    "object": "string",
    # Text under pandas 3 (and pandas 2 with its string dtype).
    "str": "string",
    "string": "string",
}


def spark_schema(dtypes: dict[str, str], list_element_types: dict[str, str]) -> str:
    """A Spark DDL column list for a frame of these pandas ``dtypes``.

    ``list_element_types`` names the object columns that hold lists, with their elements'
    SQL type; every other object column holds text.
    """
    columns = []
    for name, dtype in dtypes.items():
        if name in list_element_types:
            kind = f"array<{list_element_types[name]}>"
        elif dtype.startswith("datetime64"):
            kind = "timestamp"
        else:
            kind = _SQL_TYPES[dtype]
        columns.append(f"`{name}` {kind}")
    return ", ".join(columns)
