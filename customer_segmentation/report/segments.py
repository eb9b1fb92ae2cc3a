"""The segments page: spending against income, a PCA projection and the persona centroids."""

from __future__ import annotations

import matplotlib
import seaborn as sns
from sklearn.decomposition import PCA

from customer_segmentation.clustering import standardise
from customer_segmentation.report.data import ReportData
from customer_segmentation.report.layout import (
    CUSTOMER_POINTS,
    FEATURE_LABELS,
    ReportWriter,
    counted,
    money_axis,
    note_text,
    persona_palette,
)


def cluster_views(writer: ReportWriter, data: ReportData) -> None:
    figure = writer.page("The segments")
    # The database picks the customers drawn (data.customer_sample): a seeded sample when
    # there are more than the scatter plots can show.
    segments = data.customer_sample
    palette = persona_palette(data.profiles["persona_name"].tolist())
    notes = []
    if data.is_sampled:
        notes.append(
            f"Both scatter plots show a seeded sample of {len(segments):,} of the"
            f" {data.customer_count:,} customers."
        )
    scatter_axes = figure.add_axes([0.1, 0.6, 0.38, 0.3])
    if {"annual_income", "spending_score"} <= set(data.features_present):
        cut = data.display_cut("annual_income")
        shown = segments[segments["annual_income"].astype(float) <= cut]
        left_off = len(segments) - len(shown)
        sns.scatterplot(
            data=shown,
            x="annual_income",
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
            who = f"{left_off:,} of them" if data.is_sampled else counted(left_off, "customer")
            notes.append(
                f"{who} with incomes above {cut:,.0f} (the top 0.5%) are left off the income"
                " scatter."
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
        note_text(figure, 0.49, " ".join(notes))
    writer.finish(figure, "segments")
