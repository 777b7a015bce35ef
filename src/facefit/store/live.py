"""Live coaching state kept in the database (issue 18), so any server process can continue a session.

``LiveSession``: what a live session needs to resume at the next set on another process or host (the
finished sets themselves are ``session_steps`` rows). ``LiveConnection``: an open live connection, with
the server holding it and when its claim lapses unless renewed; counting a profile's unexpired rows is
the per-account live limit across processes. Keyword-only ``session=`` functions below; nothing commits.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, String, bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from facefit.store.base import Base, utcnow
from facefit.store.models import Profile


class LiveSession(Base):
    """A live session that can be resumed: plan, next set and the rest found live (removed at its end)."""

    __tablename__ = "live_sessions"

    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    exercise_id: Mapped[str] = mapped_column(String(80))
    plan: Mapped[dict[str, Any]]
    next_set: Mapped[int]
    rest: Mapped[list[Any] | None] = mapped_column(default=None)  # signal values, NaN as null
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class LiveConnection(Base):
    """An open live connection of a profile on one server process, valid until ``expires_at``."""

    __tablename__ = "live_connections"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    server: Mapped[str] = mapped_column(String(120), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


# --- resumable sessions -----------------------------------------------------------------------------


def save_live_session(*, session: Session, session_id: int, profile_id: int, exercise_id: str,
                      plan: dict[str, Any], next_set: int, rest: list[float | None] | None) -> LiveSession:
    """The resume state of a new live session (made with its session row)."""
    row = LiveSession(session_id=session_id, profile_id=profile_id, exercise_id=exercise_id, plan=plan,
                      next_set=next_set, rest=rest, updated_at=utcnow())
    session.add(row)
    session.flush()
    return row


def save_live_sessions(*, session: Session, states: list[dict[str, Any]]) -> None:
    """The resume states of many new live sessions (``states``: :func:`save_live_session`'s keyword
    arguments but ``session``), by one multi-row INSERT."""
    if states:
        now = utcnow()
        session.execute(insert(LiveSession.__table__), [{**state, "updated_at": now} for state in states])


def update_live_sessions(*, session: Session,
                         resume: dict[int, tuple[int, list[float | None] | None]]) -> None:
    """Sets finished (or rests were found): where each resumed session continues, ``session_id ->
    (next_set, rest)``, in one statement for all of them."""
    if resume:
        table = LiveSession.__table__
        session.execute(  # a Core executemany: a session without resume state (older) is simply skipped
            update(table).where(table.c.session_id == bindparam("id"))
            .values(next_set=bindparam("next"), rest=bindparam("rest"), updated_at=utcnow()),
            [{"id": session_id, "next": next_set, "rest": rest}
             for session_id, (next_set, rest) in resume.items()])


def get_live_session(*, session: Session, profile_id: int, session_id: int) -> LiveSession | None:
    """The caller's resumable session ``session_id`` (None when it is not theirs or not resumable)."""
    return session.scalar(select(LiveSession).where(LiveSession.session_id == session_id,
                                                    LiveSession.profile_id == profile_id))


def end_live_session(*, session: Session, session_id: int) -> None:
    """The session ended: it can no longer be resumed."""
    session.execute(delete(LiveSession).where(LiveSession.session_id == session_id))


# --- open connections ---------------------------------------------------------------------------------


def claim_live_connection(*, session: Session, profile_id: int, server: str, limit: int, now: datetime,
                          ttl_s: float) -> int | None:
    """Count a new live connection of ``profile_id`` held by ``server``; None when the profile already
    holds ``limit`` unexpired ones (on any server). Claims of one profile are serialised by a row lock
    on PostgreSQL; expired claims (a server that died) are removed first."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(Profile.id).where(Profile.id == profile_id).with_for_update())
    session.execute(delete(LiveConnection).where(LiveConnection.profile_id == profile_id,
                                                 LiveConnection.expires_at <= now))
    held = session.scalar(select(func.count()).select_from(LiveConnection)
                          .where(LiveConnection.profile_id == profile_id)) or 0
    if held >= limit:
        return None
    row = LiveConnection(profile_id=profile_id, server=server, started_at=now,
                         expires_at=now + timedelta(seconds=ttl_s))
    session.add(row)
    session.flush()
    return row.id


def release_live_connection(*, session: Session, connection_id: int) -> None:
    session.execute(delete(LiveConnection).where(LiveConnection.id == connection_id))


def renew_live_connections(*, session: Session, server: str, now: datetime, ttl_s: float) -> int:
    """Extend every claim ``server`` holds (one statement per server, however many connections)."""
    result = session.execute(update(LiveConnection).where(LiveConnection.server == server)
                             .values(expires_at=now + timedelta(seconds=ttl_s)))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
