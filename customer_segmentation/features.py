"""The canonical customer columns, shared by the generator, the clustering and the tests.

The dbt project holds the same list in ``dbt_project.yml`` (var ``clustering_features``);
``test_project_config.py`` keeps the two in step.
"""

CUSTOMER_ID = "customer_id"

CLUSTERING_FEATURES: tuple[str, ...] = (
    "age",
    "annual_income",
    "spending_score",
    "total_purchase_amount",
    "engagement_score",
    "retention_months",
)

CANONICAL_COLUMNS: tuple[str, ...] = (CUSTOMER_ID, "gender", *CLUSTERING_FEATURES)

PERSONA_NAMES: tuple[str, ...] = (
    "High-Value Loyal Customers",
    "Young, Trend-Driven Shoppers",
    "Premium but Low Engagement",
    "New or Low-Spend Customers",
)

# Money is heavy-tailed: one customer earning 666,666 among incomes near 50,000 would, on a
# linear scale, sit so far out that KMeans gives them a cluster of their own. The fit works on
# log(1 + amount) for these; the other features are bounded scores, ages and tenures.
LOG_SCALED_FEATURES: tuple[str, ...] = ("annual_income", "total_purchase_amount")

# How a segment's profile reads in words, per feature: (below the base, near it, above it).
# Used to name a segment that no persona fits, e.g. "older, mid income, average spending".
FEATURE_WORDS: dict[str, tuple[str, str, str]] = {
    "age": ("younger", "mid-age", "older"),
    "annual_income": ("low income", "mid income", "high income"),
    "spending_score": ("low spending", "average spending", "high spending"),
    "total_purchase_amount": ("low purchases", "mid purchases", "high purchases"),
    "engagement_score": ("low engagement", "average engagement", "high engagement"),
    "retention_months": ("newer", "mid tenure", "long-standing"),
}
