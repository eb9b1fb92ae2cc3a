"""The customer segmentation report: a PDF for marketing, built from the mart tables.

Reads the DuckDB file read-only (never the raw customer file) and writes
``<out>/segmentation_report.pdf`` plus every chart as a PNG under ``<out>/figures/``.
Nothing in it identifies a customer: charts plot points, tables hold aggregates.

Usage::

    python -m customer_segmentation.report --duckdb-path customer_segmentation.duckdb --out reports
"""

from __future__ import annotations

import argparse
import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")  # the report is written headless, in CI as on a laptop

import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

from customer_segmentation.build_record import (
    DEFAULT_DUCKDB_PATH,
    BuildRecord,
    BuildRecordError,
    check_last_build_passed,
    check_vars_file_matches,
    last_build,
    rebuild_command,
)
from customer_segmentation.clustering import standardise
from customer_segmentation.features import (
    CLUSTERING_FEATURES,
    LOG_SCALED_FEATURES,
    PERSONA_NAMES,
)
from customer_segmentation.personas import strength_scale
from customer_segmentation.vars_file import VarsFileError

A4_PORTRAIT = (8.27, 11.69)
REQUIRED_TABLES = (
    "customer_segments",
    "segment_profiles",
    "customer_file_quality",
    "feature_profiles",
    "cluster_diagnostics",
    "segmentation_runs",
)
# One colour per persona, the same on every chart; extra segments get greys.
PERSONA_COLOURS = dict(
    zip(PERSONA_NAMES, ["#1b6ca8", "#e07a1f", "#7b4ea3", "#3a9d5d"], strict=True)
)
EXTRA_SEGMENT_COLOURS = ["#7f7f7f", "#a6a6a6", "#595959", "#bfbfbf", "#404040", "#d9d9d9"]
# Charts of a feature stop at this quantile; customers beyond it are counted in a note.
DISPLAY_QUANTILE = 0.995
# Bars of a profile stop at this many standard deviations; the value is printed at the end.
PROFILE_LIMIT_SD = 2.5
# Every customer scatter draws small, unlabelled points: thousands of them, no ids.
CUSTOMER_POINTS = {"s": 8, "alpha": 0.6, "linewidth": 0, "legend": False}
FEATURE_LABELS = {
    "age": "Age",
    "annual_income": "Annual income",
    "spending_score": "Spending score",
    "total_purchase_amount": "Total purchases",
    "engagement_score": "Engagement score",
    "retention_months": "Retention (months)",
}


class ReportError(RuntimeError):
    """The report cannot be built; the message says what to do."""


@dataclass(frozen=True)
class ReportData:
    segments: pd.DataFrame
    profiles: pd.DataFrame
    file_quality: pd.DataFrame
    features: pd.DataFrame
    diagnostics: pd.DataFrame
    run: pd.Series

    @property
    def features_used(self) -> list[str]:
        used = self.features[self.features["is_used_for_clustering"]]
        return used.sort_values("feature_position")["feature_name"].tolist()

    @property
    def features_present(self) -> list[str]:
        present = self.features[self.features["is_in_file"]]
        return [name for name in CLUSTERING_FEATURES if name in set(present["feature_name"])]

    @property
    def has_revenue(self) -> bool:
        return "total_purchase_amount" in self.features_present


def load_report_data(duckdb_path: Path, vars_file: Path | None = None) -> ReportData:
    """Read the marts, read-only; stop with a clear message when they are missing or stale,
    or when the database's last build failed (its marts would be an earlier build's)."""
    if not duckdb_path.exists():
        raise ReportError(
            f"No database at {duckdb_path}: run `{rebuild_command(None, duckdb_path)}` first"
            " to build the marts."
        )
    try:
        connection = duckdb.connect(str(duckdb_path), read_only=True)
    except duckdb.IOException as error:
        raise ReportError(
            f"Cannot open {duckdb_path} read-only: {error}. Wait for the running build to finish."
        ) from error
    with connection:
        try:
            record = last_build(connection)
            check_vars_file_matches(record, duckdb_path, vars_file)
            check_last_build_passed(record, duckdb_path)
        except (BuildRecordError, VarsFileError) as error:
            raise ReportError(str(error)) from None
        rebuild = rebuild_command(record, duckdb_path)
        tables = {row[0] for row in connection.execute("show tables").fetchall()}
        missing = [table for table in REQUIRED_TABLES if table not in tables]
        if missing:
            raise ReportError(
                f"{duckdb_path} lacks {', '.join(missing)}: it was built by an older version or"
                f" a build that failed. Run `{rebuild}` first."
            )
        data = ReportData(
            segments=connection.execute(
                "select persona_name, cluster_id, gender, is_extreme_profile, "
                + ", ".join(CLUSTERING_FEATURES)
                + " from customer_segments"
            ).df(),
            profiles=connection.execute("select * from segment_profiles order by cluster_id").df(),
            file_quality=connection.execute(
                "select * from customer_file_quality order by row_count desc"
            ).df(),
            features=connection.execute(
                "select * from feature_profiles order by feature_position"
            ).df(),
            diagnostics=connection.execute(
                "select * from cluster_diagnostics order by cluster_count"
            ).df(),
            run=connection.execute("select * from segmentation_runs").df().iloc[0],
        )
    check_freshness(data.run, record, duckdb_path)
    return data


