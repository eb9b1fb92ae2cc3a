"""Small customer files for the bad-input catalogue tests, built from the sample generator."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from customer_segmentation.sample_data import generate_clean_customers, generate_customer_file

# Commands cheap enough for the catalogue: the file checks run in the loading node, the
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


# The classic mall-customers export: five columns, its own headers, income in thousands.
MALL_COLUMN_MAPPING = {
    "customer_id": "CustomerID",
    "annual_income": "Annual Income (k$)",
    "spending_score": "Spending Score (1-100)",
}


def write_mall_customers(path: Path, n_rows: int = 300, seed: int = 21) -> int:
    """Write a mall-customers layout file of generated customers; return its row count."""
    customers = generate_clean_customers(n_rows, seed=seed)
    mall = pd.DataFrame(
        {
            "CustomerID": range(1, len(customers) + 1),
            "Gender": customers["gender"],
            "Age": customers["age"],
            "Annual Income (k$)": (customers["annual_income"] / 1000).round().astype(int),
            "Spending Score (1-100)": customers["spending_score"],
        }
    )
    mall.to_csv(path, index=False)
    return len(mall)
