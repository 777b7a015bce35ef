"""Live coaching state kept in the database (issue 18), so any server process can continue a session.

``LiveSession``: what a live session needs to resume at the next set on another process or host (the
finished sets themselves are ``session_steps`` rows). ``LiveConnection``: an open live connection, with
the server holding it and when its claim lapses unless renewed; counting a profile's unexpired rows is
the per-account live limit across processes. Keyword-only ``session=`` functions below; nothing commits.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from facefit.store.base import Base, utcnow


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
