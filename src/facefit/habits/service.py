"""The habits stage's store edge: enrolment, the plan with what was done, lifestyle logging.

Done means sessions in the store (the routine player and the coach write them); nothing here keeps
a second count. Dates are the user's local calendar days. A day's routine is done when the sets done
that day cover it (:func:`routine_requirements`, ``facefit.habits.adherence``), whichever doors the
sets came from.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from facefit.catalog.durations import resolve_routine
from facefit.catalog.loader import Catalog, load_catalog
from facefit.catalog.schedule import PlannedDay, plan
from facefit.errors import FaceFitError, InputError, NextStep
from facefit.habits.adherence import DayRecord, PracticeDay, day_records, routines_covered
from facefit.habits.ics import parse_clock
from facefit.habits.lifestyle import LifestyleInputError, validate
from facefit.safety.conditions import Level
from facefit.safety.errors import NotScreenedError, SafetyBlockError
from facefit.safety.routine_filter import filter_routine
from facefit.safety.screening import Clearance
from facefit.safety.service import acknowledge_consult, as_utc, clearance_history, current_clearance
from facefit.store import safety_habits as db
from facefit.store.models import PracticeSession
from facefit.store.sessions import DEMO_SOURCE, KINDS, finished_sets, practice_seconds

MAX_DAYS_FROM_TODAY = timedelta(days=366)
"""How far from today a programme may start or a lifestyle day be logged: further is a typo, and once
stored such a day would stretch every plan, calendar and "all" report to span it."""


class NotEnrolledError(FaceFitError):
    """An action needs an active programme enrolment."""


def local_date(moment: datetime) -> date:
    """The user's calendar day of a stored (UTC) moment."""
    return as_utc(moment).astimezone().date()


@dataclass(frozen=True)
class EnrolmentView:
    id: int
    programme_id: str
    start_date: date
    weekdays: tuple[int, ...]
    reminder_time: str


def enrol(
    *, session: Session, profile_id: int, programme_id: str, start: date,
    weekdays: Iterable[int] | None = None, reminder_time: str = "08:00", consult_acknowledged: bool = False,
    catalog: Catalog | None = None, today: date | None = None,
) -> EnrolmentView:
    """Enrol in a programme; needs a screening, and a consult-first screening needs the acknowledgement.

    ``consult_acknowledged`` is the explicit statement that a clinician has cleared the user; it is
    stored on the screening so the routine player honours it too. Every value is checked before
    anything is written; ``start`` must lie within :data:`MAX_DAYS_FROM_TODAY` of ``today``.
    """
    catalog = catalog or load_catalog()
    programme = catalog.programme(programme_id)
    days = sorted(set(range(7) if weekdays is None else weekdays))
    if not days or not set(days) <= set(range(7)):
        raise InputError(f"The weekdays must be a non-empty subset of 0..6 (0 = Monday), got {days}.")
    today = today or date.today()
    if abs(start - today) > MAX_DAYS_FROM_TODAY:
        raise InputError(f"The start date {start} is more than {MAX_DAYS_FROM_TODAY.days} days from today "
                         f"({today}); a programme starts within a year either way.")
    try:
        parse_clock(reminder_time)
    except ValueError as error:
        raise InputError(str(error)) from None
    clearance = current_clearance(session=session, profile_id=profile_id)
    if clearance is None:
        raise NotScreenedError("A programme needs the health screening answered first.", step=NextStep.SCREEN)
    if clearance.level is Level.CONSULT_FIRST and not clearance.consult_acknowledged:
        if not consult_acknowledged:
            raise SafetyBlockError("Your screening says to consult a clinician first.",
                                   step=NextStep.ENROL_CLEARED)
        acknowledge_consult(session=session, profile_id=profile_id, note="acknowledged at enrolment")
    screening = db.latest_screening(session=session, profile_id=profile_id)
    row = db.add_enrolment(session=session, profile_id=profile_id, programme_id=programme.id,
                           start_date=start, weekdays=days, reminder_time=reminder_time,
                           screening_id=None if screening is None else screening.id)
    return _view(row)


def _view(row: db.Enrolment) -> EnrolmentView:
    return EnrolmentView(row.id, row.programme_id, row.start_date, tuple(int(d) for d in row.weekdays),
                         row.reminder_time)


def current_enrolment(*, session: Session, profile_id: int) -> EnrolmentView | None:
    row = db.active_enrolment(session=session, profile_id=profile_id)
    return None if row is None else _view(row)


def require_enrolment(*, session: Session, profile_id: int) -> EnrolmentView:
    view = current_enrolment(session=session, profile_id=profile_id)
    if view is None:
        raise NotEnrolledError("You are not enrolled in a programme.", step=NextStep.ENROL)
    return view


def enrolment_plan(enrolment: EnrolmentView, catalog: Catalog | None = None) -> list[PlannedDay]:
    weekdays = None if len(enrolment.weekdays) == 7 else enrolment.weekdays
    return plan(enrolment.programme_id, enrolment.start_date, weekdays, catalog=catalog)


