"""``start_practice``: the one check before any practice session, at every door.

It reads the profile's screening (clearance), unacknowledged safety stops, the consult-first
acknowledgement, the programme's volume and rest days and the stored calibration, and returns either
a :class:`PracticePlan` (the routine filtered for the clearance, with skipped or replaced steps and
their reasons, warnings, and the stored rest) or a :class:`Refusal` (why, and what to do).

Nothing here names a command or a web page: a refusal or warning carries an :class:`Action`, and each
door says how to do it (``facefit.cli._practice`` names its command, ``facefit.web.practice`` links
its page). That is how every door gives the same verdict in its own words.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from facefit.catalog.durations import duration_note, resolve_routine, routine_seconds
from facefit.catalog.loader import Catalog, load_catalog
from facefit.catalog.models import Routine
from facefit.habits.adherence import PracticeDay
from facefit.habits.service import current_enrolment, enrolment_plan, practice_by_day
from facefit.routine.blocks import SessionPlan, blocks_for, session_plan, target_error
from facefit.safety.routine_filter import SkippedStep, exclusion_reason, filter_routine, replacement_for
from facefit.safety.screening import Clearance
from facefit.safety.service import as_utc, safety_status
from facefit.safety.stops import SafetyRecord
from facefit.safety.volume import volume_warnings
from facefit.store.base import utcnow
from facefit.store.calibration import load_calibration


class Action(enum.StrEnum):
    """What the person can do about a refusal or warning; each door maps it to a command or a page."""

    SCREEN = "screen"
    """Answer the screening (again)."""
    CLINICIAN_CLEARANCE = "clinician-clearance"
    """Record that a clinician has cleared them to start (consult-first screening)."""
    ACKNOWLEDGE_STOP = "acknowledge-stop"
    """Read the advice after a pain, twitch or new-asymmetry stop and acknowledge it."""
    CHOOSE_ANOTHER = "choose-another"
    """Pick another exercise or routine: this one is ruled out by the screening."""
    FOLLOW_PLAN = "follow-plan"
    """Keep to the programme's volume and rest days."""


class RefusalReason(enum.StrEnum):
    SAFETY_STOP_PENDING = "safety-stop-pending"
    CONSULT_FIRST = "consult-first"
    RULED_OUT = "ruled-out"


@dataclass(frozen=True)
class Refusal:
    """Practice may not start. ``message`` says why and ``advice`` what to do, without a door's words;
    ``action`` is the door's link or command; ``pending`` the unacknowledged stops behind it."""

    reason: RefusalReason
    message: str
    advice: str
    action: Action
    pending: tuple[SafetyRecord, ...] = ()

    allowed = False

    @property
    def paused(self) -> bool:
        """All practice waits (a stop to acknowledge, a clinician's clearance); a ruled-out target
        refuses only itself. A door heads a paused refusal "Practice is paused"."""
        return self.reason is not RefusalReason.RULED_OUT

    def sentence(self) -> str:
        """Why, as one line for a door that has no heading: "practice is paused: ..." when paused."""
        return f"practice is paused: {self.message}" if self.paused else self.message

    def outline(self) -> dict[str, Any]:
        """The verdict in a few comparable fields (what every door must agree on)."""
        return {"allowed": False, "reason": str(self.reason), "action": str(self.action)}


@dataclass(frozen=True)
class PracticeWarning:
    """A reason for care that does not stop practice (no screening, re-screen due, rest day, caps)."""

    kind: str
    message: str
    action: Action


@dataclass(frozen=True)
class PracticePlan:
    """What may run: the session's blocks (the routine as filtered for the screening, or one exercise),
    the steps skipped or replaced with reasons, warnings, and the stored rest (None: not calibrated).
    ``routine`` is the routine as filtered (None for a single exercise)."""

    target: str
    session: SessionPlan
    routine: Routine | None
    skipped: tuple[SkippedStep, ...]
    warnings: tuple[PracticeWarning, ...]
    note: str
    clearance: Clearance | None = None
    rest: np.ndarray | None = field(default=None, compare=False, repr=False)

    allowed = True

    @property
    def exercise_id(self) -> str | None:
        return self.session.exercise_id

    @property
    def steps(self) -> list[Any]:
        """The resolved steps (catalog ``StepPlan``), one per step, in order."""
        return [b.step for b in self.session.blocks if b.set_index == 1]

    def step_lines(self) -> list[str]:
        """One sentence per skipped or replaced step."""
        return [item.describe() for item in self.skipped]

    def outline(self) -> dict[str, Any]:
        """The verdict in a few comparable fields (what every door must agree on)."""
        return {
            "allowed": True,
            "steps": [(s.exercise.id, s.sets, s.reps) for s in self.steps],
            "skipped": self.step_lines(),
            "warnings": [w.kind for w in self.warnings],
        }


Verdict = PracticePlan | Refusal


