"""Planned versus done, day by day: adherence per week, streaks, minutes and weekly frequency.

Pure functions over the programme plan (``facefit.catalog.schedule.plan``) and what the store says
was practised, so the numbers can be checked by hand on a made-up history. Definitions:

- A day is *practised* when at least one session on it was completed, or was stopped by a safety
  rule (pain, twitching...): stopping when told to is following the programme, not skipping it.
  A session interrupted for any other reason does not count (its minutes still do).
- Week adherence = min(days practised, days planned) / days planned: a catch-up on a rest day
  counts toward the week, but practising more than planned never lifts it above 100%.
- The streak counts practised days in a row; a rest day does not break it, a missed planned day
  does, and today does not break it before the day is over.
- Weekly frequency is days practised per programme week, against the 5-7 the programme is built on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from facefit.catalog.schedule import PlannedDay

FREQUENCY_TARGET = (5, 7)


@dataclass(frozen=True)
class PracticeDay:
    """What the store holds for one calendar day."""

    sessions: int = 0
    completed: int = 0
    minutes: float = 0.0
    reps: int = 0
    stopped: int = 0
    safety_stopped: int = 0

    @property
    def practised(self) -> bool:
        return self.completed > 0 or self.safety_stopped > 0


@dataclass(frozen=True)
class DayRecord:
    """One day: the plan, what happened, and its status (done/missed/extra/rest/today/future)."""

    date: date
    week: int
    routine_id: str | None
    planned_minutes: float
    practice: PracticeDay
    status: str

    @property
    def planned(self) -> bool:
        return self.routine_id is not None


@dataclass(frozen=True)
class WeekStats:
    week: int
    first: date
    last: date
    planned: int
    practised: int
    done_as_planned: int
    extra: int
    minutes: float
    complete: bool  # the week is over

    @property
    def adherence(self) -> float:
        """Percent of planned days covered (0-100); 100 when nothing was planned."""
        return 100.0 if self.planned == 0 else 100.0 * min(self.practised, self.planned) / self.planned

    @property
    def frequency_ok(self) -> bool:
        return FREQUENCY_TARGET[0] <= self.practised <= FREQUENCY_TARGET[1]


def day_records(
    plan: Sequence[PlannedDay], practice: Mapping[date, PracticeDay], today: date
) -> list[DayRecord]:
    """Each planned day with what was done and its status as seen on ``today`` (later practice is ignored)."""
    out = []
    for day in plan:
        done = practice.get(day.date, PracticeDay()) if day.date <= today else PracticeDay()
        if day.date > today:
            status = "future" if day.routine_id else "rest"
        elif done.practised:
            status = "done" if day.routine_id else "extra"
        elif day.routine_id is None:
            status = "rest"
        else:
            status = "today" if day.date == today else "missed"
        out.append(DayRecord(day.date, day.week, day.routine_id, day.planned_minutes, done, status))
    return out


def week_stats(records: Sequence[DayRecord], today: date) -> list[WeekStats]:
    """Stats for every programme week that has started by ``today``.

    In the current week only days up to yesterday, and today once practised, count as planned.
    """
    weeks: dict[int, list[DayRecord]] = {}
    for record in records:
        weeks.setdefault(record.week, []).append(record)
    out = []
    for week, days in sorted(weeks.items()):
        if days[0].date > today:
            break
        counted = [d for d in days if d.date < today or (d.date == today and d.practice.practised)]
        out.append(WeekStats(
            week=week, first=days[0].date, last=days[-1].date,
            planned=sum(1 for d in counted if d.planned),
            practised=sum(1 for d in counted if d.practice.practised),
            done_as_planned=sum(1 for d in counted if d.status == "done"),
            extra=sum(1 for d in counted if d.status == "extra"),
            minutes=sum(d.practice.minutes for d in days if d.date <= today),
            complete=days[-1].date < today,
        ))
    return out


@dataclass(frozen=True)
class Streaks:
    current: int
    longest: int


def streaks(records: Sequence[DayRecord]) -> Streaks:
    """Current and longest run of practised days; rest days and a not-yet-done today keep the run."""
    current = longest = 0
    for record in records:
        if record.practice.practised:
            current += 1
            longest = max(longest, current)
        elif record.status == "missed":
            current = 0
    return Streaks(current, longest)


def overall_adherence(weeks: Sequence[WeekStats]) -> float | None:
    """Percent of all planned days so far that were covered (weeks pooled, each capped at its plan).

    None while no planned day has been due yet (the day of enrolling, a first rest day): nothing was
    asked, so neither 0% nor 100% is true.
    """
    planned = sum(w.planned for w in weeks)
    covered = sum(min(w.practised, w.planned) for w in weeks)
    return None if planned == 0 else 100.0 * covered / planned
