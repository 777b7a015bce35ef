"""How much each metric moves when nothing about the face changed: SEM and MDC95 per metric.

Two sources, kept apart and then combined conservatively:

- *perturbations*: simulated re-takes of the baseline photo (:mod:`facefit.photos.perturb`), the
  default because most users have a single photo to start with;
- *repeats*: real accepted photos taken on the same day (nothing can have changed within a day).

For one person the standard error of measurement is the within-person standard deviation of repeated
measurements (pooled over repeat groups), never below the metric's ``sem_floor`` (the line indices
of a region without lines barely spread, see ``facefit.photos.metrics.DENSITY_SEM_FLOOR``). The
minimal detectable change at 95% confidence is ``MDC95 = 1.96 * sqrt(2) * SEM``: a difference
between two photos smaller than that is indistinguishable from measurement error. When both sources
exist the larger SEM is used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from facefit.photos.gate import Reference, evaluate
from facefit.photos.measure import PhotoMeasurement, measure_photo
from facefit.photos.metrics import METRIC_NAMES, METRIC_SPECS
from facefit.photos.perturb import Perturbation

MDC_FACTOR = 1.96 * math.sqrt(2.0)
DEFAULT_SAMPLES = 16


def mdc95(sem: float) -> float:
    """Minimal detectable change at 95% confidence from a standard error of measurement."""
    return MDC_FACTOR * sem


@dataclass(frozen=True)
class MetricError:
    """Repeatability of one metric: SEM, MDC95 (both in the metric's unit), sample count and source."""

    metric: str
    sem: float
    mdc95: float
    n: int
    source: str

    @property
    def unit(self) -> str:
        return METRIC_SPECS[self.metric].unit if self.metric in METRIC_SPECS else ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "unit": self.unit,
            "sem": self.sem,
            "mdc95": self.mdc95,
            "n": self.n,
            "source": self.source,
            "experimental": METRIC_SPECS.get(self.metric) is not None
            and METRIC_SPECS[self.metric].experimental,
        }


def pooled_sem(groups: Iterable[Sequence[Mapping[str, float]]]) -> dict[str, tuple[float, int]]:
    """Pooled within-group SD per metric over groups of repeat measurements: ``{metric: (sem, n)}``.

    Groups with fewer than two measurements carry no information and are skipped.
    """
    sums: dict[str, float] = {}
    dofs: dict[str, int] = {}
    counts: dict[str, int] = {}
    for group in groups:
        if len(group) < 2:
            continue
        for name in METRIC_NAMES:
            values = np.array(
                [m[name] for m in group if name in m and np.isfinite(m[name])], dtype=np.float64
            )
            if values.size < 2:
                continue
            sums[name] = sums.get(name, 0.0) + float(np.sum((values - values.mean()) ** 2))
            dofs[name] = dofs.get(name, 0) + values.size - 1
            counts[name] = counts.get(name, 0) + values.size
    return {name: (math.sqrt(sums[name] / dofs[name]), counts[name]) for name in sums if dofs[name] > 0}


@dataclass(frozen=True)
class PerturbationRun:
    """The measurements of simulated re-takes, and how many the gate would have accepted."""

    measurements: list[PhotoMeasurement]
    accepted: int
    attempted: int


def perturbation_measurements(
    rgb: np.ndarray,
    landmarker: Any,
    *,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    base: PhotoMeasurement | None = None,
    on_sample: Callable[[], None] | None = None,
) -> PerturbationRun:
    """Measure ``samples`` perturbed re-takes of a photo that pass the gate against the photo itself.

    Only re-takes the gate accepts are kept (a user could not store the others), drawing up to twice
    ``samples`` candidates. The original photo is included as one of the repeats.
    """
    base = base or measure_photo(rgb, landmarker)
    if not base.present or base.landmarks is None:
        raise ValueError("the photo has no face to perturb")
    reference = Reference.from_measurement(base)
    rng = np.random.default_rng(seed)
    kept = [base]
    attempted = 0
    while len(kept) < samples + 1 and attempted < 2 * samples:
        attempted += 1
        perturbed = Perturbation.draw(rng).apply(rgb, base.landmarks, rng)
        measured = measure_photo(perturbed, landmarker)
        if measured.present and evaluate(measured, reference).accepted:
            kept.append(measured)
        if on_sample is not None:
            on_sample()
    return PerturbationRun(kept, accepted=len(kept) - 1, attempted=attempted)


def repeatability_table(
    perturbed: Sequence[Mapping[str, float]] | None = None,
    repeat_groups: Iterable[Sequence[Mapping[str, float]]] = (),
) -> dict[str, MetricError]:
    """Per-metric error from perturbation metrics and/or groups of real repeats (larger SEM wins)."""
    from_perturbed = pooled_sem([list(perturbed)]) if perturbed else {}
    from_repeats = pooled_sem(repeat_groups)
    table: dict[str, MetricError] = {}
    for name in METRIC_NAMES:
        candidates = []
        if name in from_perturbed:
            candidates.append((*from_perturbed[name], "perturbations"))
        if name in from_repeats:
            candidates.append((*from_repeats[name], "repeats"))
        if not candidates:
            continue
        sem, n, source = max(candidates, key=lambda c: c[0])
        if len(candidates) == 2:
            source = f"max({candidates[0][2]}, {candidates[1][2]}) = {source}"
        floor = METRIC_SPECS[name].sem_floor
        if sem < floor:  # below what the index resolves (line indices of a region without lines)
            sem, source = floor, f"{source}, floor"
        table[name] = MetricError(name, sem, mdc95(sem), n, source)
    return table


@dataclass(frozen=True)
class VideoRepeats:
    """Frames of one video that pass the gate against its first usable frame: real repeat captures."""

    measurements: list[PhotoMeasurement]
    frames_checked: int
    first_frame_failures: list[str]


def video_repeat_measurements(
    source: Iterable[Any], landmarker: Any, *, step: int = 3, on_frame: Callable[[], None] | None = None
) -> VideoRepeats:
    """Measure every ``step``-th frame of ``source`` (frames with ``.rgb``); keep those the gate accepts
    against the first frame with a face. Frames of one sitting are genuine re-captures (sensor noise,
    micro-movements) but share light and position, so they understate between-day error."""
    if step < 1:
        raise ValueError(f"step must be >= 1, got {step}")
    kept: list[PhotoMeasurement] = []
    reference: Reference | None = None
    first_failures: list[str] = []
    checked = 0
    for index, frame in enumerate(source):
        if index % step:
            continue
        checked += 1
        measured = measure_photo(frame.rgb, landmarker)
        if on_frame is not None:
            on_frame()
        if not measured.present:
            continue
        if reference is None:
            first_failures = [c.name for c in evaluate(measured).failed]
            reference = Reference.from_measurement(measured)
        if evaluate(measured, reference).accepted:
            kept.append(measured)
    return VideoRepeats(kept, checked, first_failures)
