"""Progress photos (issue 5): one row per stored photo, and the per-metric repeatability table.

Every row carries ``profile_id`` and every function is scoped by it, so the web app can serve one
account's photos without ever seeing another's. The image itself lives in
``facefit.config.photos_dir()/p<profile_id>/<sha256>.jpg``; its row is committed only after the file is
complete on disk, so a crash can leave at most an unreferenced file (re-used on the next import),
never a row pointing at nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from facefit.store import models  # noqa: F401  (registers "profiles", which our foreign keys name)
from facefit.store.base import Base, owned_file, utcnow


class Photo(Base):
    """A progress photo: where its pixels are, when it was taken, the gate's verdict and its metrics."""

    __tablename__ = "photos"
    __table_args__ = (
        UniqueConstraint("profile_id", "sha256", name="uq_photos_profile_sha256"),
        Index("ix_photos_profile_taken", "profile_id", "taken_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    sha256: Mapped[str] = mapped_column(String(64))
    # relative to the data dir: photos/p<id>/<sha>.jpg; declared so export/deletion know it is the profile's
    file_name: Mapped[str] = mapped_column(String(200), info=owned_file("photos/p{profile_id}"))
    source_name: Mapped[str] = mapped_column(String(255), default="")
    taken_at: Mapped[datetime] = mapped_column(default=utcnow)
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)
    width: Mapped[int] = mapped_column(default=0)
    height: Mapped[int] = mapped_column(default=0)
    accepted: Mapped[bool] = mapped_column(default=False)
    forced: Mapped[bool] = mapped_column(default=False)  # stored although the gate rejected it
    is_baseline: Mapped[bool] = mapped_column(default=False)
    checks: Mapped[list[Any]] = mapped_column(default=list)
    measurement: Mapped[dict[str, Any]] = mapped_column(default=dict)
    landmarks: Mapped[list[Any]] = mapped_column(default=list)  # (478, 2) normalised x, y

    @property
    def metrics(self) -> dict[str, float]:
        """Mirror-averaged face metrics (IPD units, ratios, degrees)."""
        return {k: float(v) for k, v in self.measurement.get("face", {}).items() if v is not None}


class PhotoRepeatability(Base):
    """Measurement error of one metric for one person: SEM and MDC95 = 1.96 * sqrt(2) * SEM."""

    __tablename__ = "photo_repeatability"
    __table_args__ = (UniqueConstraint("profile_id", "metric", name="uq_photo_repeatability_profile_metric"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    metric: Mapped[str] = mapped_column(String(60))
    sem: Mapped[float]
    mdc95: Mapped[float]
    n: Mapped[int]
    source: Mapped[str] = mapped_column(String(40))  # "perturbations" | "repeats" | "pooled"
    baseline_photo_id: Mapped[int | None] = mapped_column(
        ForeignKey("photos.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def find_photo_by_sha(*, session: Session, profile_id: int, sha256: str) -> Photo | None:
    """The profile's photo with these pixels, if already stored."""
    return session.scalar(select(Photo).where(Photo.profile_id == profile_id, Photo.sha256 == sha256))


def get_photo(*, session: Session, profile_id: int, ref: str | int) -> Photo | None:
    """A photo by id, or by a unique sha256 prefix (at least 6 hex digits), within the profile."""
    text = str(ref).strip()
    if text.isdigit():
        return session.scalar(select(Photo).where(Photo.profile_id == profile_id, Photo.id == int(text)))
    if len(text) < 6:
        return None
    rows = session.scalars(
        select(Photo).where(Photo.profile_id == profile_id, Photo.sha256.startswith(text.lower())).limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def list_photos(*, session: Session, profile_id: int, accepted_only: bool = False) -> list[Photo]:
    """The profile's photos, oldest first (by date taken, then import order)."""
    query = select(Photo).where(Photo.profile_id == profile_id)
    if accepted_only:
        query = query.where(Photo.accepted.is_(True))
    return list(session.scalars(query.order_by(Photo.taken_at, Photo.id)).all())


def get_baseline(*, session: Session, profile_id: int) -> Photo | None:
    """The profile's baseline photo (the reference every later photo must match), if any."""
    return session.scalar(select(Photo).where(Photo.profile_id == profile_id, Photo.is_baseline.is_(True)))


def set_baseline(*, session: Session, profile_id: int, photo_id: int) -> Photo:
    """Make an accepted photo the baseline (the previous baseline stops being one)."""
    photo = get_photo(session=session, profile_id=profile_id, ref=photo_id)
    if photo is None:
        raise LookupError(f"photo {photo_id} not found for this profile")
    session.execute(
        update(Photo).where(Photo.profile_id == profile_id, Photo.id != photo.id).values(is_baseline=False)
    )
    photo.is_baseline = True
    session.flush()
    return photo


def add_photo(*, session: Session, profile_id: int, **fields: Any) -> Photo:
    """Insert a photo row (flushed, so it has an id). The caller commits after the file is on disk."""
    photo = Photo(profile_id=profile_id, **fields)
    session.add(photo)
    session.flush()
    return photo


def save_repeatability(
    *,
    session: Session,
    profile_id: int,
    table: Mapping[str, tuple[float, float, int]],
    source: str,
    baseline_photo_id: int | None = None,
) -> None:
    """Replace the profile's repeatability table with ``{metric: (sem, mdc95, n)}``."""
    existing = {
        row.metric: row
        for row in session.scalars(
            select(PhotoRepeatability).where(PhotoRepeatability.profile_id == profile_id)
        )
    }
    for metric, (sem, mdc95, n) in table.items():
        row = existing.pop(metric, None) or PhotoRepeatability(profile_id=profile_id, metric=metric)
        row.sem, row.mdc95, row.n, row.source = float(sem), float(mdc95), int(n), source
        row.baseline_photo_id, row.created_at = baseline_photo_id, utcnow()
        session.add(row)
    for stale in existing.values():
        session.delete(stale)
    session.flush()


def load_repeatability(*, session: Session, profile_id: int) -> dict[str, PhotoRepeatability]:
    """The profile's repeatability rows by metric name (empty if never measured)."""
    rows = session.scalars(select(PhotoRepeatability).where(PhotoRepeatability.profile_id == profile_id))
    return {row.metric: row for row in rows}
