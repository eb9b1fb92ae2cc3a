"""The first two pages: the executive summary and data quality."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import pandas as pd
import seaborn as sns

from customer_segmentation.features import CLUSTERING_FEATURES
from customer_segmentation.report.data import ReportData
from customer_segmentation.report.layout import (
    FEATURE_LABELS,
    ReportWriter,
    add_table,
    body_text,
    counted,
    note_text,
    percent,
    persona_palette,
    readable_features,
    wrap,
)


def evidence_label(profile: pd.Series) -> str:
    """How strongly a segment's name is supported, in a table cell."""
    if not profile["is_matched_persona"]:
        return "no persona name"
    return f"{profile['persona_match_strength']} ({profile['persona_match_confidence']:.2f})"


def evidence_notes(data: ReportData) -> list[str]:
    """What a reader must know before acting on the segments, one sentence each."""
    run = data.run
    profiles = data.profiles
    notes = []
    named = int(run["named_segment_count"])
    strengths = profiles.loc[profiles["is_matched_persona"], "persona_match_strength"]
    by_strength = ", ".join(
        f"{(strengths == strength).sum()} {strength}"
        for strength in ["strong", "moderate", "weak"]
        if (strengths == strength).any()
    )
    notes.append(
        f"{named} of {counted(len(profiles), 'segment')} carry a persona name"
        + (f" (evidence: {by_strength})" if by_strength else "")
        + ". A name is given only where the segment shows the persona's defining features;"
        " the others keep a descriptive name and the generic test-and-learn plan."
    )
    notes += [readable_features(str(warning)) for warning in profiles["segment_warning"].dropna()]
    extreme = int(run["extreme_customer_count"])
    if extreme:
        notes.append(
            f"{counted(extreme, 'customer')} ({extreme / int(run['clean_customer_count']):.1%})"
            " lie far outside the range of the rest (extreme profiles, see Data quality): each is"
            " in the nearest segment, but none shapes a segment."
        )
    if not run["is_cluster_count_supported"]:
        notes.append(str(run["cluster_count_verdict"]))
    return notes


