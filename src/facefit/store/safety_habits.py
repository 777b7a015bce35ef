"""Safety and habits tables: screenings, safety flags and acknowledgements, enrolments, lifestyle days.

Rows hold plain values (ids, dates, JSON answers) so the pure rules in ``facefit.safety`` and
``facefit.habits`` can be tested without a database; the functions here are the store edge they use.
Every function takes the caller's session and never commits: the caller's ``store.transaction()``
decides what is one unit of work.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from facefit.store.base import Base, utcnow
from facefit.store.models import PracticeSession, SessionEvent


class Screening(Base):
    """One completed health screening: the answers as given, the conditions they imply, the verdict."""

    __tablename__ = "screenings"
    __table_args__ = (Index("ix_screenings_profile_created", "profile_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    conditions: Mapped[list[Any]] = mapped_column(default=list)
    clearance: Mapped[str] = mapped_column(String(20))  # ok | modified | consult-first
    consult_acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    consult_note: Mapped[str | None] = mapped_column(Text, default=None)


class SafetyFlag(Base):
    """A safety signal raised outside a practice session (e.g. new asymmetry found in photos)."""

    __tablename__ = "safety_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(80))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)


class SafetyAck(Base):
    """The user read what to do after safety events and chose to go on; covers events up to ``created_at``."""

    __tablename__ = "safety_acks"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    covered: Mapped[list[Any]] = mapped_column(default=list)  # descriptions of the events acknowledged


class Enrolment(Base):
    """A programme the user follows from ``start_date`` on the chosen weekdays (0 = Monday)."""

    __tablename__ = "enrolments"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[str] = mapped_column(String(80))
    start_date: Mapped[date] = mapped_column(Date)
    weekdays: Mapped[list[Any]] = mapped_column(default=list)
    reminder_time: Mapped[str] = mapped_column(String(5), default="08:00")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    screening_id: Mapped[int | None] = mapped_column(ForeignKey("screenings.id", ondelete="SET NULL"))


class LifestyleDay(Base):
    """What the user logged for one calendar day; None means "not logged", never "no"."""

    __tablename__ = "lifestyle_days"
    __table_args__ = (UniqueConstraint("profile_id", "day", name="uq_lifestyle_days_profile_day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    spf: Mapped[bool | None] = mapped_column(default=None)
    sleep_h: Mapped[float | None] = mapped_column(default=None)
    water_l: Mapped[float | None] = mapped_column(default=None)
    calcium_mg: Mapped[float | None] = mapped_column(default=None)
    vitamin_d_iu: Mapped[float | None] = mapped_column(default=None)
    smoking: Mapped[bool | None] = mapped_column(default=None)
    moisturiser: Mapped[bool | None] = mapped_column(default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


LIFESTYLE_FIELDS: tuple[str, ...] = (
    "spf", "sleep_h", "water_l", "calcium_mg", "vitamin_d_iu", "smoking", "moisturiser",
)


_Row = TypeVar("_Row", Screening, SafetyFlag, SafetyAck)


def _insert(session: Session, row: _Row, created_at: datetime | None) -> _Row:
    """Add ``row`` and flush so it has an id; ``created_at`` back-dates it (history replays, imports)."""
    if created_at is not None:
        row.created_at = created_at
    session.add(row)
    session.flush()
    return row


# --- screenings -------------------------------------------------------------------------------------


def add_screening(
    *, session: Session, profile_id: int, answers: dict[str, Any], conditions: list[str], clearance: str,
    created_at: datetime | None = None,
) -> Screening:
    """Store a screening (flushed, so it has an id)."""
    row = Screening(profile_id=profile_id, answers=answers, conditions=list(conditions), clearance=clearance)
    return _insert(session, row, created_at)


def latest_screening(*, session: Session, profile_id: int) -> Screening | None:
    """The most recent screening of the profile, or None if it never screened."""
    return session.scalar(
        select(Screening).where(Screening.profile_id == profile_id)
        .order_by(Screening.created_at.desc(), Screening.id.desc()).limit(1)
    )


def list_screenings(*, session: Session, profile_id: int) -> list[Screening]:
    return list(session.scalars(
        select(Screening).where(Screening.profile_id == profile_id)
        .order_by(Screening.created_at, Screening.id)
    ))


# --- safety events, flags and acknowledgements ------------------------------------------------------


def add_safety_flag(
    *, session: Session, profile_id: int, kind: str, source: str, detail: dict[str, Any] | None = None,
    created_at: datetime | None = None,
) -> SafetyFlag:
    row = SafetyFlag(profile_id=profile_id, kind=kind, source=source, detail=dict(detail or {}))
    return _insert(session, row, created_at)


def list_safety_flags(*, session: Session, profile_id: int) -> list[SafetyFlag]:
    return list(session.scalars(
        select(SafetyFlag).where(SafetyFlag.profile_id == profile_id).order_by(SafetyFlag.created_at)
    ))


def list_session_safety_events(
    *, session: Session, profile_id: int
) -> list[tuple[SessionEvent, PracticeSession]]:
    """Every ``safety`` event recorded during the profile's practice sessions, oldest first."""
    rows = session.execute(
        select(SessionEvent, PracticeSession)
        .join(PracticeSession, SessionEvent.session_id == PracticeSession.id)
        .where(PracticeSession.profile_id == profile_id, SessionEvent.kind == "safety")
        .order_by(SessionEvent.created_at, SessionEvent.id)
    )
    return [(event, practice) for event, practice in rows]


