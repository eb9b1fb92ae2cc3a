"""Exploration before segmenting: feature correlations, distributions, and the choice of k."""

from __future__ import annotations

import matplotlib
import pandas as pd
import seaborn as sns

from customer_segmentation.report.data import ReportData
from customer_segmentation.report.layout import (
    FEATURE_LABELS,
    ReportWriter,
    body_text,
    counted,
    is_money,
    money_axis,
    note_text,
)


def correlation_matrix(data: ReportData) -> pd.DataFrame:
    """The features in the file against each other, from the mart's one row per pair."""
    present = data.features_present
    matrix = pd.DataFrame(1.0, index=present, columns=present)
    for pair in data.correlations.itertuples():
        if pair.left_feature in present and pair.right_feature in present:
            matrix.loc[pair.left_feature, pair.right_feature] = pair.pearson_correlation
            matrix.loc[pair.right_feature, pair.left_feature] = pair.pearson_correlation
    return matrix.astype(float)


def customers_by_gender(data: ReportData) -> pd.Series:
    """Clean customers per gender, most first: every customer has a value of every feature in
    the file (missing optional values are imputed), so any feature's bins count them all."""
    bins = data.distributions[data.distributions["feature_name"] == data.features_present[0]]
    counts = bins.groupby("gender")["customer_count"].sum()
    return counts.sort_values(ascending=False, kind="stable")


def histogram(axes: matplotlib.axes.Axes, bins: pd.DataFrame, hue: str | None) -> None:
    """Draw a feature's bins as the mart gives them: a step outline per gender, each gender's
    bars a share of its own customers on the chart."""
    edges = [*bins.groupby("bin_number")["bin_lower"].first(), bins["bin_upper"].max()]
    sns.histplot(
        data=bins.assign(bin_middle=(bins["bin_lower"] + bins["bin_upper"]) / 2),
        x="bin_middle",
        weights="customer_count",
        hue=hue,
        hue_order=list(dict.fromkeys(bins["gender"])) if hue else None,
        element="step",
        stat="percent",
        common_norm=False,
        bins=edges,
        ax=axes,
    )


def exploratory_analysis(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("Exploratory analysis")
    present = data.features_present
    heatmap_axes = figure.add_axes([0.22, 0.63, 0.56, 0.27])
    labels = [FEATURE_LABELS[name] for name in present]
    sns.heatmap(
        correlation_matrix(data),
        annot=True,
        fmt=".2f",
        cmap="RdBu_r",
        vmin=-1,
        vmax=1,
        square=True,
        xticklabels=labels,
        yticklabels=labels,
        cbar_kws={"shrink": 0.7},
        ax=heatmap_axes,
    )
    heatmap_axes.set_title("Correlation between features")
    # A density of a handful of customers is noise: split only by well-represented genders.
    genders = customers_by_gender(data)
    shown_genders = [
        gender for gender, count in genders.items() if gender != "unknown" and count >= 30
    ]
    by_gender = len(shown_genders) >= 2
    note = (
        f"Distributions by gender ({', '.join(shown_genders)}); genders with fewer than 30"
        " customers, and unknown gender, are left out of the split."
        if by_gender
        else "The file has too few customers of known gender to split the distributions."
    )
    for position, feature in enumerate(["annual_income", "spending_score"]):
        axes = figure.add_axes([0.08 + 0.48 * position, 0.1, 0.38, 0.3])
        if feature not in present:
            axes.axis("off")
            axes.text(0, 0.5, f"{FEATURE_LABELS[feature]}: not in the file.", fontsize=10)
            continue
        bins = data.distributions[data.distributions["feature_name"] == feature]
        if by_gender:
            bins = bins[bins["gender"].isin(shown_genders)]
            bins = bins.sort_values(
                "gender", key=lambda g: g.map(shown_genders.index), kind="stable"
            )
        else:
            # Every gender together: the bins are common to all, so their counts add up.
            bins = bins.groupby(["bin_number", "is_above_display_cut"], as_index=False).agg(
                bin_lower=("bin_lower", "first"),
                bin_upper=("bin_upper", "first"),
                customer_count=("customer_count", "sum"),
            )
        above = bins[bins["is_above_display_cut"]]
        histogram(axes, bins[~bins["is_above_display_cut"]], "gender" if by_gender else None)
        axes.set(
            xlabel=FEATURE_LABELS[feature],
            ylabel="Share of customers (%)",
            title=f"{FEATURE_LABELS[feature]} distribution",
        )
        if is_money(feature):
            money_axis(axes.xaxis)
        left_off = int(above["customer_count"].sum())
        if left_off:
            note += (
                f" {FEATURE_LABELS[feature]}: {counted(left_off, 'customer')} above"
                f" {above['bin_lower'].iloc[0]:,.0f} (the top 0.5%) are left off the chart."
            )
    note_text(figure, 0.49, note)
    writer.finish(figure, "exploratory_analysis")


def choice_of_k(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("Choosing the number of segments")
    diagnostics = data.diagnostics
    verdict = str(data.run["cluster_count_verdict"])
    elbow = diagnostics["elbow_cluster_count"].dropna()
    elbow = int(elbow.iloc[0]) if not elbow.empty else None
    chosen_k = int(data.run["n_clusters"])
    for position, (column, title) in enumerate(
        [("inertia", "Elbow: inertia by k"), ("silhouette_score", "Silhouette score by k")]
    ):
        axes = figure.add_axes([0.1, 0.48 - 0.38 * position, 0.82, 0.27])
        sns.lineplot(data=diagnostics, x="cluster_count", y=column, marker="o", ax=axes)
        axes.axvline(chosen_k, color="#c0504d", linestyle="--", label=f"chosen k = {chosen_k}")
        if column == "inertia" and elbow is not None:
            axes.axvline(elbow, color="#888888", linestyle=":", label=f"elbow k = {elbow}")
        axes.set(xlabel="Number of segments k", ylabel=column.replace("_", " "), title=title)
        axes.legend(fontsize=8)
    sample = int(diagnostics["sample_size"].iloc[0]) if not diagnostics.empty else 0
    body_text(
        figure,
        0.91,
        f"{verdict}\nEach k was fitted on the same seeded sample of {sample:,} customers with the"
        " segmentation's own settings. Inertia always falls as k grows; the bend (elbow) is where"
        " more segments stop paying off. The silhouette (-1 to 1) rewards tight, well-separated"
        " segments.",
    )
    writer.finish(figure, "choice_of_k")
