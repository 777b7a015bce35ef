"""Foundation tables: profiles, practice sessions, the steps/sets done in them, and their events.

A session row is created when practice starts and each completed step is committed on its own, so a
crash or SIGKILL mid-routine keeps every step already done (``ended_at`` stays NULL: "interrupted").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facefit.store.base import Base, utcnow

PROFILE_NAME_MAX = 120


class Profile(Base):
    """A person who practises. The CLI uses one local profile; the web app one per account."""

    __tablename__ = "profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(PROFILE_NAME_MAX), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    sessions: Mapped[list[PracticeSession]] = relationship(
        back_populates="profile", cascade="all, delete-orphan", passive_deletes=True
    )


class PracticeSession(Base):
    """One sitting: a guided routine, or coaching of one exercise (from a camera or a video)."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # "routine" | "coach"
    routine_id: Mapped[str | None] = mapped_column(String(80))
    exercise_id: Mapped[str | None] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(200), default="terminal")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(20), default="running")  # running|completed|stopped
    stop_reason: Mapped[str | None] = mapped_column(Text, default=None)
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)

    profile: Mapped[Profile] = relationship(back_populates="sessions")
    steps: Mapped[list[SessionStep]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionStep.position",
        passive_deletes=True,
    )
    events: Mapped[list[SessionEvent]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="SessionEvent.id",
        passive_deletes=True,
    )


class SessionStep(Base):
    """One routine step (or one set of it) done or skipped, committed as soon as it ends."""

    __tablename__ = "session_steps"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    exercise_id: Mapped[str] = mapped_column(String(80))
    set_index: Mapped[int] = mapped_column(default=1)
    reps_target: Mapped[int | None] = mapped_column(default=None)
    reps_done: Mapped[int | None] = mapped_column(default=None)
    hold_s: Mapped[float | None] = mapped_column(default=None)
    duration_s: Mapped[float] = mapped_column(default=0.0)
    skipped: Mapped[bool] = mapped_column(default=False)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    completed_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[PracticeSession] = relationship(back_populates="steps")


class SessionEvent(Base):
    """An engine or player event (rep, hold, fault, safety, pain stop...) with the numbers behind it."""

    __tablename__ = "session_events"
    __table_args__ = (Index("ix_session_events_session_kind", "session_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("sessions.id", ondelete="CASCADE"))
    t_s: Mapped[float] = mapped_column(default=0.0)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[PracticeSession] = relationship(back_populates="events")
