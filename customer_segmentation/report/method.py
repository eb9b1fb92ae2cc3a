"""The last page: method, definitions and the run's parameters."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customer_segmentation.personas import strength_scale
from customer_segmentation.report.data import ReportData
from customer_segmentation.report.layout import ReportWriter, body_text


def method_page(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("Method and definitions")
    run = data.run
    left_out = run["clustering_features_left_out"]
    body_text(
        figure,
        0.91,
        f"Data file: {Path(run['customers_path']).name}, {int(run['file_record_count']):,} records"
        f" ({int(run['clean_customer_count']):,} clean customers). Built"
        f" {pd.Timestamp(run['run_started_at']):%Y-%m-%d %H:%M %Z} (dbt invocation"
        f" {run['invocation_id']}).\n"
        f"Model: stored version {int(run['model_version'])}, fitted"
        f" {pd.Timestamp(run['model_fitted_at']):%Y-%m-%d %H:%M %Z}"
        f" ({str(run['model_fit_reason']).replace('_', ' ')}); customers are scored against it"
        " until a refit is requested.\n"
        f"Parameters: k = {int(run['n_clusters'])} segments, KMeans random_state ="
        f" {int(run['kmeans_random_state'])}, n_init = {int(run['kmeans_n_init'])}. Features"
        f" clustered: {run['clustering_features_used']}."
        + (f" Left out: {left_out}." if pd.notna(left_out) else "")
        + "\n\n"
        "Cleaning. Every record of the file ends in one place: clean, rejected with a reason"
        " (missing required value, unreadable or out-of-range value, conflicting duplicate id,"
        " malformed record), or collapsed as an exact duplicate. Missing optional values are"
        " filled with the median of the clean customers and flagged.\n\n"
        "Segmentation. Money (income, purchases) is taken on a log scale, every feature is held"
        " within the 0.5th-99.5th percentiles of the customers fitted on, then standardised (mean"
        " 0, standard deviation 1) and clustered with KMeans; so a few extreme customers can"
        " neither form a segment nor drag one. Each segment is paired one-to-one with the persona"
        " whose expected profile its centroid matches best (Hungarian method), so names never"
        " depend on the order KMeans numbers its clusters. It carries the persona's name only if"
        " it holds at least"
        f" {float(data.run['min_persona_share']):.0%}"
        " of the customers and shows every defining feature of the persona that the file has"
        " (at least a quarter of a standard deviation on the persona's side of the base); a"
        " segment no persona fits keeps a descriptive name and the generic test-and-learn plan.\n\n"
        "Definitions. Share of customers: the segment's clean customers over all clean"
        " customers. Share of revenue: the segment's total purchase amount over the base's."
        " Standard deviations from the base: the segment's average minus the base's average,"
        " divided by the base's standard deviation. Distinctive features: the three features"
        " furthest from the base. Match confidence (0 to 1): the share of the persona's defining"
        " features the file has, times how clearly the segment shows the weakest of them (in"
        f" full from one standard deviation); {strength_scale()}."
        " Extreme profile: a value beyond 3 interquartile ranges of the middle half of the"
        " customers fitted on. Inertia and silhouette: see the page on choosing the number of"
        " segments.\n\n"
        "Privacy. The report shows aggregates and unlabelled points only; no customer id or"
        " individual record appears in it.",
        size=9.5,
        width=100,
    )
    writer.finish(figure)
