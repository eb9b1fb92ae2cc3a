"""Baseline: the segmentation as a notebook would do it, with pandas and scikit-learn only.

The yardstick for ``bench/notebook_vs_project.py``: read the CSV, coerce the feature columns
to numbers, drop rows with a gap, standardise, KMeans with k=4, write the labelled table.
It is kept as plain as a notebook on purpose (no validation, no duplicate handling, no
imputation): what the project does beyond this is what the comparison prices.

    .venv/bin/python bench/baseline_notebook.py customers.csv labelled.csv
"""

from __future__ import annotations

import sys

import pandas as pd
from sklearn.cluster import KMeans
from sklearn.preprocessing import StandardScaler

# As a notebook would list them; test_bench.py keeps them equal to the package's list.
FEATURES = [
    "age",
    "annual_income",
    "spending_score",
    "total_purchase_amount",
    "engagement_score",
    "retention_months",
]


def main(customers_csv: str, labelled_csv: str) -> None:
    # Ids are text ("001234" and "1234" are different customers).
    df = pd.read_csv(customers_csv, dtype={"customer_id": str})
    # Damaged cells ("$1,234", "75k", "n/a") become NaN, then their rows go.
    for column in FEATURES:
        df[column] = pd.to_numeric(df[column], errors="coerce")
    df = df.dropna(subset=FEATURES)
    scaled = StandardScaler().fit_transform(df[FEATURES])
    kmeans = KMeans(n_clusters=4, n_init=10, random_state=0)
    df["cluster"] = kmeans.fit_predict(scaled)
    df.to_csv(labelled_csv, index=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
