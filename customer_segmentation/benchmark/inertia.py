"""Clustering quality, untimed: both labellings scored on the same customers, so a faster or
slower side cannot hide a worse clustering."""

from __future__ import annotations

from pathlib import Path

import duckdb

from customer_segmentation.features import CLUSTERING_FEATURES, CUSTOMER_ID


def clustering_inertias(labelled: Path, database: Path) -> dict:
    """Within-cluster sums of squares of both labellings, on the customers both kept.

    The rows are the customers in both the notebook's labelled file and the project's
    ``customer_segments``, with the notebook's parsed values (the project imputes some),
    standardised once over those rows. Exact duplicates the notebook kept count once; the
    project rejects conflicting ones, so the join drops them. Runs in DuckDB, which keeps
    memory bounded at any size.
    """
    features = list(CLUSTERING_FEATURES)
    standardised = ",\n".join(
        f"({name} - avg({name}) over ()) / coalesce(nullif(stddev_pop({name}) over (), 0), 1)"
        f" as {name}"
        for name in features
    )

    def squares_to_group_means(label: str) -> str:
        return " + ".join(
            f"power({name} - avg({name}) over (partition by {label}), 2)" for name in features
        )

    parsed = ",\n".join(f"cast({name} as double) as {name}" for name in features)
    query = f"""
        with notebook as (
            select {CUSTOMER_ID}, {parsed}, cast(cluster as bigint) as notebook_label
            from read_csv(?, header = true, all_varchar = true)
            qualify row_number() over (partition by {CUSTOMER_ID}) = 1
        ),
        joined as (
            select notebook.*, segments.cluster_id as project_label
            from notebook
            inner join project.main.customer_segments as segments using ({CUSTOMER_ID})
        ),
        standardised as (
            select notebook_label, project_label, {standardised} from joined
        ),
        squares as (
            select
                {squares_to_group_means("notebook_label")} as notebook_square,
                {squares_to_group_means("project_label")} as project_square
            from standardised
        )
        select count(*), sum(notebook_square), sum(project_square) from squares
    """
    with duckdb.connect() as connection:
        quoted_database = str(database).replace("'", "''")
        connection.execute(f"attach '{quoted_database}' as project (read_only)")
        compared, notebook, project = connection.execute(query, [str(labelled)]).fetchone()
    return {
        "customers_compared": compared,
        "inertia_notebook": notebook,
        "inertia_project": project,
        "inertia_ratio": project / notebook,
    }
