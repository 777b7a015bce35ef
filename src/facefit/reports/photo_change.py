"""Photo metrics as a person should read them: a human name, millimetres where a scale exists, the
measurement error drawn as a band, and one plain sentence that never calls noise a change.

The photos stage measures in IPD units (the distance between the pupils) and ratios; the baseline
photo's iris (11.7 mm on average, ``facefit.photos.landmarks.IRIS_DIAMETER_MM``) gives millimetres per
IPD. One scale, the baseline's, converts every photo, so a change in millimetres is exactly the change
the photos stage measured, times a constant; its MDC95 is converted the same way. The jaw width is
measured against the cheekbone width (a ratio), and shown in millimetres at the baseline's cheekbone
width. A chart's y-range always includes the whole band, so a wiggle inside the error never fills the
chart as a steep "trend".
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from facefit.photos.metrics import METRIC_SPECS, UNIT_DEG, UNIT_IPD, UNIT_RATIO

SIDE = {"r": "right", "l": "left"}
LABELS = {
    "brow_height": "{side} brow height",
    "eye_aperture": "{side} eye opening",
    "mouth_corner_drop": "{side} mouth corner (below the eye line)",
    "jaw_angle": "{side} jaw angle",
    "cheek_projection": "{side} cheek projection (experimental)",
    "commissure_deviation": "Mouth corners, right minus left",
    "jaw_width_ratio": "Jaw width",
    "lower_face_ratio": "Lower face share of face height",
    "chin_deviation": "Chin offset from the midline",
}


def metric_label(metric: str) -> str:
    """A person's name for a metric id (``brow_height_r`` -> "Your right brow height")."""
    stem, _, side = metric.rpartition("_")
    if side in SIDE and stem in LABELS:
        return "Your " + LABELS[stem].format(side=SIDE[side])
    if metric in LABELS:
        return LABELS[metric]
    if metric.startswith("asymmetry_"):
        return f"{metric.removeprefix('asymmetry_').replace('_', ' ').capitalize()} asymmetry"
    return metric.replace("_", " ").capitalize()


@dataclass(frozen=True)
class Scale:
    """How one metric is shown: multiply the stored value by ``factor`` to get ``unit``."""

    factor: float
    unit: str
    digits: int

    def text(self, value: float, *, signed: bool = False) -> str:
        number = f"{value:+.{self.digits}f}" if signed else f"{value:.{self.digits}f}"
        return f"{number}{'' if self.unit in ('%', '°') else ' '}{self.unit}"


def metric_scale(metric: str, *, mm_per_ipd: float | None, cheek_width_mm: float | None) -> Scale:
    """Millimetres where the baseline gives a scale; percent for other ratios; degrees as degrees."""
    unit = METRIC_SPECS[metric].unit if metric in METRIC_SPECS else ""
    if unit == UNIT_IPD:
        if mm_per_ipd and math.isfinite(mm_per_ipd):
            return Scale(mm_per_ipd, "mm", 1)
        return Scale(1.0, "eye distances", 3)
    if metric == "jaw_width_ratio" and cheek_width_mm and math.isfinite(cheek_width_mm):
        return Scale(cheek_width_mm, "mm", 1)
    if unit == UNIT_RATIO:
        return Scale(100.0, "%", 1)
    if unit == UNIT_DEG:
        return Scale(1.0, "°", 1)
    return Scale(1.0, unit, 3)


def y_range(values: Sequence[float], band: tuple[float, float] | None) -> tuple[float, float]:
    """A y-range holding every value and the whole band, padded by 15%; never narrower than the band.

    Without a band (no error measured yet) the range is at least 4% of the values' size, so landmark
    noise is not magnified into a visible slope.
    """
    finite = [v for v in values if math.isfinite(v)]
    points = finite + (list(band) if band else [])
    if not points:
        return (0.0, 1.0)
    lo, hi = min(points), max(points)
    span = hi - lo
    if band is None:
        span = max(span, 0.04 * max(abs(v) for v in points), 1e-6)
    centre = (lo + hi) / 2.0
    half = span / 2.0 * 1.15
    return (centre - half, centre + half)


