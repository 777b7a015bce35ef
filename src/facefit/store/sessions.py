"""Write and read practice sessions: start, one committed row per finished step/set, events, finish.

Callers commit after every call (``with store.transaction() as db: record_step(session=db, ...)``)
so a crash keeps everything already written; a session whose ``ended_at`` is NULL was interrupted.
Used by the routine player now and by the coaching stage (kind ``coach``) later.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, selectinload

from facefit.store.base import utcnow
from facefit.store.models import PracticeSession, SessionEvent, SessionStep

KINDS = ("routine", "coach")
DEMO_SOURCE = "demo"
"""``source`` of sessions ``facefit demo`` coaches on a synthetic clip: kept in history, never practice."""
END_STATUSES = ("completed", "stopped")


def start_session(
    *, session: Session, profile_id: int, kind: str = "routine", routine_id: str | None = None,
    exercise_id: str | None = None, source: str = "terminal",
) -> PracticeSession:
    """A new ``running`` session (flushed, so it has an id)."""
    row = PracticeSession(**_new_session(profile_id, kind, routine_id, exercise_id, source))
    session.add(row)
    session.flush()
    return row


def start_sessions(*, session: Session, infos: list[dict[str, Any]]) -> list[int]:
    """Many new ``running`` sessions, as :func:`start_session` makes each (``infos``: its keyword
    arguments), by one multi-row INSERT with one start time; their ids in the order given. For the live
    server, whose streams may start by the hundred in one second (web/live/writer.py)."""
    if not infos:
        return []
    now = utcnow()
    rows = [{**_new_session(**info), "started_at": now, "ended_at": None, "stop_reason": None}
            for info in infos]
    table = PracticeSession.__table__
    return list(session.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows))


def _new_session(profile_id: int, kind: str = "routine", routine_id: str | None = None,
                 exercise_id: str | None = None, source: str = "terminal") -> dict[str, Any]:
    """A new session row's values (checked), the same for one session and for many."""
    if kind not in KINDS:
        raise ValueError(f"session kind must be one of {KINDS}, got {kind!r}")
    return {"profile_id": profile_id, "kind": kind, "routine_id": routine_id, "exercise_id": exercise_id,
            "source": source[:200], "status": "running", "summary": {}}


def record_step(
    *, session: Session, session_id: int, position: int, exercise_id: str, set_index: int = 1,
    reps_target: int | None = None, reps_done: int | None = None, hold_s: float | None = None,
    duration_s: float = 0.0, skipped: bool = False, note: str | None = None,
) -> SessionStep:
    """One finished (or skipped) step/set of session ``session_id``."""
    if duration_s < 0 or (reps_done is not None and reps_done < 0):
        raise ValueError("duration_s and reps_done must not be negative")
    row = SessionStep(session_id=session_id, position=position, exercise_id=exercise_id, set_index=set_index,
                      reps_target=reps_target, reps_done=reps_done, hold_s=hold_s, duration_s=duration_s,
                      skipped=skipped, note=note, completed_at=utcnow())
    session.add(row)
    session.flush()
    return row


def record_event(
    *, session: Session, session_id: int, kind: str, t_s: float = 0.0, payload: dict[str, Any] | None = None,
) -> SessionEvent:
    """An event (``rep``, ``hold``, ``fault``, ``safety``, ``progress``...) with the numbers behind it."""
    row = SessionEvent(session_id=session_id, kind=kind, t_s=t_s, payload=dict(payload or {}))
    session.add(row)
    session.flush()
    return row


def finish_session(
    *, session: Session, session_id: int, status: str, stop_reason: str | None = None,
    summary: dict[str, Any] | None = None,
) -> PracticeSession:
    """Close session ``session_id`` as ``completed`` or ``stopped`` (with the reason)."""
    if status not in END_STATUSES:
        raise ValueError(f"a session ends as one of {END_STATUSES}, got {status!r}")
    row = session.get(PracticeSession, session_id)
    if row is None:
        raise LookupError(f"no session with id {session_id}")
    row.status = status
    row.stop_reason = stop_reason
    row.ended_at = utcnow()
    if summary is not None:
        row.summary = dict(summary)
    session.flush()
    return row


def practice_seconds(row: PracticeSession) -> float:
    """Seconds of exercise in a session: time in its finished (not skipped) steps, by the routine clock.

    The one definition of "minutes practised" shared by history, adherence and reports.
    """
    return sum(s.duration_s for s in row.steps if not s.skipped)


def finished_sets(row: PracticeSession) -> Counter[str]:
    """Sets done in a session, per exercise: step rows not skipped and, where reps were counted, with at
    least one (a coached set that timed out with nothing seen is not a set done).

    The one definition of "a set done" that decides whether a day's routine was practised
    (``facefit.habits.service.practice_by_day``), whichever door wrote the rows.
    """
    return Counter(s.exercise_id for s in row.steps if not s.skipped and s.reps_done != 0)


def get_session(*, session: Session, session_id: int) -> PracticeSession | None:
    """The session with its steps and events loaded, or None."""
    return session.scalar(
        select(PracticeSession).where(PracticeSession.id == session_id)
        .options(selectinload(PracticeSession.steps), selectinload(PracticeSession.events))
    )


@dataclass(frozen=True)
class SessionSummary:
    """One line of history. ``status`` is ``interrupted`` when the session never ended."""

    id: int
    kind: str
    routine_id: str | None
    exercise_id: str | None
    source: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    stop_reason: str | None
    steps_done: int
    steps_skipped: int
    practice_s: float

    @property
    def minutes(self) -> float:
        """Minutes of exercise done (time in finished steps; the routine clock, not the wall clock)."""
        return self.practice_s / 60

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "kind": self.kind, "routine_id": self.routine_id, "exercise_id": self.exercise_id,
            "source": self.source, "started_at": self.started_at.isoformat(),
            "ended_at": self.ended_at.isoformat() if self.ended_at else None, "status": self.status,
            "stop_reason": self.stop_reason, "steps_done": self.steps_done,
            "steps_skipped": self.steps_skipped, "minutes": round(self.minutes, 2),
        }


def list_sessions(
    *, session: Session, profile_id: int | None = None, limit: int | None = None
) -> list[SessionSummary]:
    """Sessions newest first with step counts and minutes (steps loaded in one extra query)."""
    query = select(PracticeSession).options(selectinload(PracticeSession.steps)).order_by(
        PracticeSession.started_at.desc(), PracticeSession.id.desc())
    if profile_id is not None:
        query = query.where(PracticeSession.profile_id == profile_id)
    if limit is not None:
        query = query.limit(limit)
    out: list[SessionSummary] = []
    for row in session.scalars(query):
        done_steps = [s for s in row.steps if not s.skipped]
        out.append(SessionSummary(
            id=row.id, kind=row.kind, routine_id=row.routine_id, exercise_id=row.exercise_id,
            source=row.source,
            started_at=row.started_at, ended_at=row.ended_at,
            status="interrupted" if row.ended_at is None else row.status, stop_reason=row.stop_reason,
            steps_done=len(done_steps), steps_skipped=len(row.steps) - len(done_steps),
            practice_s=practice_seconds(row),
        ))
    return out
