"""The command line: ``python -m customer_segmentation.report --duckdb-path ... --out ...``."""

from __future__ import annotations

import argparse
from pathlib import Path

from customer_segmentation.build_record import REFUSE_OTHER_VARS_FILE, add_database_arguments
from customer_segmentation.report.build import build_report, iter_page_titles
from customer_segmentation.report.data import ReportError


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="The customer segmentation report: a PDF for marketing, built from the"
        " mart tables."
    )
    add_database_arguments(parser, vars_file_help=REFUSE_OTHER_VARS_FILE)
    parser.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    args = parser.parse_args(argv)
    try:
        writer = build_report(args.duckdb_path, args.out, args.vars_file)
    except ReportError as error:
        raise SystemExit(f"Report not built: {error}") from None
    print(f"Wrote {args.out / 'segmentation_report.pdf'} ({len(writer.pages)} pages):")
    for line in iter_page_titles(writer):
        print(line)
    print(f"and {len(writer.figure_files)} figures under {args.out / 'figures'}")