@dataclass(frozen=True)
class MetricView:
    """One metric over the photos, in display units, with its band and its sentence."""

    metric: str
    label: str
    unit: str
    dates: tuple[str, ...]
    values: tuple[float | None, ...]
    mdc95: float | None
    band: tuple[float, float] | None  # first photo +/- MDC95: changes inside it are measurement noise
    y_range: tuple[float, float]
    change: float | None  # latest minus first
    measurable: bool | None  # None: not enough to judge (one photo, or no error measured)
    experimental: bool
    verdict: str
    change_text: str | None = None  # "-1.4 mm"

    def to_dict(self) -> dict[str, Any]:
        def r(value: float | None) -> float | None:
            return None if value is None else round(value, 4)

        return {
            "metric": self.metric, "label": self.label, "unit": self.unit, "dates": list(self.dates),
            "values": [r(v) for v in self.values], "mdc95": r(self.mdc95),
            "band": None if self.band is None else {"low": r(self.band[0]), "high": r(self.band[1])},
            "y_range": [r(self.y_range[0]), r(self.y_range[1])], "change": r(self.change),
            "measurable": self.measurable, "experimental": self.experimental, "verdict": self.verdict,
            "change_text": self.change_text,
        }


def _verdict(label: str, scale: Scale, first: float | None, change: float | None, mdc: float | None,
             count: int) -> tuple[bool | None, str]:
    if first is None:
        return None, "Not measured on these photos."
    if mdc is None:
        return None, ("Change cannot be judged yet: the measurement error is worked out from your "
                      "baseline photo.")
    error = f"±{scale.text(mdc)}"
    if count < 2 or change is None:
        return None, (f"One photo so far ({scale.text(first)}): the next one is compared with it, "
                      f"within {error}.")
    if abs(change) <= mdc:
        return False, (f"No measurable change yet: {scale.text(change, signed=True)} is within the "
                       f"{error} measurement error.")
    return True, f"{label} {scale.text(change, signed=True)}, beyond its {error} measurement error."


def metric_view(metric: str, dates: Sequence[str], values: Sequence[float], mdc95: float | None, *,
                mm_per_ipd: float | None = None, cheek_width_mm: float | None = None) -> MetricView:
    """One metric's view from its stored values (photos stage units) and MDC95 (same units)."""
    scale = metric_scale(metric, mm_per_ipd=mm_per_ipd, cheek_width_mm=cheek_width_mm)
    shown = [v * scale.factor if v is not None and math.isfinite(v) else None for v in values]
    finite = [v for v in shown if v is not None]
    first = finite[0] if finite else None
    change = finite[-1] - finite[0] if len(finite) >= 2 else None
    mdc = mdc95 * scale.factor if mdc95 is not None and math.isfinite(mdc95) else None
    band = (first - mdc, first + mdc) if first is not None and mdc is not None else None
    label = metric_label(metric)
    measurable, verdict = _verdict(label, scale, first, change, mdc, len(finite))
    spec = METRIC_SPECS.get(metric)
    return MetricView(metric, label, scale.unit, tuple(dates), tuple(shown), mdc, band,
                      y_range(finite, band), change, measurable, bool(spec and spec.experimental), verdict,
                      None if change is None else scale.text(change, signed=True))


def headline(views: Sequence[MetricView]) -> str:
    """One sentence over all metrics; experimental ones never make it."""
    judged = [v for v in views if v.measurable is not None and not v.experimental]
    if not judged:
        return ("Not enough yet to judge change: it takes a baseline photo, its measured error and a "
                "later photo.")
    moved = [v for v in judged if v.measurable]
    if not moved:
        return "No measurable change yet: every difference is within its measurement error."
    parts = [f"{v.label.removeprefix('Your ')} {v.change_text}" for v in moved]
    return "Measurable change: " + "; ".join(parts) + "."
