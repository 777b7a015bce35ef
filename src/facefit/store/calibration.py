"""Stored calibrations (issue 3): each profile's neutral rest, latest wins, history kept.

A new calibration never overwrites an old one: progress measured against last month's rest must stay
reproducible, and a bad recalibration can be undone by recording again. Values are stored as JSON
keyed by signal name, so adding signals later leaves old rows readable (new columns load as NaN).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from facefit.signals.calibration import Calibration
from facefit.store.base import Base, utcnow

SCHEMA_VERSION = 1


class CalibrationRecord(Base):
    """One recorded neutral rest of one profile."""

    __tablename__ = "calibrations"
    __table_args__ = (Index("ix_calibrations_profile_created", "profile_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(300), default="")
    method: Mapped[str] = mapped_column(String(20), default="still-window")
    frames: Mapped[int] = mapped_column(default=1)
    schema_version: Mapped[int] = mapped_column(default=SCHEMA_VERSION)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)  # Calibration.to_dict()

    def to_calibration(self) -> Calibration:
        """The stored rest as a :class:`Calibration` (signals added since it was saved are NaN)."""
        data = dict(self.payload)
        data.setdefault("created_at", self.created_at.isoformat())
        return Calibration.from_dict(data)


def save_calibration(*, session: Session, profile_id: int, calibration: Calibration) -> CalibrationRecord:
    """Add ``calibration`` to the profile's history (flushed, so the row has an id); it becomes current."""
    source = calibration.source
    if len(source) > 300:
        source = "..." + source[-297:]
    record = CalibrationRecord(
        profile_id=profile_id,
        created_at=calibration.created_at,
        source=source,
        method=calibration.method,
        frames=calibration.frames,
        schema_version=SCHEMA_VERSION,
        payload=calibration.to_dict(),
    )
    session.add(record)
    session.flush()
    return record


def load_calibration(*, session: Session, profile_id: int) -> Calibration | None:
    """The profile's current (latest) calibration, or None if it never calibrated or its latest rest was
    measured with an older signal geometry (``Calibration.comparable``: issue 15 moved mouth and eye
    signals into the face's own frame), so the user records a new rest instead of being judged against a
    zero that no longer matches (the history keeps the old one)."""
    record = session.scalar(
        select(CalibrationRecord)
        .where(CalibrationRecord.profile_id == profile_id)
        .order_by(CalibrationRecord.created_at.desc(), CalibrationRecord.id.desc())
        .limit(1)
    )
    if record is None:
        return None
    calibration = record.to_calibration()
    return calibration if calibration.comparable else None


def calibration_history(*, session: Session, profile_id: int) -> list[CalibrationRecord]:
    """Every calibration of the profile, newest first."""
    return list(
        session.scalars(
            select(CalibrationRecord)
            .where(CalibrationRecord.profile_id == profile_id)
            .order_by(CalibrationRecord.created_at.desc(), CalibrationRecord.id.desc())
        )
    )
