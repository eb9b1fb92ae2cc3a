"""The project vars the dbt Python models read, typed.

Python models cannot call ``var()``, and dbt renders a config value to text. So the model
config in ``python_models/_python_models__models.yml`` renders the vars the models need as
one JSON text (``settings``), and this reads it back with ``json.loads``: integers stay
integers, lists lists, booleans booleans. The vars are validated once, before any model
runs, by the on-run-start macro ``validate_project_vars``; nothing here checks them again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from customer_segmentation.clustering import KMeansSettings


@dataclass(frozen=True)
class SegmentationSettings:
    """The vars of ``dbt_project.yml`` that the segmentation and the diagnostics use."""

    n_clusters: int
    kmeans_random_state: int
    kmeans_n_init: int
    min_persona_share: float
    fit_sample_size: int
    refit: bool
    diagnostics_cluster_counts: tuple[int, int]
    diagnostics_sample_size: int

    def kmeans(self, features: list[str]) -> KMeansSettings:
        """The fit's settings on ``features``, the ones ``int_features_profiled`` chose."""
        return KMeansSettings(
            features=tuple(features),
            n_clusters=self.n_clusters,
            random_state=self.kmeans_random_state,
            n_init=self.kmeans_n_init,
            min_persona_share=self.min_persona_share,
        )

    @property
    def cluster_counts_to_diagnose(self) -> range:
        """Every k from the smallest to the largest of ``diagnostics_cluster_counts``."""
        smallest, largest = self.diagnostics_cluster_counts
        return range(smallest, largest + 1)


def read_segmentation_settings(settings_json: str) -> SegmentationSettings:
    """The settings from the JSON text of the models' ``settings`` config.

    A key missing or unknown raises ``TypeError``: the config and this class must list the
    same vars.
    """
    values = json.loads(settings_json)
    # A list cannot sit in a frozen (hashable) dataclass; the pair becomes a tuple.
    values["diagnostics_cluster_counts"] = tuple(values["diagnostics_cluster_counts"])
    return SegmentationSettings(**values)
