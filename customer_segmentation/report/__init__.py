"""The customer segmentation report: a PDF for marketing, built from the mart tables.

Reads the DuckDB file read-only (never the raw customer file) and writes
``<out>/segmentation_report.pdf`` plus every chart as a PNG under ``<out>/figures/``.
Nothing in it identifies a customer: charts plot points, tables hold aggregates. It reads
aggregates the marts compute in SQL and a seeded sample of at most 20,000 customers for the
scatter plots, so its time and memory do not grow with the number of customers.

- ``data``: the read-only connection, the checks before reading, and every read;
- ``layout``: the page writer, colours, tables, text and axis helpers;
- ``summary``, ``exploration``, ``segments``, ``persona``, ``method``: one function per page;
- ``build``: the pages in order; ``cli``: the command line.

Usage::

    python -m customer_segmentation.report --duckdb-path customer_segmentation.duckdb --out reports
"""

from customer_segmentation.report.build import build_report
from customer_segmentation.report.cli import main
from customer_segmentation.report.data import ReportError, load_report_data
from customer_segmentation.report.layout import readable_features

__all__ = ["ReportError", "build_report", "load_report_data", "main", "readable_features"]
