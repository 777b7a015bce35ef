"""Expand a programme into dated days: which routine on which date, and which days are rest days.

This is the public API the habits stage builds adherence, streaks and calendar exports on, so it is
a pure function of its inputs (no clock, no store): ``plan(programme, start, weekdays)``.

Rules (also in docs/contracts.md):
- Programme week ``w`` is the 7 days from ``start + 7*(w-1)``; weeks count from the start date, not
  from calendar Mondays.
- ``every_n_days = n``: practice on every n-th day counted from the phase's first day (1 = daily,
  2 = every other day).
- ``days_per_week = k``: without ``weekdays``, k days of each programme week with the rest days
  spread out (5/7 -> rest on days 4 and 7 of the week); with ``weekdays``, the first k allowed days.
- ``weekdays`` (0 = Monday .. 6 = Sunday) are the days the person can practise: a day whose weekday
  is not in it is always a rest day, so choosing fewer weekdays than a phase asks for plans fewer
  sessions (adherence is then measured against this plan, which is what the person agreed to).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from facefit.catalog.durations import routine_seconds
from facefit.catalog.loader import Catalog, load_catalog
from facefit.catalog.models import Phase, Programme
from facefit.errors import InputError

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class PlannedDay:
    """One calendar day of a programme: a practice day (``routine_id``) or a rest day (None)."""

    date: date
    week: int
    day: int
    routine_id: str | None
    planned_minutes: float

    @property
    def is_rest(self) -> bool:
        return self.routine_id is None

    def to_dict(self) -> dict[str, object]:
        return {"date": self.date.isoformat(), "week": self.week, "day": self.day,
                "routine_id": self.routine_id, "planned_minutes": round(self.planned_minutes, 2)}


def parse_weekdays(text: str) -> set[int]:
    """``"mon,wed,fri"`` or ``"0,2,4"`` to ``{0, 2, 4}``; ValueError naming the bad item."""
    days: set[int] = set()
    for item in (part.strip().lower() for part in text.split(",")):
        if not item:
            continue
        if item.isdigit() and int(item) < 7:
            days.add(int(item))
        elif item in WEEKDAY_NAMES or item in _FULL_NAMES:
            days.add(WEEKDAY_NAMES.index(item[:3]))
        else:
            raise ValueError(f"unknown weekday {item!r}; use mon..sun or 0..6 (0 = Monday)")
    if not days:
        raise ValueError("no weekdays given; use e.g. mon,wed,fri")
    return days


def _spread(days_per_week: int) -> frozenset[int]:
    """Offsets 0..6 of the practice days in a week of ``days_per_week``, rest days spread out."""
    return frozenset(
        i for i in range(7)
        if math.ceil((i + 1) * days_per_week / 7) > math.ceil(i * days_per_week / 7)
    )


def _week_days(
    phase: Phase, week_dates: list[date], phase_start: date, allowed: set[int] | None
) -> set[date]:
    if phase.every_n_days is not None:
        return {
            d for d in week_dates
            if (d - phase_start).days % phase.every_n_days == 0
            and (allowed is None or d.weekday() in allowed)
        }
    count = phase.days_per_week or 7
    if allowed is None:
        offsets = _spread(count)
        return {d for i, d in enumerate(week_dates) if i in offsets}
    return set([d for d in week_dates if d.weekday() in allowed][:count])


def plan(
    programme: Programme | str,
    start: date,
    weekdays: Iterable[int] | None = None,
    *,
    catalog: Catalog | None = None,
) -> list[PlannedDay]:
    """Every day of ``programme`` from ``start``: date, programme week and day, routine or rest, minutes.

    ``weekdays`` restricts practice to those weekdays (0 = Monday); None lets the programme choose.
    Planned minutes are the routine's computed duration (cues and rests included), 0 on rest days.
    """
    catalog = catalog or load_catalog()
    if isinstance(programme, str):
        programme = catalog.programme(programme)
    allowed: set[int] | None = None
    if weekdays is not None:
        allowed = set(weekdays)
        if not allowed or not allowed <= set(range(7)):
            raise ValueError(f"weekdays must be a non-empty subset of 0..6 (0 = Monday): {sorted(allowed)}")
    if date.max - start < timedelta(days=7 * programme.weeks - 1):
        raise InputError(f"{programme.id} starting {start} would run past {date.max}; choose an earlier "
                         "start.")
    minutes = {phase.routine: routine_seconds(catalog.routine(phase.routine), catalog) / 60
               for phase in programme.phases}
    days: list[PlannedDay] = []
    for week in range(1, programme.weeks + 1):
        phase = programme.phase_for_week(week)
        phase_start = start + timedelta(days=7 * (phase.first_week - 1))
        week_dates = [start + timedelta(days=7 * (week - 1) + i) for i in range(7)]
        practice = _week_days(phase, week_dates, phase_start, allowed)
        for i, day in enumerate(week_dates):
            routine_id = phase.routine if day in practice else None
            days.append(PlannedDay(
                date=day, week=week, day=7 * (week - 1) + i + 1, routine_id=routine_id,
                planned_minutes=minutes[phase.routine] if routine_id else 0.0,
            ))
    return days