def add_safety_ack(
    *, session: Session, profile_id: int, note: str | None, covered: list[str],
    created_at: datetime | None = None,
) -> SafetyAck:
    row = SafetyAck(profile_id=profile_id, note=note, covered=list(covered))
    return _insert(session, row, created_at)


def latest_safety_ack(*, session: Session, profile_id: int) -> SafetyAck | None:
    return session.scalar(
        select(SafetyAck).where(SafetyAck.profile_id == profile_id)
        .order_by(SafetyAck.created_at.desc(), SafetyAck.id.desc()).limit(1)
    )


# --- enrolments -------------------------------------------------------------------------------------


def add_enrolment(
    *, session: Session, profile_id: int, programme_id: str, start_date: date, weekdays: list[int],
    reminder_time: str = "08:00", screening_id: int | None = None, created_at: datetime | None = None,
) -> Enrolment:
    """Enrol the profile, ending any enrolment still active (one programme at a time)."""
    now = created_at or utcnow()
    for old in session.scalars(
        select(Enrolment).where(Enrolment.profile_id == profile_id, Enrolment.ended_at.is_(None))
    ):
        old.ended_at = now
    row = Enrolment(
        profile_id=profile_id, programme_id=programme_id, start_date=start_date, weekdays=sorted(weekdays),
        reminder_time=reminder_time, screening_id=screening_id, created_at=now,
    )
    session.add(row)
    session.flush()
    return row


def active_enrolment(*, session: Session, profile_id: int) -> Enrolment | None:
    return session.scalar(
        select(Enrolment).where(Enrolment.profile_id == profile_id, Enrolment.ended_at.is_(None))
        .order_by(Enrolment.created_at.desc(), Enrolment.id.desc()).limit(1)
    )


# --- practice sessions (read-only view for habits and reports) --------------------------------------


def list_practice_sessions(
    *, session: Session, profile_id: int, since: datetime | None = None, until: datetime | None = None
) -> list[PracticeSession]:
    """The profile's practice sessions (steps and events load lazily), oldest first."""
    query = select(PracticeSession).where(PracticeSession.profile_id == profile_id)
    if since is not None:
        query = query.where(PracticeSession.started_at >= since)
    if until is not None:
        query = query.where(PracticeSession.started_at < until)
    return list(session.scalars(query.order_by(PracticeSession.started_at, PracticeSession.id)))


# --- lifestyle --------------------------------------------------------------------------------------


def upsert_lifestyle_day(
    *, session: Session, profile_id: int, day: date, values: dict[str, Any]
) -> LifestyleDay:
    """Merge ``values`` (already validated) into the day's row; fields not given keep what was logged.

    One INSERT .. ON CONFLICT DO UPDATE on SQLite and PostgreSQL, so two processes logging the same new
    day at once both land in the one row (a read-then-insert would fail one of them on the unique day).
    """
    unknown = set(values) - set(LIFESTYLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown lifestyle fields: {', '.join(sorted(unknown))}")
    found = select(LifestyleDay).where(LifestyleDay.profile_id == profile_id, LifestyleDay.day == day)
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        now = utcnow()
        session.execute(
            insert(LifestyleDay).values(profile_id=profile_id, day=day, updated_at=now, **values)
            .on_conflict_do_update(index_elements=["profile_id", "day"], set_={**values, "updated_at": now})
        )
        row = session.scalar(found.execution_options(populate_existing=True))
        assert row is not None
        return row
    row = session.scalar(found)
    if row is None:
        row = LifestyleDay(profile_id=profile_id, day=day)
        session.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    session.flush()
    return row


def list_lifestyle_days(
    *, session: Session, profile_id: int, first: date | None = None, last: date | None = None
) -> list[LifestyleDay]:
    query = select(LifestyleDay).where(LifestyleDay.profile_id == profile_id)
    if first is not None:
        query = query.where(LifestyleDay.day >= first)
    if last is not None:
        query = query.where(LifestyleDay.day <= last)
    return list(session.scalars(query.order_by(LifestyleDay.day)))
