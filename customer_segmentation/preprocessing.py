"""How customer features are made ready for KMeans, robustly to extreme customers.

Real customer files hold a few customers far outside the rest: an income of 666,666 among
incomes near 50,000, a purchase total of a million. Standardised on a linear scale, one such
customer sits a dozen standard deviations out and KMeans spends a whole cluster on them,
while the real personas are squeezed into the clusters left. So, per feature:

1. money features (``LOG_SCALED_FEATURES``) are taken as ``ln(1 + value)``;
2. values are clipped (winsorised) to the ``WINSOR_QUANTILES`` of the fit sample, so no
   customer pulls a centroid further than the 0.5th or 99.5th percentile customer would;
3. the clipped values are standardised with the fit sample's mean and standard deviation.

Every parameter is learned on the fit sample and stored with the model version; the SQL
scoring (``int_customers_scored``) applies exactly these steps from the stored parameters.

A customer is *extreme* on a feature when its transformed value lies beyond Tukey's far-out
fences of the fit sample: more than ``EXTREME_IQR_MULTIPLE`` interquartile ranges below the
first quartile or above the third. Extreme customers are still scored (clipped to the
fitted range) and flagged, never dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from customer_segmentation.features import LOG_SCALED_FEATURES

# Identifies these steps in a stored model version: a version prepared any other way is
# refitted (fit reason `preprocessing_changed`), since its parameters mean something else.
PREPROCESSING_METHOD = "log_money_winsorised_standardised"
WINSOR_QUANTILES = (0.005, 0.995)
EXTREME_IQR_MULTIPLE = 3.0
LOG1P = "log1p"
IDENTITY = "identity"


@dataclass(frozen=True)
class FeaturePreparation:
    """The learned per-feature steps from raw values to the standardised values KMeans sees.

    Every array has one entry per feature, in ``features`` order.
    """

    features: tuple[str, ...]
    transforms: tuple[str, ...]
    clip_lowers: np.ndarray
    clip_uppers: np.ndarray
    extreme_lowers: np.ndarray
    extreme_uppers: np.ndarray
    means: np.ndarray
    scales: np.ndarray

    @classmethod
    def fit(cls, values: np.ndarray, features: tuple[str, ...]) -> FeaturePreparation:
        """Learn every step from ``values`` (rows of customers, columns in ``features`` order)."""
        transforms = tuple(LOG1P if name in LOG_SCALED_FEATURES else IDENTITY for name in features)
        transformed = apply_transforms(values, transforms)
        clip_lowers, clip_uppers = np.quantile(transformed, WINSOR_QUANTILES, axis=0)
        first_quartile, third_quartile = np.quantile(transformed, (0.25, 0.75), axis=0)
        # A feature whose middle half is one value (IQR 0) would flag every other value as
        # extreme; its spread is then read from the standard deviation (1.349 sd = IQR of a
        # normal distribution).
        spread = third_quartile - first_quartile
        spread = np.where(spread > 0, spread, 1.349 * transformed.std(axis=0))
        clipped = np.clip(transformed, clip_lowers, clip_uppers)
        scales = clipped.std(axis=0)
        return cls(
            features=tuple(features),
            transforms=transforms,
            clip_lowers=clip_lowers,
            clip_uppers=clip_uppers,
            extreme_lowers=first_quartile - EXTREME_IQR_MULTIPLE * spread,
            extreme_uppers=third_quartile + EXTREME_IQR_MULTIPLE * spread,
            means=clipped.mean(axis=0),
            # A column that clipping leaves constant (99% of customers on one placeholder value)
            # has a spread of rounding noise, not 0: dividing by it would put everyone a whole
            # standard deviation out. Such a column is centred and left unscaled.
            scales=np.where(
                scales > 1e-9 * np.maximum(1.0, np.abs(clipped.mean(axis=0))), scales, 1.0
            ),
        )

    def standardise(self, values: np.ndarray) -> np.ndarray:
        """Raw feature values -> the clipped, standardised values the model clusters."""
        transformed = apply_transforms(values, self.transforms)
        clipped = np.clip(transformed, self.clip_lowers, self.clip_uppers)
        return (clipped - self.means) / self.scales

    def to_transformed_scale(self, standardised: np.ndarray) -> np.ndarray:
        """Standardised values back on the transformed (log for money) scale."""
        return standardised * self.scales + self.means

    def to_original_scale(self, standardised: np.ndarray) -> np.ndarray:
        """Standardised values back in the features' own units (for centroids)."""
        original = np.array(self.to_transformed_scale(standardised), dtype=float)
        is_log = np.array([transform == LOG1P for transform in self.transforms])
        original[..., is_log] = np.expm1(original[..., is_log])
        return original

    def extreme_mask(self, values: np.ndarray) -> np.ndarray:
        """True where a customer's value lies beyond the feature's far-out fences."""
        transformed = apply_transforms(values, self.transforms)
        return (transformed < self.extreme_lowers) | (transformed > self.extreme_uppers)


def apply_transforms(values: np.ndarray, transforms: tuple[str, ...]) -> np.ndarray:
    """Apply each column's transform; ``log1p`` is ``ln(1 + value)``, as in the SQL scoring."""
    values = np.asarray(values, dtype=float)
    is_log = np.array([transform == LOG1P for transform in transforms])
    unknown = set(transforms) - {LOG1P, IDENTITY}
    if unknown:
        raise ValueError(f"unknown feature transform(s) {sorted(unknown)}")
    # Money is never negative after validation; clip at 0 so log1p is always defined.
    return np.where(is_log, np.log1p(np.clip(values, 0, None)), values)
