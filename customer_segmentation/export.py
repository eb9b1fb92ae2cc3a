"""Export a mart to CSV for spreadsheets, with text cells made safe to open.

A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
spreadsheet programs as a formula (CSV/formula injection). Customer files carry such values
(a gender of ``=HYPERLINK(...)``, an id of ``@x``), and ``customers_rejected`` passes them on as
written, so every text cell that starts with one is prefixed with a single quote, which
spreadsheets show as plain text. Numeric columns are written as numbers.

Usage::

    python -m customer_segmentation.export customers_rejected --out exports/customers_rejected.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb

from customer_segmentation.build_record import (
    add_database_arguments,
    connect_read_only,
    last_build,
    rebuild_command,
)

FORMULA_PREFIX_PATTERN = r"^[=+\-@\t\r]"


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def spreadsheet_safe_select(
    connection: duckdb.DuckDBPyConnection, table: str, duckdb_path: Path
) -> str:
    """A select over ``table`` whose text columns are escaped for spreadsheets."""
    columns = connection.execute(
        "select column_name, data_type from information_schema.columns"
        " where table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    if not columns:
        rebuild = rebuild_command(last_build(connection), duckdb_path)
        raise SystemExit(f"No table named {table!r} in {duckdb_path}: run `{rebuild}` first.")
    expressions = []
    for name, data_type in columns:
        column = quote_identifier(name)
        if data_type.upper() == "VARCHAR":
            expressions.append(
                f"case when regexp_matches({column}, '{FORMULA_PREFIX_PATTERN}')"
                f" then '''' || {column} else {column} end as {column}"
            )
        else:
            expressions.append(column)
    return f"select {', '.join(expressions)} from {quote_identifier(table)}"


def export_table(duckdb_path: Path, table: str, out: Path) -> int:
    """Write ``table`` to ``out`` as spreadsheet-safe CSV; return the number of rows."""
    if not duckdb_path.exists():
        raise SystemExit(
            f"Database {duckdb_path} not found: run `{rebuild_command(None, duckdb_path)}` first."
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    with connect_read_only(duckdb_path) as connection:
        query = spreadsheet_safe_select(connection, table, duckdb_path)
        connection.execute(
            f"copy ({query}) to '{out.as_posix().replace(chr(39), chr(39) * 2)}'"
            " (header, delimiter ',')"
        )
        return connection.execute(f"select count(*) from {quote_identifier(table)}").fetchone()[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("table", help="mart to export, e.g. customers_rejected")
    parser.add_argument("--out", type=Path, required=True, help="CSV file to write")
    add_database_arguments(parser)
    args = parser.parse_args(argv)
    rows = export_table(args.duckdb_path, args.table, args.out)
    print(f"Wrote {rows} rows of {args.table} to {args.out}")


if __name__ == "__main__":
    main()
