"""Overwork: daily and weekly volume caps from the programme, and rest days.

More practice is not better: the programme sets how much a day and a week, and the rest days.
:func:`volume_warnings` compares what was done (plus what is about to start) with those caps; it only
warns. (Fatigue has one rule, ``facefit.coach.fatigue``, used by the engine and the reports.)
"""

from __future__ import annotations

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
