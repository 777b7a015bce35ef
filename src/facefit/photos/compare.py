"""Before/after comparison that says "no measurable change" unless a change exceeds its MDC95.

Each metric's difference is shown beside its minimal detectable change, so the size of a change is
always read against the size of the measurement error. Experimental metrics are listed, labelled,
and never make the headline verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from facefit.photos.metrics import METRIC_NAMES, METRIC_SPECS, UNIT_IPD
from facefit.photos.repeatability import MetricError

NO_CHANGE = "no measurable change"


@dataclass(frozen=True)
class MetricChange:
    """One metric before and after, its difference, and whether that exceeds the metric's MDC95."""

    metric: str
    unit: str
    before: float
    after: float
    mdc95: float
    experimental: bool
    mm_per_ipd: float | None = None

    @property
    def change(self) -> float:
        return self.after - self.before

    @property
    def ratio(self) -> float:
        """|change| over MDC95: above 1 the change is larger than the measurement error."""
        return abs(self.change) / self.mdc95 if self.mdc95 > 0 else float("inf")

    @property
    def measurable(self) -> bool:
        return self.ratio > 1.0

    @property
    def change_mm(self) -> float | None:
        if self.unit != UNIT_IPD or not self.mm_per_ipd:
            return None
        return self.change * self.mm_per_ipd

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "before": self.before,
            "after": self.after,
            "change": self.change,
            "change_mm": self.change_mm,
            "mdc95": self.mdc95,
            "change_over_mdc95": self.ratio,
            "measurable": self.measurable,
            "experimental": self.experimental,
        }


@dataclass(frozen=True)
class Comparison:
    """All metric changes between two photos and the honest headline."""

    changes: tuple[MetricChange, ...]

    @property
    def measurable(self) -> list[MetricChange]:
        """Changes beyond MDC95 on validated (non-experimental) metrics."""
        return [c for c in self.changes if c.measurable and not c.experimental]

    @property
    def verdict(self) -> str:
        if not self.measurable:
            return NO_CHANGE
        parts = [
            f"{c.metric} {'+' if c.change > 0 else ''}{c.change:.3f} {c.unit} ({c.ratio:.1f}x its MDC95)"
            for c in sorted(self.measurable, key=lambda c: -c.ratio)
        ]
        return "measurable change: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "measurable": bool(self.measurable),
            "changes": [c.to_dict() for c in self.changes],
        }


def compare_metrics(
    before: Mapping[str, float],
    after: Mapping[str, float],
    errors: Mapping[str, MetricError],
    *,
    mm_per_ipd: float | None = None,
) -> Comparison:
    """Compare two photos' metrics; metrics without a known error are left out (nothing to judge by)."""
    changes = []
    for name in METRIC_NAMES:
        if name not in before or name not in after or name not in errors:
            continue
        spec = METRIC_SPECS[name]
        changes.append(
            MetricChange(
                name,
                spec.unit,
                float(before[name]),
                float(after[name]),
                float(errors[name].mdc95),
                spec.experimental,
                mm_per_ipd,
            )
        )
    return Comparison(tuple(changes))


ASYMMETRY_FLAG_FACTOR = 2.0  # x MDC95: ~10 asymmetry measures per photo; a false alarm blocks practice
PAIRED_FOR_ASYMMETRY: tuple[str, ...] = ("brow_height", "eye_aperture", "mouth_corner_drop")


@dataclass(frozen=True)
class AsymmetryChange:
    """An increase in a left/right difference between the baseline and a new photo."""

    measure: str
    before: float
    after: float
    threshold: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "measure": self.measure,
            "before": round(self.before, 4),
            "after": round(self.after, 4),
            "threshold": round(self.threshold, 4),
        }


def new_asymmetries(
    baseline: Mapping[str, float], current: Mapping[str, float], errors: Mapping[str, MetricError]
) -> list[AsymmetryChange]:
    """Left/right differences that grew by more than twice their MDC95 since the baseline.

    Compared as magnitudes (a face may start slightly asymmetric; only growth matters): the mirror
    asymmetry indices, commissure and chin deviation, and the R-L difference of paired metrics (its
    MDC is taken as sqrt(MDC_r^2 + MDC_l^2)). Sudden facial asymmetry can be a medical sign, so the
    safety stage blocks practice until the user acknowledges it; the factor of 2 keeps the ~10 tests
    per photo from raising false alarms.
    """
    found = []
    single = [name for name in METRIC_NAMES if name.startswith("asymmetry_")]
    single += ["commissure_deviation", "chin_deviation"]
    for name in single:
        if name in baseline and name in current and name in errors:
            before, after = abs(baseline[name]), abs(current[name])
            limit = ASYMMETRY_FLAG_FACTOR * errors[name].mdc95
            if after - before > limit:
                found.append(AsymmetryChange(name, before, after, limit))
    for stem in PAIRED_FOR_ASYMMETRY:
        r, left = f"{stem}_r", f"{stem}_l"
        if not all(k in d for k in (r, left) for d in (baseline, current, errors)):
            continue
        before = abs(baseline[r] - baseline[left])
        after = abs(current[r] - current[left])
        limit = ASYMMETRY_FLAG_FACTOR * float(np.hypot(errors[r].mdc95, errors[left].mdc95))
        if after - before > limit:
            found.append(AsymmetryChange(f"{stem} right-left", before, after, limit))
    return found
