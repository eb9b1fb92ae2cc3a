"""One page per segment: its profile against the base, its evidence and its strategy."""

from __future__ import annotations

import textwrap

import matplotlib
import pandas as pd

from customer_segmentation.personas import strength_scale
from customer_segmentation.report.data import ReportData
from customer_segmentation.report.layout import (
    FEATURE_LABELS,
    ReportWriter,
    body_text,
    counted,
    is_money,
    percent,
    persona_palette,
    readable_features,
)

# Bars of a profile stop at this many standard deviations; the value is printed at the end.
PROFILE_LIMIT_SD = 2.5

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
