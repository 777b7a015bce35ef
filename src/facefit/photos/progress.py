"""Progress over stored photos: the repeatability table, comparisons, and inputs for the views.

Glue between the pure pieces (perturbations, repeatability, compare, views) and one profile's store.
Every function is scoped by ``profile_id``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from facefit.errors import FaceFitError, NextStep
from facefit.photos.library import load_stored_rgb, stored_photos
from facefit.photos.repeatability import (
    DEFAULT_SAMPLES,
    MetricError,
    perturbation_measurements,
    repeatability_table,
)
from facefit.photos.views import ViewPhoto
from facefit.store.db import Store
from facefit.store.photos import Photo, get_baseline, load_repeatability, save_repeatability


class NoBaselineError(FaceFitError):
    """The profile has no baseline photo yet."""


@dataclass(frozen=True)
class RepeatabilityReport:
    """The table plus where it came from (shown with it: an error estimate needs its provenance)."""

    table: dict[str, MetricError]
    perturbations_kept: int
    perturbations_tried: int
    repeat_groups: int
    baseline_photo_id: int | None
    mm_per_ipd: float | None


def view_photo(photo: Photo) -> ViewPhoto:
    """A stored photo ready for the views, labelled with its date."""
    return ViewPhoto(
        load_stored_rgb(photo),
        np.asarray(photo.landmarks, dtype=np.float64),
        photo.taken_at.date().isoformat(),
    )


def repeat_groups(photos: list[Photo]) -> list[list[dict[str, float]]]:
    """Accepted photos taken on the same calendar day, as groups of metrics (same-day = same face)."""
    by_day: dict[Any, list[dict[str, float]]] = defaultdict(list)
    for photo in photos:
        if photo.accepted:
            by_day[photo.taken_at.date()].append(photo.metrics)
    return [group for group in by_day.values() if len(group) >= 2]


def measure_repeatability(
    *,
    store: Store,
    profile_id: int,
    landmarker: Any,
    samples: int = DEFAULT_SAMPLES,
    seed: int = 0,
    on_sample: Callable[[], None] | None = None,
) -> RepeatabilityReport:
    """Measure and store the profile's table from its baseline photo (and same-day repeats if any)."""
    with store.transaction() as session:
        baseline = get_baseline(session=session, profile_id=profile_id)
    if baseline is None:
        raise NoBaselineError("There is no baseline photo yet.", step=NextStep.ADD_BASELINE_PHOTO)
    run = perturbation_measurements(
        load_stored_rgb(baseline), landmarker, samples=samples, seed=seed, on_sample=on_sample
    )
    if run.accepted < 2:
        raise FaceFitError(
            f"Only {run.accepted} of {run.attempted} simulated re-takes of your baseline passed the gate: "
            "retake the baseline sharper and closer, then measure again."
        )
    groups = repeat_groups(stored_photos(store=store, profile_id=profile_id))
    table = repeatability_table([m.metrics for m in run.measurements], groups)
    source = "perturbations+repeats" if groups else "perturbations"
    with store.transaction() as session:
        save_repeatability(
            session=session,
            profile_id=profile_id,
            table={k: (v.sem, v.mdc95, v.n) for k, v in table.items()},
            source=source,
            baseline_photo_id=baseline.id,
        )
    return RepeatabilityReport(
        table, run.accepted, run.attempted, len(groups), baseline.id, baseline.measurement.get("mm_per_ipd")
    )


def stored_errors(*, store: Store, profile_id: int) -> dict[str, MetricError]:
    """The profile's stored repeatability table (empty if never measured)."""
    with store.transaction() as session:
        rows = load_repeatability(session=session, profile_id=profile_id)
        return {k: MetricError(k, r.sem, r.mdc95, r.n, r.source) for k, r in rows.items()}


def metric_history(photos: list[Photo]) -> tuple[list[Any], dict[str, list[float]]]:
    """Dates and per-metric value lists of accepted photos, oldest first."""
    from facefit.photos.metrics import METRIC_NAMES

    accepted = [p for p in photos if p.accepted]
    dates = [p.taken_at for p in accepted]
    series = {name: [p.metrics.get(name, float("nan")) for p in accepted] for name in METRIC_NAMES}
    return dates, series
