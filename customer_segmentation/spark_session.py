"""Run dbt on the ``spark`` target (``method: session``) with the project's Python models.

dbt-spark submits Python models only to Databricks clusters; on a ``session`` target they fail
with "Databricks cluster_id is required" (dbt-labs/dbt-spark#415). This module runs dbt in this
process and adds one submission method, ``in_process_session``, that runs a Python model's
compiled code against the SparkSession dbt itself opened: the same code the dbt materialization
would send to a cluster, with the same ``spark`` global.

It is the route for trying the project on Spark and for ``make spark`` (the engine comparison
``make test`` runs), not for production: every Python model runs in the driver, which holds
only the fit sample and one row per segment, never the customers. In production run Python
models where dbt supports them, on Databricks (dbt-databricks), as the README says.

    python -m customer_segmentation.spark_session build --vars '{...}'
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

IN_PROCESS_METHOD = "in_process_session"


class InProcessSessionJobHelper:
    """A dbt Python job helper: ``submit`` runs the compiled model in this process."""

    def __init__(self, parsed_model: dict, credentials: object) -> None:
        self.model_path = parsed_model.get("original_file_path", parsed_model.get("alias", "model"))

    def submit(self, compiled_code: str) -> None:
        from pyspark.sql import SparkSession

        # The session dbt-spark opened for this process: dbt may run the node on another
        # thread than the one that opened it, where no session is active.
        spark = SparkSession.getActiveSession() or SparkSession.builder.getOrCreate()
        exec(compile(compiled_code, self.model_path, "exec"), {"spark": spark})


def enable_in_process_python_models() -> None:
    """Make ``in_process_session`` dbt-spark's submission method for Python models."""
    from dbt.adapters.spark.impl import SparkAdapter

    helpers = SparkAdapter.python_submission_helpers.fget

    def python_submission_helpers(adapter: SparkAdapter) -> dict:
        return {**helpers(adapter), IN_PROCESS_METHOD: InProcessSessionJobHelper}

    SparkAdapter.python_submission_helpers = property(python_submission_helpers)
    SparkAdapter.default_python_submission_method = property(lambda adapter: IN_PROCESS_METHOD)


def quiet_spark_query_errors() -> None:
    """Leave failed queries to dbt's own report: pyspark would log each with the JVM's whole
    stack trace in JSON before dbt names the model and the error."""
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)


def run_dbt(arguments: Sequence[str]) -> bool:
    """Run one dbt command in this process on the ``spark`` target; True when it passed."""
    from dbt.cli.main import dbtRunner

    enable_in_process_python_models()
    quiet_spark_query_errors()
    if "--target" not in arguments:
        arguments = [*arguments, "--target", "spark"]
    return dbtRunner().invoke(list(arguments)).success


def main(argv: Sequence[str] | None = None) -> int:
    return 0 if run_dbt(sys.argv[1:] if argv is None else argv) else 1


if __name__ == "__main__":
    raise SystemExit(main())
