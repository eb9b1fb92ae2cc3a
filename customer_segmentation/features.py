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