def start_practice(
    *, session: Session, profile_id: int, target: str, catalog: Catalog | None = None,
    now: datetime | None = None,
) -> Verdict:
    """The verdict for ``profile_id`` starting ``target`` (a routine or exercise id) now.

    Refuses while a pain, twitch or new-asymmetry stop is unacknowledged, while a consult-first
    screening has no clinician clearance, and for an exercise (or a routine every step of which) the
    screening rules out. An unknown or discouraged target raises ``CatalogError``: that is bad input,
    not a safety verdict. Reads only; nothing is written.
    """
    catalog = catalog or load_catalog()
    now = as_utc(now or utcnow())
    if target not in catalog.routines and target not in catalog.exercises:
        raise target_error(target, catalog)
    gate = practice_gate(session=session, profile_id=profile_id, now=now)
    if isinstance(gate, Refusal):
        return gate
    clearance, warnings = gate.clearance, list(gate.warnings)
    if target in catalog.routines:
        routine = catalog.routines[target]
        filtered = filter_routine(routine, catalog.exercises, clearance)
        if not filtered.steps:
            return Refusal(RefusalReason.RULED_OUT,
                           f"every step of {routine.name} is ruled out by your screening: "
                           + " ".join(s.reason for s in filtered.skipped),
                           "Choose another routine.", Action.CHOOSE_ANOTHER)
        runnable = routine.model_copy(update={"steps": filtered.steps})
        steps = resolve_routine(runnable, catalog)
        plan = SessionPlan(routine.id, None, routine.name, tuple(blocks_for(steps)))
        note = (f"adapted to your screening, takes {plan.total_s / 60:.1f} min" if filtered.skipped
                else duration_note(routine, catalog))
        minutes = routine_seconds(runnable, catalog) / 60
        routine, skipped = runnable, filtered.skipped
    else:
        exercise = catalog.exercises[target]
        reason = None if clearance is None else exclusion_reason(exercise, clearance.conditions)
        if reason is not None:
            assert clearance is not None
            instead = replacement_for(exercise, catalog.exercises, {exercise.id}, clearance.conditions)
            advice = "Choose another exercise" + (f", for example {instead.name}." if instead else ".")
            return Refusal(RefusalReason.RULED_OUT,
                           f"{exercise.name} is left out by your screening: {reason}", advice,
                           Action.CHOOSE_ANOTHER)
        plan = session_plan(target, catalog)
        routine, skipped = None, ()
        note = f"takes {plan.total_s / 60:.1f} min"
        minutes = plan.total_s / 60
    warnings += _volume(session=session, profile_id=profile_id, catalog=catalog,
                        today=now.astimezone().date(), next_min=minutes)
    calibration = load_calibration(session=session, profile_id=profile_id)
    return PracticePlan(target=target, session=plan, routine=routine, skipped=tuple(skipped),
                        warnings=tuple(warnings), note=note, clearance=clearance,
                        rest=None if calibration is None else calibration.rest)


@dataclass(frozen=True)
class Gate:
    """What :func:`practice_gate` lets through: the clearance and the screening warnings."""

    clearance: Clearance | None
    warnings: tuple[PracticeWarning, ...]


def practice_gate(*, session: Session, profile_id: int, now: datetime | None = None) -> Gate | Refusal:
    """The part of the verdict that does not depend on what is practised: unacknowledged stops and a
    consult-first screening refuse; no screening or a due re-screen warn. (A page that has not been
    told the exercise yet shows this; :func:`start_practice` starts with it.)"""
    status = safety_status(session=session, profile_id=profile_id, now=as_utc(now or utcnow()))
    if status.pending:
        return _pending_refusal(status.pending)
    clearance = status.clearance
    if clearance is not None and clearance.needs_acknowledgement:
        return Refusal(
            RefusalReason.CONSULT_FIRST,
            "your screening says consult a clinician first: " + " ".join(clearance.reasons),
            "Talk to a clinician; once they have cleared you to start, record their clearance.",
            Action.CLINICIAN_CLEARANCE,
        )
    return Gate(clearance, tuple(_screening_warnings(clearance, status.rescreen)))


def _pending_refusal(pending: list[SafetyRecord]) -> Refusal:
    latest = pending[-1]
    waiting = ("a safety stop is waiting for you to read its advice" if len(pending) == 1 else
               f"{len(pending)} safety stops are waiting for you to read their advice; the latest")
    return Refusal(
        RefusalReason.SAFETY_STOP_PENDING,
        f"{waiting}: {latest.describe()}.",
        f"{latest.what_to_do} When you are ready, acknowledge it to continue.",
        Action.ACKNOWLEDGE_STOP, tuple(pending),
    )


def _screening_warnings(clearance: Clearance | None, rescreen: str | None) -> list[PracticeWarning]:
    if clearance is None:
        return [PracticeWarning("not-screened", "you have not been screened, so exercises that are not safe "
                                "for you cannot be left out: answer the screening first.", Action.SCREEN)]
    if rescreen:
        return [PracticeWarning("rescreen", f"please screen again: {rescreen}", Action.SCREEN)]
    return []


def _volume(
    *, session: Session, profile_id: int, catalog: Catalog, today: date, next_min: float
) -> list[PracticeWarning]:
    """Rest-day and daily/weekly cap warnings from the programme the profile is enrolled in."""
    enrolment = current_enrolment(session=session, profile_id=profile_id)
    if enrolment is None:
        return []
    days = enrolment_plan(enrolment, catalog)
    planned = {d.date: d for d in days}
    if today not in planned:
        return []
    week = [d for d in days if d.week == planned[today].week]
    practice = practice_by_day(session=session, profile_id=profile_id, catalog=catalog)
    found = volume_warnings(
        planned_today=planned[today].routine_id is not None,
        day_cap_min=max((d.planned_minutes for d in week), default=0.0),
        week_cap_min=sum(d.planned_minutes for d in week),
        done_today_min=practice.get(today, PracticeDay()).minutes,
        done_week_min=sum(practice[d.date].minutes for d in week if d.date in practice),
        next_min=next_min,
    )
    return [PracticeWarning(w.kind, w.message, Action.FOLLOW_PLAN) for w in found]
