"""Small customer files for the bad-input catalogue tests, built from the sample generator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customer_segmentation.sample_data import generate_customer_file

# Commands cheap enough for the catalogue: the file checks run in on-run-start, the
# validation checks in post-hooks, so building up to the model that checks is enough.
BUILD_TO_VALIDATION = [
    "build",
    "--select",
    "+int_customers_validated",
    "--exclude-resource-type",
    "test",
    "unit_test",
]
BUILD_TO_CLUSTERING_INPUT = [
    "build",
    "--select",
    "+int_customer_features",
    "--exclude-resource-type",
    "test",
    "unit_test",
]


def clean_rows(n_rows: int = 200, seed: int = 5) -> pd.DataFrame:
    """Valid customers as text, canonical columns, no damage."""
    rows, _ = generate_customer_file(n_rows=n_rows, seed=seed, dirty_share=0)
    return rows


def write_csv(
    path: Path,
    rows: pd.DataFrame,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
    line_end: str = "\n",
    extra_lines: list[str] | None = None,
) -> Path:
    """Write rows as CSV, then append raw lines (for records no CSV writer would produce)."""
    text = rows.to_csv(index=False, sep=delimiter, lineterminator=line_end)
    if extra_lines:
        text += "".join(line + line_end for line in extra_lines)
    path.write_bytes(text.encode(encoding))
    return path
