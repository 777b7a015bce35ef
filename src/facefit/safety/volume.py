"""Overwork and fatigue: daily and weekly volume caps from the programme, rest days, fading amplitude.

More practice is not better: the programme sets how much a day and a week, and the rest days.
:func:`volume_warnings` compares what was done (plus what is about to start) with those caps;
:func:`fatigue_drop` spots rep amplitude falling the way tired muscles do. Both only warn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: Allowance above the plan before warning (timings vary a little from the nominal plan).
TOLERANCE = 1.10


@dataclass(frozen=True)
class VolumeWarning:
    kind: str  # "rest-day" | "daily-cap" | "weekly-cap"
    message: str


def volume_warnings(*, planned_today: bool, day_cap_min: float, week_cap_min: float, done_today_min: float,
                    done_week_min: float, next_min: float) -> list[VolumeWarning]:
    """Warnings for starting ``next_min`` more minutes given what is already done today and this week."""
    warnings = []
    if not planned_today:
        warnings.append(VolumeWarning("rest-day", "today is a rest day in your programme; rest days let "
                                      "muscles recover. A catch-up session is fine once, never two a day."))
    if done_today_min + next_min > day_cap_min * TOLERANCE:
        warnings.append(VolumeWarning(
            "daily-cap", f"this would make {done_today_min + next_min:.0f} active minutes today, over the "
            f"programme's {day_cap_min:.0f}: one session a day is enough."))
    if done_week_min + next_min > week_cap_min * TOLERANCE:
        warnings.append(VolumeWarning(
            "weekly-cap", f"this would make {done_week_min + next_min:.0f} active minutes this "
            f"programme week, over its {week_cap_min:.0f}: take the rest days."))
    return warnings


@dataclass(frozen=True)
class FatigueDrop:
    first_mean: float
    last_mean: float

    @property
    def drop(self) -> float:
        return 1.0 - self.last_mean / self.first_mean


def fatigue_drop(
    amplitudes: Sequence[float], *, window: int = 3, threshold: float = 0.30
) -> FatigueDrop | None:
    """A fatigue signal when the last ``window`` reps average ``threshold`` less amplitude than the first.

    Needs at least ``2 * window`` reps (fewer cannot tell fatigue from noise) and a positive start.
    """
    if window < 1 or not 0 < threshold < 1:
        raise ValueError("window must be >= 1 and threshold in (0, 1)")
    if len(amplitudes) < 2 * window:
        return None
    first = sum(amplitudes[:window]) / window
    last = sum(amplitudes[-window:]) / window
    if first <= 0:
        return None
    result = FatigueDrop(first, last)
    return result if result.drop >= threshold else None
