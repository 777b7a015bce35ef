"""Before/after comparison that says "no measurable change" unless a change exceeds its MDC95.

Each metric's difference is shown beside its minimal detectable change, so the size of a change is
always read against the size of the measurement error. Experimental metrics are listed, labelled,
and never make the headline verdict. A line region that either photo does not show is listed as
"not measurable: why", never compared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facefit.photos.metrics import METRIC_NAMES, METRIC_SPECS, UNIT_CONTRAST, UNIT_IPD, UNIT_PER_IPD
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
    def label(self) -> str:
        """The metric's plain name ("forehead lines: how many", "right jowl")."""
        return METRIC_SPECS[self.metric].plain or self.metric.replace("_", " ")

    @property
    def words(self) -> str:
        """The change in plain words: "forehead lines: more (+0.85 IPD of crease per IPD², 3.1x ...)"."""
        spec = METRIC_SPECS[self.metric]
        up = self.change > 0
        if spec.unit == UNIT_PER_IPD:
            what, how = spec.plain.split(":")[0], "more lines" if up else "fewer lines"
        elif spec.unit == UNIT_CONTRAST:
            what, how = spec.plain.split(":")[0], "deeper" if up else "shallower"
        else:
            what, how = spec.plain or self.metric.replace("_", " "), "larger" if up else "smaller"
        mm = self.change_mm
        size = f"{self.change:+.3f} {UNIT_WORDS.get(self.unit, self.unit)}".rstrip() + (
            f", {mm:+.1f} mm" if mm is not None else ""
        )
        return f"{what}: {how} ({size}; {self.ratio:.1f}x the smallest change these photos can show)"

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
            "label": self.label,
            "words": self.words,
        }


UNIT_WORDS = {"ipd": "eye distances", "1/ipd": "crease length per skin area", "contrast": "darker",
              "deg": "degrees", "ratio": ""}


@dataclass(frozen=True)
class Comparison:
    """All metric changes between two photos, the regions that could not be compared, and the headline."""

    changes: tuple[MetricChange, ...]
    unmeasurable: dict[str, str] = field(default_factory=dict)  # line region -> "not measurable: why"

    @property
    def measurable(self) -> list[MetricChange]:
        """Changes beyond MDC95 on validated (non-experimental) metrics."""
        return [c for c in self.changes if c.measurable and not c.experimental]

    @property
    def verdict(self) -> str:
        if not self.measurable:
            return NO_CHANGE
        parts = [c.words for c in sorted(self.measurable, key=lambda c: -c.ratio)]
        return "measurable change: " + "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "measurable": bool(self.measurable),
            "changes": [c.to_dict() for c in self.changes],
            "not_measurable": dict(self.unmeasurable),
        }


def compare_metrics(
    before: Mapping[str, float],
    after: Mapping[str, float],
    errors: Mapping[str, MetricError],
    *,
    mm_per_ipd: float | None = None,
    unmeasurable: Mapping[str, str] | None = None,
) -> Comparison:
    """Compare two photos' metrics; metrics without a known error are left out (nothing to judge by).

    ``unmeasurable`` names the line regions either photo could not show (region -> "not measurable:
    why", see :func:`unmeasurable_regions`); they are reported instead of compared.
    """
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
    return Comparison(tuple(changes), dict(unmeasurable or {}))


def unmeasurable_regions(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, str]:
    """Line regions without a number in either photo's summary (``PhotoMeasurement.summary()["lines"]``),
    with the reason, the later photo's first: "not measurable: glasses frames ... (later photo)"."""
    out: dict[str, str] = {}
    for label, summary in (("later photo", after), ("earlier photo", before)):
        regions = ((summary or {}).get("lines") or {}).get("regions") or {}
        for region, reading in regions.items():
            status = str(reading.get("status", ""))
            if status.startswith("not measurable") and region not in out:
                out[region] = f"{status} ({label})"
    return out


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


@dataclass(frozen=True)
class RegionChange:
    """One line region between a first and a latest photo, judged against its MDC95.

    ``status`` is "more" / "fewer" (lines: density or depth beyond its MDC95, the larger of the two
    decides), "no measurable change", "not measurable" (either photo does not show it; ``reason``
    says why) or "no error yet" (no repeatability table to judge by).
    """

    region: str
    label: str
    status: str
    words: str
    density: tuple[float | None, float | None, float | None] = (None, None, None)  # first, last, MDC95
    depth: tuple[float | None, float | None, float | None] = (None, None, None)
    ratio: float | None = None  # the larger |change| / MDC95 of the two indices

    def to_dict(self) -> dict[str, Any]:
        def r(value: float | None) -> float | None:
            return None if value is None or not np.isfinite(value) else round(float(value), 4)

        return {
            "region": self.region,
            "label": self.label,
            "status": self.status,
            "words": self.words,
            "density": {"first": r(self.density[0]), "last": r(self.density[1]), "mdc95": r(self.density[2])},
            "depth": {"first": r(self.depth[0]), "last": r(self.depth[1]), "mdc95": r(self.depth[2])},
            "change_over_mdc95": r(self.ratio),
        }


def region_changes(
    first: Mapping[str, float],
    last: Mapping[str, float],
    errors: Mapping[str, MetricError],
    unmeasurable: Mapping[str, str] | None = None,
) -> list[RegionChange]:
    """Every line region's change from ``first`` to ``last`` metrics, in plain words (the face map)."""
    from facefit.photos.lines import LINE_REGIONS, density_metric, depth_metric

    out = []
    for region in LINE_REGIONS:
        names = (density_metric(region.name), depth_metric(region.name))
        density, depth = (
            (first.get(n), last.get(n), errors[n].mdc95 if n in errors else None) for n in names
        )
        if unmeasurable and region.name in unmeasurable:
            status, words, ratio = "not measurable", unmeasurable[region.name], None
        elif any(first.get(n) is None or last.get(n) is None for n in names):
            status, words, ratio = "not measurable", "not measurable: not shown in both photos", None
        elif any(n not in errors for n in names):
            status, ratio = "no error yet", None
            words = "change cannot be judged yet (no repeatability table)"
        else:
            changes = [(last[n] - first[n], errors[n].mdc95, n) for n in names]
            change, mdc, name = max(changes, key=lambda c: abs(c[0]) / c[1] if c[1] > 0 else float("inf"))
            ratio = abs(change) / mdc if mdc > 0 else float("inf")
            if ratio > 1.0:
                status = "more" if change > 0 else "fewer"
                kind = ("more lines" if change > 0 else "fewer lines") if name == names[0] else (
                    "deeper" if change > 0 else "shallower")
                words = f"{kind}: {ratio:.1f}x the smallest change these photos can show"
            else:
                status = "no measurable change"
                words = "no measurable change (within the measurement error)"
        out.append(
            RegionChange(region.name, region.plain, status, words, tuple(density), tuple(depth), ratio)
        )
    return out
