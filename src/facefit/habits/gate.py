"""The check before practice: what the routine player and the web app call to start a session.

:func:`prepare_routine` refuses (``SafetyBlockError``) while a safety event is unacknowledged or a
consult-first screening has not been acknowledged, filters the routine for the clearance (kept steps,
skipped or replaced steps with reasons) and adds warnings: no screening yet, re-screen due, a rest
day, or the programme's daily/weekly volume exceeded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.orm import Session

from facefit.catalog.durations import duration_note, resolve_routine, routine_seconds
from facefit.catalog.loader import Catalog, load_catalog
from facefit.catalog.models import Routine
from facefit.habits.adherence import PracticeDay
from facefit.habits.service import current_enrolment, enrolment_plan, practice_by_day
from facefit.routine.blocks import SessionPlan, blocks_for, session_plan, target_error
from facefit.safety.errors import SafetyBlockError
from facefit.safety.routine_filter import FilteredRoutine, exclusion_reason, filter_routine
from facefit.safety.service import as_utc, require_no_pending_blocks, safety_status
from facefit.safety.volume import volume_warnings
from facefit.store.base import utcnow


@dataclass(frozen=True)
class PreparedSession:
    """What may run: the filtered routine (or the single exercise), why steps changed, and warnings."""

    target: str
    routine: Routine | None
    filtered: FilteredRoutine | None
    warnings: list[str] = field(default_factory=list)

    @property
    def messages(self) -> list[str]:
        return [] if self.filtered is None else self.filtered.messages()


def prepare_routine(
    *, session: Session, profile_id: int, target: str, catalog: Catalog | None = None,
    now: datetime | None = None,
) -> PreparedSession:
    """Check safety and filter ``target`` (a routine or exercise id) for this profile, or raise."""
    catalog = catalog or load_catalog()
    now = as_utc(now or utcnow())
    require_no_pending_blocks(session=session, profile_id=profile_id)
    status = safety_status(session=session, profile_id=profile_id, now=now)
    clearance = status.clearance
    warnings: list[str] = []
    if clearance is None:
        warnings.append("you have not been screened: run `facefit screen` so exercises that are not safe "
                        "for you are left out.")
    elif status.rescreen:
        warnings.append(f"please screen again: {status.rescreen}")
    if clearance is not None and clearance.needs_acknowledgement:
        raise SafetyBlockError(
            "your screening says consult a clinician first (" + " ".join(clearance.reasons) + ") Once a "
            "clinician has cleared you, run `facefit ack --clinician-cleared`.")
    if target in catalog.routines:
        routine = catalog.routines[target]
        filtered = filter_routine(routine, catalog.exercises, clearance)
        if not filtered.steps:
            raise SafetyBlockError(f"every step of {routine.name} is ruled out by your screening: "
                                   + " ".join(s.reason for s in filtered.skipped))
        runnable = routine.model_copy(update={"steps": filtered.steps})
        minutes = routine_seconds(runnable, catalog) / 60
        warnings += _volume(session=session, profile_id=profile_id, catalog=catalog,
                            today=now.astimezone().date(), next_min=minutes)
        return PreparedSession(target, runnable, filtered, warnings)
    if target not in catalog.exercises:
        raise target_error(target, catalog)
    exercise = catalog.exercises[target]
    if clearance is not None:
        reason = exclusion_reason(exercise, clearance.conditions)
        if reason is not None:
            raise SafetyBlockError(f"{exercise.name} is left out by your screening: {reason}")
    return PreparedSession(target, None, None, warnings)


def _volume(
    *, session: Session, profile_id: int, catalog: Catalog, today: date, next_min: float
) -> list[str]:
    enrolment = current_enrolment(session=session, profile_id=profile_id)
    if enrolment is None:
        return []
    days = enrolment_plan(enrolment, catalog)
    planned = {d.date: d for d in days}
    if today not in planned:
        return []
    week = [d for d in days if d.week == planned[today].week]
    practice = practice_by_day(session=session, profile_id=profile_id)
    day_cap = max((d.planned_minutes for d in week), default=0.0)
    found = volume_warnings(
        planned_today=planned[today].routine_id is not None, day_cap_min=day_cap,
        week_cap_min=sum(d.planned_minutes for d in week),
        done_today_min=practice.get(today, PracticeDay()).minutes,
        done_week_min=sum(practice[d.date].minutes for d in week if d.date in practice),
        next_min=next_min,
    )
    return [w.message for w in found]



@dataclass(frozen=True)
class CheckedPlan:
    """The routine player's session plan after the safety check, with the lines to show first."""

    plan: SessionPlan
    note: str
    lines: list[str]


def checked_session_plan(
    *, session: Session, profile_id: int, target: str, catalog: Catalog | None = None,
    now: datetime | None = None,
) -> CheckedPlan:
    """:func:`prepare_routine` turned into the player's ``SessionPlan`` (raises SafetyBlockError)."""
    catalog = catalog or load_catalog()
    prepared = prepare_routine(session=session, profile_id=profile_id, target=target, catalog=catalog,
                               now=now)
    lines = [f"screening: {m}" for m in prepared.messages] + [f"warning: {w}" for w in prepared.warnings]
    if prepared.routine is None:
        plan = session_plan(target, catalog)
        return CheckedPlan(plan, f"takes {plan.total_s / 60:.1f} min", lines)
    routine = prepared.routine
    plan = SessionPlan(routine.id, None, routine.name, tuple(blocks_for(resolve_routine(routine, catalog))))
    note = duration_note(routine, catalog)
    if prepared.filtered and prepared.filtered.skipped:
        note = f"adapted to your screening, takes {plan.total_s / 60:.1f} min"
    return CheckedPlan(plan, note, lines)
