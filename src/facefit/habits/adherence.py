"""Planned versus done, day by day: adherence per week, streaks, minutes and weekly frequency.

Pure functions over the programme plan (``facefit.catalog.schedule.plan``) and what the store says
was practised, so the numbers can be checked by hand on a made-up history. Definitions:

- A planned day is *practised* when its routine was done: every step of the routine that counts reps
  (as filtered for the person's screening) has all its sets done that day, in any sessions at any door
  (one terminal routine, or the browser's one session per exercise, or ``facefit coach`` exercise by
  exercise). One exercise of a longer routine is practice (minutes, reps, volume) but not the day.
  A day on which a safety rule (pain, twitching...) stopped a session also counts: stopping when told
  to is following the programme, not skipping it. A rest day counts as practised anyway when some
  routine was done in full (or stopped for safety).
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
    """What the store holds for one calendar day. ``routines_done``: the routines every counted step of
    which had all its sets done that day (:func:`routines_covered`)."""

    sessions: int = 0
    completed: int = 0
    minutes: float = 0.0
    reps: int = 0
    stopped: int = 0
    safety_stopped: int = 0
    routines_done: frozenset[str] = frozenset()

    def covers(self, routine_id: str | None) -> bool:
        """This day's practice counts for a day planned with ``routine_id`` (None: a rest day, where
        any routine done in full counts); a safety stop always counts."""
        if self.safety_stopped > 0:
            return True
        return bool(self.routines_done) if routine_id is None else routine_id in self.routines_done

    @property
    def practised(self) -> bool:
        """Some routine was done in full, or a safety rule stopped a session."""
        return self.covers(None)


def routines_covered(
    sets_done: Mapping[str, int], requirements: Mapping[str, Mapping[str, int]]
) -> frozenset[str]:
    """The routines whose required sets (exercise id -> sets) are all among ``sets_done`` (exercise id ->
    sets done that day). A routine with no required set (nothing counted) is never covered by chance."""
    return frozenset(routine_id for routine_id, need in requirements.items()
                     if need and all(sets_done.get(exercise, 0) >= sets for exercise, sets in need.items()))


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

    @property
    def practised(self) -> bool:
        """The day counts: its planned routine done (see the module docstring), or a rest day practised."""
        return self.practice.covers(self.routine_id)


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
        elif done.covers(day.routine_id):
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
        counted = [d for d in days if d.date < today or (d.date == today and d.practised)]
        out.append(WeekStats(
            week=week, first=days[0].date, last=days[-1].date,
            planned=sum(1 for d in counted if d.planned),
            practised=sum(1 for d in counted if d.practised),
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
        if record.practised:
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
