"""The report as a whole: every page, in order, into one PDF and a PNG per chart."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import seaborn as sns
from matplotlib.backends.backend_pdf import PdfPages

from customer_segmentation.report.data import SCATTER_SAMPLE_SIZE, load_report_data
from customer_segmentation.report.exploration import choice_of_k, exploratory_analysis
from customer_segmentation.report.layout import ReportWriter
from customer_segmentation.report.method import method_page
from customer_segmentation.report.persona import persona_page
from customer_segmentation.report.segments import cluster_views
from customer_segmentation.report.summary import data_quality, executive_summary


def build_report(
    duckdb_path: Path,
    out_dir: Path,
    vars_file: Path | None = None,
    sample_size: int = SCATTER_SAMPLE_SIZE,
) -> ReportWriter:
    """Write the PDF and the figure PNGs; return the writer with its page list."""
    data = load_report_data(duckdb_path, vars_file, sample_size)
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