def routine_requirements(catalog: Catalog, clearance: Clearance | None) -> dict[str, dict[str, int]]:
    """For each routine, the sets that make it done: exercise id -> sets, over the steps that count reps,
    of the routine as filtered for ``clearance`` (what ``start_practice`` lets the person run).

    Timed steps (skin prep, massage, tapping) are not required: the browser guides them with a timer
    and records nothing, so requiring them would make a day done at one door and never at another.
    """
    out: dict[str, dict[str, int]] = {}
    for routine in catalog.routines.values():
        steps = filter_routine(routine, catalog.exercises, clearance).steps
        kept = routine.model_copy(update={"steps": steps})
        need: dict[str, int] = {}
        for step in resolve_routine(kept, catalog):
            if step.reps is not None:
                need[step.exercise.id] = need.get(step.exercise.id, 0) + step.sets
        out[routine.id] = need
    return out


def practice_by_day(
    *, session: Session, profile_id: int, kinds: tuple[str, ...] = KINDS, catalog: Catalog | None = None
) -> dict[date, PracticeDay]:
    """Per local day: sessions, completed sessions, minutes of exercise, reps, and the routines done.

    Camera-coached sessions count like routines (in the browser each exercise of a routine is its own
    session, and their minutes are facial work for the overtraining caps); ``facefit demo`` sessions, a
    synthetic face exercising, do not. A routine is done on a day when the sets done that day
    (``store.sessions.finished_sets``, summed over the day's sessions) cover
    :func:`routine_requirements` for the screening in effect that day.
    """
    out: dict[date, PracticeDay] = {}
    sets: dict[date, Counter[str]] = {}
    for row in db.list_practice_sessions(session=session, profile_id=profile_id):
        if row.kind not in kinds or row.source == DEMO_SOURCE:
            continue
        day = local_date(row.started_at)
        old = out.get(day, PracticeDay())
        out[day] = PracticeDay(
            sessions=old.sessions + 1,
            completed=old.completed + (row.status == "completed" and row.ended_at is not None),
            minutes=old.minutes + session_minutes(row),
            reps=old.reps + sum(s.reps_done or 0 for s in row.steps if not s.skipped),
            stopped=old.stopped + (row.status == "stopped"),
            safety_stopped=old.safety_stopped + (
                row.status == "stopped" and any(e.kind == "safety" for e in row.events)),
        )
        sets.setdefault(day, Counter()).update(finished_sets(row))
    if not out:
        return out
    need = _requirements_by_day(session=session, profile_id=profile_id, catalog=catalog or load_catalog())
    return {day: replace(practice, routines_done=routines_covered(sets[day], need(day)))
            for day, practice in out.items()}


def _requirements_by_day(
    *, session: Session, profile_id: int, catalog: Catalog
) -> Callable[[date], dict[str, dict[str, int]]]:
    """What made a routine done on a day: the routines as filtered for the screening in effect at the
    end of that day (the latest taken on or before it; the first one for a day before any). A new
    screening changes what counts from its day on, so it never rewrites a streak already earned or
    turns a day missed under the old rules into a done one."""
    history = clearance_history(session=session, profile_id=profile_id)
    if not history:
        none = routine_requirements(catalog, None)
        return lambda _day: none
    days = [local_date(when) for when, _ in history]
    needs = [routine_requirements(catalog, clearance) for _, clearance in history]

    def need(day: date) -> dict[str, dict[str, int]]:
        return needs[max(0, bisect_right(days, day) - 1)]

    return need


def session_minutes(row: PracticeSession) -> float:
    """Minutes of exercise in a session: time in finished steps (the routine clock)."""
    return practice_seconds(row) / 60.0


def records(
    *, session: Session, profile_id: int, today: date, catalog: Catalog | None = None
) -> tuple[EnrolmentView, list[DayRecord]]:
    """The active enrolment and its day-by-day record as seen on ``today``."""
    enrolment = require_enrolment(session=session, profile_id=profile_id)
    return enrolment, day_records(enrolment_plan(enrolment, catalog),
                                  practice_by_day(session=session, profile_id=profile_id, catalog=catalog),
                                  today)


def log_lifestyle(
    *, session: Session, profile_id: int, day: date, raw: dict[str, Any], today: date | None = None
) -> dict[str, Any]:
    """Validate then store; a bad field, a future ``day`` or one more than :data:`MAX_DAYS_FROM_TODAY`
    before ``today`` raises :class:`LifestyleInputError` before anything is written."""
    today = today or date.today()
    if day > today:
        raise LifestyleInputError(f"The day {day} is in the future: log a day once it has happened.")
    if today - day > MAX_DAYS_FROM_TODAY:
        raise LifestyleInputError(f"The day {day} is more than {MAX_DAYS_FROM_TODAY.days} days ago: log "
                                  "recent days.")
    values = validate(raw)
    db.upsert_lifestyle_day(session=session, profile_id=profile_id, day=day, values=values)
    return values


def lifestyle_days(
    *, session: Session, profile_id: int, first: date | None = None, last: date | None = None
) -> dict[date, dict[str, Any]]:
    return {
        row.day: {name: getattr(row, name) for name in db.LIFESTYLE_FIELDS}
        for row in db.list_lifestyle_days(session=session, profile_id=profile_id, first=first, last=last)
    }
