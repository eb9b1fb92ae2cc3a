"""The report's look: A4 pages, colours, tables, text and axis helpers, shared by every page."""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # the report is written headless, in CI as on a laptop

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from customer_segmentation.features import LOG_SCALED_FEATURES, PERSONA_NAMES

A4_PORTRAIT = (8.27, 11.69)
# One colour per persona, the same on every chart; extra segments get greys.
PERSONA_COLOURS = dict(
    zip(PERSONA_NAMES, ["#1b6ca8", "#e07a1f", "#7b4ea3", "#3a9d5d"], strict=True)
)
EXTRA_SEGMENT_COLOURS = ["#7f7f7f", "#a6a6a6", "#595959", "#bfbfbf", "#404040", "#d9d9d9"]
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
# Characters of 8-point text that fit in a table column as wide as the whole page.
TABLE_CHARACTERS_PER_PAGE_WIDTH = 120


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


def readable_features(text: str) -> str:
    """'retention_months +1.4 sd' -> 'retention (months) +1.4 sd', for marketers."""
    for name, label in FEATURE_LABELS.items():
        text = text.replace(name, label.lower())
    return text


def is_money(feature: str) -> bool:
    return feature in LOG_SCALED_FEATURES


def money_axis(axis: matplotlib.axis.Axis) -> None:
    """Money ticks with thousands separators, in thousands from 10,000 up: '50k', '1,200k'."""

    def label(value: float, _: int) -> str:
        return f"{value / 1000:,.0f}k" if abs(value) >= 10_000 else f"{value:,.0f}"

    axis.set_major_formatter(matplotlib.ticker.FuncFormatter(label))


def body_text(figure: Figure, y: float, text: str, size: float = 10, width: int = 95) -> None:
    figure.text(0.06, y, wrap(text, width), fontsize=size, va="top", linespacing=1.5)


def note_text(figure: Figure, y: float, text: str) -> None:
    """An italic note under a chart: what it leaves out, and why."""
    figure.text(0.06, y, wrap(text, 110), fontsize=9, style="italic", va="top")


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