def check_freshness(run: pd.Series, record: BuildRecord, duckdb_path: Path) -> None:
    """Stop when the customer file changed after the build that made the marts."""
    path = Path(run["customers_path"])
    if not path.exists():
        return  # built from a file no longer here: the marts are all there is
    built_at = pd.Timestamp(run["run_started_at"]).to_pydatetime()
    modified_at = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    if modified_at > built_at:
        raise ReportError(
            f"The customer file {path} changed at {modified_at:%Y-%m-%d %H:%M} UTC, after the"
            f" build of {built_at:%Y-%m-%d %H:%M} UTC: the marts are stale. Run"
            f" `{rebuild_command(record, duckdb_path)}` first."
        )


def persona_palette(names: list[str]) -> dict[str, str]:
    extras = iter(EXTRA_SEGMENT_COLOURS * 2)
    return {name: PERSONA_COLOURS.get(name) or next(extras) for name in names}


def percent(value: float | None) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{value:.0%}"


def wrap(text: str, width: int = 95) -> str:
    return "\n".join(textwrap.fill(part, width) for part in str(text).split("\n"))


def counted(count: int, noun: str) -> str:
    """'1 customer', '2,345 customers': never '1 customers'."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def money_axis(axis: matplotlib.axis.Axis) -> None:
    """Money ticks with thousands separators, in thousands from 10,000 up: '50k', '1,200k'."""

    def label(value: float, _: int) -> str:
        return f"{value / 1000:,.0f}k" if abs(value) >= 10_000 else f"{value:,.0f}"

    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(label))


def display_range(values: pd.Series) -> tuple[pd.Series, int, float]:
    """The values a chart shows, the count left off, and the cut: extremes past the 99.5th
    percentile would squash everyone else into one bar, so they are counted, not drawn."""
    values = values.astype(float).dropna()
    upper = float(values.quantile(DISPLAY_QUANTILE)) if len(values) else 0.0
    shown = values[values <= upper]
    return shown, len(values) - len(shown), upper


def is_money(feature: str) -> bool:
    return feature in LOG_SCALED_FEATURES


class ReportWriter:
    """Adds A4 pages to the PDF and saves each chart page as a PNG too."""

    def __init__(self, pdf: PdfPages, figures_dir: Path) -> None:
        self.pdf = pdf
        self.figures_dir = figures_dir
        self.pages: list[str] = []
        self.figure_files: list[Path] = []

    def page(self, title: str) -> Figure:
        figure = plt.figure(figsize=A4_PORTRAIT)
        figure.text(0.06, 0.955, title, fontsize=18, fontweight="bold", va="top")
        figure.add_artist(
            matplotlib.lines.Line2D([0.06, 0.94], [0.935, 0.935], color="#cccccc", linewidth=1)
        )
        self.pages.append(title)
        return figure

    def finish(self, figure: Figure, png_name: str | None = None) -> None:
        figure.text(0.94, 0.02, f"{len(self.pages)}", fontsize=8, ha="right", color="#888888")
        self.pdf.savefig(figure)
        if png_name:
            path = self.figures_dir / f"{len(self.pages):02d}_{png_name}.png"
            figure.savefig(path, dpi=110)
            self.figure_files.append(path)
        plt.close(figure)


def body_text(figure: Figure, y: float, text: str, size: float = 10, width: int = 95) -> None:
    figure.text(0.06, y, wrap(text, width), fontsize=size, va="top", linespacing=1.5)


# Characters of 8-point text that fit in a table column as wide as the whole page.
TABLE_CHARACTERS_PER_PAGE_WIDTH = 120


def add_table(
    figure: Figure, rect: list[float], frame: pd.DataFrame, col_widths: list[float]
) -> float:
    """A table whose long cells wrap onto more lines (the row grows) instead of spilling over.

    Returns the height, in figure coordinates, where the table ends, to place what follows.
    """
    axes = figure.add_axes(rect)
    axes.axis("off")
    widths = [
        max(4, int(width * rect[2] * TABLE_CHARACTERS_PER_PAGE_WIDTH)) for width in col_widths
    ]
    cells = [
        [textwrap.fill(str(value), width) for value, width in zip(row, widths, strict=True)]
        for row in frame.to_numpy()
    ]
    table = axes.table(
        cellText=cells,
        colLabels=list(frame.columns),
        colWidths=col_widths,
        loc="upper left",
        cellLoc="left",
    )
    table.auto_set_font_size(False)
    table.set_fontsize(8)
    table.scale(1, 1.6)
    for (row, _), cell in table.get_celld().items():
        cell.set_edgecolor("#dddddd")
        if row == 0:
            cell.set_facecolor("#f0f0f0")
            cell.set_text_props(fontweight="bold")
        else:
            lines = max(text.count("\n") + 1 for text in cells[row - 1])
            cell.set_height(cell.get_height() * (1 + 0.65 * (lines - 1)))
    extent = table.get_window_extent(figure.canvas.get_renderer())
    return float(figure.transFigure.inverted().transform((0, extent.y0))[1])


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
    axes = figure.add_axes([0.36, 0.49, 0.56, 0.3])
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
        figure.text(
            0.06,
            0.475,
            wrap(
                f"Not in the file: {', '.join(absent)}. The clustering, the persona matching and"
                " every chart in this report use only the features the file has.",
                110,
            ),
            fontsize=9,
            style="italic",
            va="top",
        )
    figure.text(0.06, 0.415, "Features", fontsize=12, fontweight="bold")
    add_table(figure, [0.06, 0.1, 0.88, 0.3], imputation, [0.24, 0.12, 0.18, 0.18, 0.28])
    writer.finish(figure, "data_quality")


def exploratory_analysis(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("Exploratory analysis")
    present = data.features_present
    segments = data.segments
    heatmap_axes = figure.add_axes([0.22, 0.63, 0.56, 0.27])
    correlations = segments[present].astype(float).corr()
    labels = [FEATURE_LABELS[name] for name in present]
    sns.heatmap(
        correlations,
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
    genders = segments["gender"].value_counts()
    shown_genders = [
        gender for gender, count in genders.items() if gender != "unknown" and count >= 30
    ]
    by_gender = len(shown_genders) >= 2
    hue = "gender" if by_gender else None
    plotted = segments[segments["gender"].isin(shown_genders)] if by_gender else segments
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
        shown, left_off, cut = display_range(plotted[feature])
        sns.histplot(
            data=plotted.loc[shown.index],
            x=shown,
            hue=hue,
            element="step",
            stat="percent",
            common_norm=False,
            bins=30,
            ax=axes,
        )
        axes.set(
            xlabel=FEATURE_LABELS[feature],
            ylabel="Share of customers (%)",
            title=f"{FEATURE_LABELS[feature]} distribution",
        )
        if is_money(feature):
            money_axis(axes.xaxis)
        if left_off:
            cut_text = f"{cut:,.0f}"
            note += (
                f" {FEATURE_LABELS[feature]}: {counted(left_off, 'customer')} above"
                f" {cut_text} (the top 0.5%) are left off the chart."
            )
    figure.text(0.06, 0.49, wrap(note, 110), fontsize=9, style="italic", va="top")
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


def cluster_views(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("The segments")
    segments = data.segments
    palette = persona_palette(data.profiles["persona_name"].tolist())
    notes = []
    scatter_axes = figure.add_axes([0.1, 0.6, 0.38, 0.3])
    if {"annual_income", "spending_score"} <= set(data.features_present):
        incomes, left_off, cut = display_range(segments["annual_income"])
        sns.scatterplot(
            data=segments.loc[incomes.index],
            x=incomes,
            y="spending_score",
            hue="persona_name",
            palette=palette,
            ax=scatter_axes,
            **CUSTOMER_POINTS,
        )
        scatter_axes.set(
            xlabel="Annual income", ylabel="Spending score", title="Spending score against income"
        )
        money_axis(scatter_axes.xaxis)
        if left_off:
            notes.append(
                f"{counted(left_off, 'customer')} with incomes above {cut:,.0f} (the top 0.5%)"
                " are left off the income scatter."
            )
    else:
        scatter_axes.axis("off")
        notes.append("Spending against income is left out: the file lacks one of them.")
    used = data.features_used
    pca_axes = figure.add_axes([0.58, 0.6, 0.36, 0.3])
    # Prepared as the fit prepares them (money on a log scale, extremes clipped), so a few
    # extreme customers do not become the first component.
    scaled = standardise(segments, used)
    projection = PCA(n_components=2, random_state=0).fit(scaled)
    points = projection.transform(scaled)
    sns.scatterplot(
        x=points[:, 0],
        y=points[:, 1],
        hue=segments["persona_name"],
        palette=palette,
        ax=pca_axes,
        **CUSTOMER_POINTS,
    )
    explained = projection.explained_variance_ratio_
    pca_axes.set(
        xlabel=f"Component 1 ({explained[0]:.0%} of variance)",
        ylabel=f"Component 2 ({explained[1]:.0%})",
        title="Two-component projection (PCA)",
    )
    handles = [
        matplotlib.patches.Patch(color=colour, label=name) for name, colour in palette.items()
    ]
    figure.legend(
        handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.55), ncol=2, fontsize=8
    )
    centroid_axes = figure.add_axes([0.3, 0.08, 0.62, 0.33])
    deviation_columns = [f"{name}_sd_from_base" for name in data.features_present]
    centroids = data.profiles.set_index("persona_name")[deviation_columns].astype(float)
    centroids.columns = [FEATURE_LABELS[name] for name in data.features_present]
    sns.heatmap(
        centroids,
        annot=True,
        fmt="+.1f",
        cmap="RdBu_r",
        center=0,
        vmin=-2,
        vmax=2,
        cbar_kws={"label": "standard deviations from the base"},
        ax=centroid_axes,
    )
    centroid_axes.set(ylabel="", title="Persona centroids against the customer base")
    centroid_axes.tick_params(axis="x", rotation=30)
    if notes:
        figure.text(0.06, 0.49, wrap(" ".join(notes), 110), fontsize=9, style="italic", va="top")
    writer.finish(figure, "segments")


def readable_features(text: str) -> str:
    """'retention_months +1.4 sd' -> 'retention (months) +1.4 sd', for marketers."""
    for name, label in FEATURE_LABELS.items():
        text = text.replace(name, label.lower())
    return text


UNNAMED_REASONS = {
    "below_min_persona_share": "it holds too few customers to be a persona (var min_persona_share)",
    "no_defining_feature_in_file": "the file has none of the features that define the closest"
    " persona",
    "profile_disagrees": "it does not show the defining traits of the closest persona",
    "more_clusters_than_personas": "there are more segments than personas (var n_clusters)",
}


def profile_bars(axes: matplotlib.axes.Axes, deviations: pd.Series, colour: str) -> None:
    """Horizontal bars of sd from the base, cut at +-PROFILE_LIMIT_SD with every value printed."""
    clipped = deviations.clip(-PROFILE_LIMIT_SD, PROFILE_LIMIT_SD)
    axes.barh(deviations.index, clipped.to_numpy(), color=colour)
    for position, (value, shown) in enumerate(zip(deviations, clipped, strict=True)):
        beyond = value != shown
        axes.text(
            shown + (-0.08 if shown < 0 else 0.08) * (-1 if beyond else 1),
            position,
            f"{value:+.1f}" + (" (cut)" if beyond else ""),
            va="center",
            ha=("left" if shown < 0 else "right") if beyond else ("right" if shown < 0 else "left"),
            fontsize=8,
            color="white" if beyond else "black",
            fontweight="bold" if beyond else "normal",
        )
    axes.axvline(0, color="black", linewidth=0.8)
    axes.set(
        xlabel="Standard deviations from the customer base",
        title="Profile against the customer base",
        xlim=(-PROFILE_LIMIT_SD - 0.4, PROFILE_LIMIT_SD + 0.4),
    )


def average_text(feature: str, value: float) -> str:
    label = FEATURE_LABELS[feature].lower()
    return f"{label} {value:,.0f}" if is_money(feature) else f"{label} {value:,.1f}"


def persona_page(writer: ReportWriter, data: ReportData, profile: pd.Series) -> None:
    name = profile["persona_name"]
    colour = persona_palette(data.profiles["persona_name"].tolist())[name]
    figure = writer.page(textwrap.shorten(name, 52))
    figure.texts[-1].set_color(colour)
    if profile["is_matched_persona"]:
        who = str(profile["persona_summary"])
    else:
        who = (
            "This segment carries no persona name: "
            + UNNAMED_REASONS.get(profile["unnamed_reason"], str(profile["unnamed_reason"]))
            + ". Its name describes its profile."
        )
    revenue = f", {percent(profile['revenue_share'])} of revenue" if data.has_revenue else ""
    body_text(
        figure,
        0.91,
        f"{who}\n{counted(int(profile['customer_count']), 'customer')}"
        f" ({percent(profile['customer_share'])} of the base){revenue}."
        f" What sets them apart: {readable_features(profile['distinctive_features'])}.",
    )
    axes = figure.add_axes([0.3, 0.52, 0.62, 0.3])
    present = data.features_present
    deviations = pd.Series(
        [float(profile[f"{feature}_sd_from_base"]) for feature in present],
        index=[FEATURE_LABELS[feature] for feature in present],
    )
    profile_bars(axes, deviations, colour)
    averages = ", ".join(
        average_text(feature, float(profile[f"avg_{feature}"])) for feature in present
    )
    evidence = readable_features(str(profile["persona_evidence"]))
    if profile["is_matched_persona"]:
        match_text = (
            f"Evidence for the name: {profile['persona_match_strength']}, confidence"
            f" {profile['persona_match_confidence']:.2f} on a 0-1 scale ({strength_scale()})."
            f" Defining features, as the fit measures them (money on a log"
            f" scale): {evidence}."
        )
    elif pd.notna(profile["persona_evidence"]):
        match_text = f"Why no persona name: {evidence}."
    else:
        match_text = "No persona was left to pair with this segment."
    if pd.notna(profile["segment_warning"]) and profile["is_matched_persona"]:
        match_text += " Check the profile before a costly campaign: the match is weak."
    body_text(figure, 0.46, f"Averages: {averages}.\n{match_text}", size=9.5)
    figure.text(
        0.06,
        0.3,
        f"Strategy: {profile['strategy_headline']}",
        fontsize=13,
        fontweight="bold",
        color=colour,
    )
    kpi = str(profile["strategy_kpi"])
    if pd.notna(profile["strategy_kpi_missing_features"]):
        missing = readable_features(str(profile["strategy_kpi_missing_features"]))
        kpi += f" [not measurable from this file: it has no {missing}]"
    body_text(
        figure,
        0.26,
        f"Channel: {profile['strategy_channel']}\nOffer: {profile['strategy_offer']}\n"
        f"Message: \u201c{profile['strategy_message']}\u201d\n"
        f"KPI to watch: {kpi}",
        size=10.5,
    )
    writer.finish(figure, f"persona_{profile['persona_slug'] or profile['cluster_id']}")


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


def build_report(duckdb_path: Path, out_dir: Path, vars_file: Path | None = None) -> ReportWriter:
    """Write the PDF and the figure PNGs; return the writer with its page list."""
    data = load_report_data(duckdb_path, vars_file)
    figures_dir = out_dir / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)
    for stale_figure in figures_dir.glob("*.png"):
        stale_figure.unlink()
    sns.set_theme(style="whitegrid", font_scale=0.85)
    pdf_path = out_dir / "segmentation_report.pdf"
    with PdfPages(pdf_path) as pdf:
        writer = ReportWriter(pdf, figures_dir)
        executive_summary(writer, data)
        data_quality(writer, data)
        exploratory_analysis(writer, data)
        choice_of_k(writer, data)
        cluster_views(writer, data)
        for _, profile in data.profiles.iterrows():
            persona_page(writer, data, profile)
        method_page(writer, data)
        metadata = pdf.infodict()
        metadata["Title"] = "Customer segmentation report"
        metadata["Subject"] = (
            f"Personas and strategies from {Path(data.run['customers_path']).name}"
        )
    return writer


def iter_page_titles(writer: ReportWriter) -> Iterator[str]:
    yield from (f"{number:2d}. {title}" for number, title in enumerate(writer.pages, start=1))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--duckdb-path",
        type=Path,
        default=Path(os.environ.get("DUCKDB_PATH", DEFAULT_DUCKDB_PATH)),
        help="database holding the marts (default: $DUCKDB_PATH)",
    )
    parser.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    parser.add_argument(
        "--vars-file",
        type=Path,
        default=None,
        help="refuse unless the database was built from this vars file",
    )
    args = parser.parse_args(argv)
    try:
        writer = build_report(args.duckdb_path, args.out, args.vars_file)
    except ReportError as error:
        raise SystemExit(f"Report not built: {error}") from None
    print(f"Wrote {args.out / 'segmentation_report.pdf'} ({len(writer.pages)} pages):")
    for line in iter_page_titles(writer):
        print(line)
    print(f"and {len(writer.figure_files)} figures under {args.out / 'figures'}")


if __name__ == "__main__":
    main()
