"""The safety stage's store edge: record screenings, read the clearance, collect and acknowledge events.

Everything here is a thin wrapper that turns rows into the pure values of ``screening`` and
``stops`` (and back). Callers pass the session from ``store.transaction()``; nothing commits here.
Stored datetimes come back naive from SQLite, so they are normalised to UTC on the way out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from facefit.errors import NextStep
from facefit.safety.conditions import Level
from facefit.safety.errors import SafetyBlockError
from facefit.safety.screening import Clearance, evaluate, rescreen_reason
from facefit.safety.stops import SafetyRecord, pending_blocks
from facefit.store import safety_habits as db
from facefit.store.base import utcnow


def as_utc(moment: datetime) -> datetime:
    """Aware UTC datetime for a caller-supplied moment (a naive one is taken as UTC). Values read from
    the store are already aware UTC (``store.base.UTCDateTime``)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _clearance(row: db.Screening) -> Clearance:
    return evaluate(
        {c: True for c in row.conditions}, screened_at=row.created_at,
        consult_acknowledged=row.consult_acknowledged_at is not None,
    )


def record_screening(
    *, session: Session, profile_id: int, answers: dict[str, bool], now: datetime | None = None
) -> Clearance:
    """Store validated answers with their clearance and date; returns the clearance."""
    when = as_utc(now or utcnow())
    clearance = evaluate(answers, screened_at=when)
    db.add_screening(session=session, profile_id=profile_id, answers=dict(answers),
                     conditions=list(clearance.conditions), clearance=clearance.level.value, created_at=when)
    return clearance


def current_clearance(*, session: Session, profile_id: int) -> Clearance | None:
    """The clearance of the latest screening, or None if the profile never screened."""
    row = db.latest_screening(session=session, profile_id=profile_id)
    return None if row is None else _clearance(row)


def clearance_history(*, session: Session, profile_id: int) -> list[tuple[datetime, Clearance]]:
    """Every screening's clearance with when it was taken, oldest first: a past day is judged with the
    screening in effect then, not with a later one."""
    return [(as_utc(row.created_at), _clearance(row))
            for row in db.list_screenings(session=session, profile_id=profile_id)]


def acknowledge_consult(
    *, session: Session, profile_id: int, note: str | None = None, now: datetime | None = None
) -> Clearance:
    """Record that a clinician cleared the user to start despite a consult-first screening."""
    row = db.latest_screening(session=session, profile_id=profile_id)
    if row is None:
        raise SafetyBlockError("There is no screening to acknowledge yet.", step=NextStep.SCREEN)
    if row.clearance != Level.CONSULT_FIRST.value:
        raise SafetyBlockError(f"Your latest screening is {row.clearance}, not consult-first: nothing to "
                               "acknowledge.")
    row.consult_acknowledged_at = as_utc(now or utcnow())
    row.consult_note = note
    session.flush()
    return _clearance(row)


def safety_events(*, session: Session, profile_id: int) -> list[SafetyRecord]:
    """Safety events from practice sessions and safety flags, oldest first."""
    events = []
    for event, practice in db.list_session_safety_events(session=session, profile_id=profile_id):
        payload = dict(event.payload or {})
        events.append(SafetyRecord(
            at=event.created_at, kind=str(payload.get("kind", "unknown")),
            source=f"{practice.kind} session {practice.id}", detail=payload, session_id=practice.id,
        ))
    for flag in db.list_safety_flags(session=session, profile_id=profile_id):
        events.append(SafetyRecord(at=flag.created_at, kind=flag.kind, source=flag.source,
                                  detail=dict(flag.detail or {})))
    return sorted(events, key=lambda e: e.at)


def report_safety_flag(
    *, session: Session, profile_id: int, kind: str, source: str, detail: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> SafetyRecord:
    """Record a safety signal raised outside a session (photos: new asymmetry; web: pain report)."""
    row = db.add_safety_flag(session=session, profile_id=profile_id, kind=kind, source=source,
                             detail=detail, created_at=as_utc(now or utcnow()))
    return SafetyRecord(at=row.created_at, kind=kind, source=source, detail=dict(row.detail))


def pending_safety_blocks(*, session: Session, profile_id: int) -> list[SafetyRecord]:
    """Blocking safety events the user has not acknowledged yet."""
    ack = db.latest_safety_ack(session=session, profile_id=profile_id)
    return pending_blocks(safety_events(session=session, profile_id=profile_id),
                          None if ack is None else ack.created_at)


def acknowledge_safety(
    *, session: Session, profile_id: int, note: str | None = None, now: datetime | None = None
) -> list[SafetyRecord]:
    """Acknowledge every pending blocking event; returns them (empty list: nothing was pending)."""
    pending = pending_safety_blocks(session=session, profile_id=profile_id)
    if pending:
        when = max(as_utc(now or utcnow()), max(e.at for e in pending))
        db.add_safety_ack(session=session, profile_id=profile_id, note=note,
                          covered=[e.describe() for e in pending], created_at=when)
    return pending


@dataclass(frozen=True)
class SafetyStatus:
    """Everything a screen needs to show before practice: clearance, blocks, whether to re-screen."""

    clearance: Clearance | None
    pending: list[SafetyRecord]
    rescreen: str | None

    @property
    def can_start(self) -> bool:
        return not self.pending and not (self.clearance and self.clearance.needs_acknowledgement)


def safety_status(*, session: Session, profile_id: int, now: datetime | None = None) -> SafetyStatus:
    clearance = current_clearance(session=session, profile_id=profile_id)
    events = safety_events(session=session, profile_id=profile_id)
    reason = rescreen_reason(clearance, now=as_utc(now or utcnow()),
                             safety_event_times=[e.at for e in events if e.blocking])
    return SafetyStatus(clearance, pending_safety_blocks(session=session, profile_id=profile_id), reason)