def executive_summary(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("Customer segmentation: executive summary")
    run = data.run
    profiles = data.profiles
    biggest_revenue = profiles.sort_values("revenue_share", ascending=False).iloc[0]
    revenue_sentence = (
        f" {biggest_revenue['persona_name']} bring {percent(biggest_revenue['revenue_share'])}"
        f" of revenue from {percent(biggest_revenue['customer_share'])} of customers."
        if data.has_revenue
        else " The file has no purchase amounts, so revenue shares are not available."
    )
    body_text(
        figure,
        0.91,
        f"{counted(int(run['clean_customer_count']), 'customer')} from"
        f" {Path(run['customers_path']).name} fall into {counted(len(profiles), 'segment')},"
        f" each with a strategy.{revenue_sentence}",
    )
    summary = pd.DataFrame(
        {
            "Segment": profiles["persona_name"],
            "Customers": profiles["customer_count"].map("{:,}".format),
            "Share": profiles["customer_share"].map(percent),
            "Revenue": profiles["revenue_share"].map(percent),
            "Evidence": profiles.apply(evidence_label, axis=1),
            "Strategy": profiles["strategy_headline"],
        }
    )
    table_end = add_table(
        figure, [0.06, 0.71, 0.88, 0.14], summary, [0.29, 0.09, 0.06, 0.08, 0.15, 0.33]
    )
    figure.text(
        0.06, table_end - 0.04, "Before acting on these segments", fontsize=12, fontweight="bold"
    )
    bullets = "\n".join(wrap(f"\u2022 {note}", 115) for note in evidence_notes(data))
    figure.text(0.06, table_end - 0.055, bullets, fontsize=8.5, va="top", linespacing=1.4)
    axes = figure.add_axes([0.36, 0.07, 0.56, 0.26])
    palette = persona_palette(profiles["persona_name"].tolist())
    shares = profiles.melt(
        id_vars="persona_name",
        value_vars=["customer_share", "revenue_share"] if data.has_revenue else ["customer_share"],
        var_name="measure",
        value_name="share",
    )
    shares["measure"] = shares["measure"].map(
        {"customer_share": "Share of customers", "revenue_share": "Share of revenue"}
    )
    sns.barplot(
        data=shares,
        y="persona_name",
        x="share",
        hue="measure",
        palette=["#9ecae1", "#08519c"][: shares["measure"].nunique()],
        ax=axes,
    )
    axes.set(xlabel="", ylabel="", title="Customers and revenue by segment")
    axes.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    axes.set_yticks(
        axes.get_yticks(), [wrap(label.get_text(), 30) for label in axes.get_yticklabels()]
    )
    for label, name in zip(axes.get_yticklabels(), profiles["persona_name"], strict=False):
        label.set_color(palette.get(name, "black"))
        label.set_fontweight("bold")
    axes.legend(loc="lower right", fontsize=8)
    writer.finish(figure, "executive_summary")


def data_quality(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("Data quality")
    run = data.run
    body_text(
        figure,
        0.91,
        f"Records read: {int(run['file_record_count']):,}. Clean customers:"
        f" {int(run['clean_customer_count']):,}. Rejected: {int(run['rejected_row_count']):,}."
        f" Exact duplicates collapsed: {int(run['duplicate_row_count']):,}. Missing values"
        f" filled with the median: {int(run['imputed_value_count']):,}. Extreme profiles:"
        f" {int(run['extreme_customer_count']):,}.\n"
        "Every record is accounted for: rejected records are listed, with the reason and the"
        " values as written, in the table customers_rejected. An extreme profile is a clean"
        " customer far outside the range of the rest on some feature (beyond 3 interquartile"
        " ranges of the middle half, money on a log scale): kept, placed in the nearest segment"
        " with the value held at the edge of the fitted range, and flagged in"
        " customer_segments.is_extreme_profile.",
    )
    rejects = data.file_quality[data.file_quality["row_status"] == "rejected"]
    # Between the paragraph above (down to about 0.78 of the page) and the note below.
    axes = figure.add_axes([0.36, 0.53, 0.56, 0.21])
    if rejects.empty:
        axes.axis("off")
        axes.text(0, 0.5, "No record was rejected.", fontsize=11)
    else:
        sns.barplot(data=rejects, y="outcome", x="row_count", color="#c0504d", ax=axes)
        axes.set(xlabel="Records", ylabel="", title="Rejected records by reason")
        for container in axes.containers:
            axes.bar_label(container, fontsize=8, padding=2)
    features = data.features[data.features["is_in_file"]]
    imputation = pd.DataFrame(
        {
            "Feature": features["feature_name"].map(FEATURE_LABELS),
            "Required": features["is_required"].map({True: "yes", False: "no"}),
            "Missing (imputed)": features["missing_count"].map("{:,}".format),
            "Filled with": features["imputation_value"].map(
                lambda value: "" if pd.isna(value) else f"median {value:,.1f}"
            ),
            "Used for clustering": features["is_used_for_clustering"].map(
                {True: "yes", False: "no"}
            )
            + features["exclusion_reason"].map(
                lambda reason: "" if pd.isna(reason) else f" ({reason.replace('_', ' ')})"
            ),
        }
    )
    absent = [
        FEATURE_LABELS[name].lower()
        for name in CLUSTERING_FEATURES
        if name not in data.features_present
    ]
    if absent:
        note_text(
            figure,
            0.465,
            f"Not in the file: {', '.join(absent)}. The clustering, the persona matching and"
            " every chart in this report use only the features the file has.",
        )
    figure.text(0.06, 0.405, "Features", fontsize=12, fontweight="bold")
    add_table(figure, [0.06, 0.08, 0.88, 0.31], imputation, [0.24, 0.12, 0.18, 0.18, 0.28])
    writer.finish(figure, "data_quality")
