"""Blinded rating: each rater works through their own queue of visit photos in random order.

What a rater sees of an item is an opaque token and a face: the photo cropped to the face, re-encoded
(no metadata, no file date, a fresh JPEG every time), served under that token. Arm, visit, date,
participant and photo ids never appear in anything a rater receives: tokens are random per rater and
per presentation, so the same photo shown to two raters, or twice to one rater, has unrelated tokens.

A share of each rater's photos (the protocol's ``rating.repeat_share``) is queued a second time, later
in the queue and unannounced, for intra-rater reliability. Ratings are final once given, and no
function here returns one rater's ratings to another rater.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from facefit.errors import FaceFitError, InputError, NextStep
from facefit.store import study as db
from facefit.store.photos import Photo
from facefit.study.definition import CHEEK_SCALE
from facefit.study.service import LoadedStudy, StudyError, _aware

TOKEN_BYTES = 24
BLIND_SIDE_PX = 480
MIN_REPEAT_GAP = 5


NO_SUCH_ITEM = "There is no such item in your rating queue."


class RatingNotFoundError(FaceFitError):
    """No such item in this rater's queue (another rater's token is not found either)."""


def add_rater(
    *,
    session: Session,
    study: LoadedStudy,
    name: str,
    actor: str,
    account_id: int | None = None,
    now: datetime | None = None,
) -> db.StudyStaff:
    """A rater of the study (idempotent), linked to a web account when given."""
    name = name.strip()
    if not name or len(name) > 120:
        raise InputError("A rater's name must be 1-120 characters.")
    existing = db.find_staff(session=session, study_id=study.id, role="rater", name=name)
    staff = db.add_staff(session=session, study_id=study.id, role="rater", name=name, account_id=account_id)
    if existing is None:
        db.append_audit(
            session=session,
            study_id=study.id,
            actor=actor,
            action="rater-added",
            at=_aware(now),
            detail={"rater": name},
        )
    return staff


class NotARaterError(StudyError):
    """No rater of that name in the study; each door says its own way to add one (``NextStep.ADD_RATER``)."""

    def __init__(self, name: str, slug: str) -> None:
        super().__init__(f"There is no rater {name!r} in study {slug}.", step=NextStep.ADD_RATER, slug=slug)


def rater(*, session: Session, study: LoadedStudy, name: str) -> db.StudyStaff:
    found = db.find_staff(session=session, study_id=study.id, role="rater", name=name.strip())
    if found is None:
        raise NotARaterError(name, study.slug)
    return found


def _rateable_photos(session: Session, study: LoadedStudy) -> list[int]:
    """Visit photo ids of complete visits, the first ``rating.photos_per_visit`` of each."""
    participants = db.list_participants(session=session, study_id=study.id)
    visits = [
        v
        for v in db.list_visits(session=session, participant_ids=[p.id for p in participants])
        if v.status == "complete"
    ]
    per_visit = study.definition.rating.photos_per_visit
    return [
        p.id
        for p in db.visit_photos(session=session, visit_ids=[v.id for v in visits])
        if p.position <= per_visit
    ]


def _merge(rng: secrets.SystemRandom, old: list[Any], new: list[Any]) -> list[Any]:
    """A random interleaving of two lists that keeps each list's own order."""
    out, i, j = [], 0, 0
    while i < len(old) or j < len(new):
        take_new = j < len(new) and (
            i >= len(old) or rng.random() < (len(new) - j) / (len(old) - i + len(new) - j)
        )
        if take_new:
            out.append(new[j])
            j += 1
        else:
            out.append(old[i])
            i += 1
    return out


def open_queue(
    *, session: Session, study: LoadedStudy, name: str, actor: str, now: datetime | None = None
) -> int:
    """Queue every rateable photo the rater has not been given yet, shuffled in among their unrated
    items, plus unannounced repeats; returns how many items were added.

    For full blinding, open the queues once the last visit is done: photos queued as visits happen
    would come in time order.
    """
    staff = rater(session=session, study=study, name=name)
    items = db.rating_items(session=session, rater_id=staff.id)
    queued = {i.visit_photo_id for i in items if i.presentation == 1}
    fresh = [pid for pid in _rateable_photos(session, study) if pid not in queued]
    if not fresh:
        return 0
    rng = secrets.SystemRandom()  # unpredictable: the order must not be reproducible by anyone
    rng.shuffle(fresh)
    new: list[tuple[int, int]] = [(pid, 1) for pid in fresh]
    share = study.definition.rating.repeat_share
    repeats = rng.sample(fresh, k=round(share * len(fresh))) if share > 0 else []
    for pid in repeats:
        first = new.index((pid, 1))
        gap = min(MIN_REPEAT_GAP, len(new) - first)
        new.insert(rng.randint(first + gap, len(new)), (pid, 2))
    unrated = [i for i in items if i.rated_at is None]
    order = _merge(rng, unrated, new)
    start = max((i.queue_position for i in items if i.rated_at is not None), default=0)
    when = _aware(now)
    for offset, entry in enumerate(order, start=1):
        if isinstance(entry, db.StudyRating):
            entry.queue_position = start + offset
        else:
            pid, presentation = entry
            session.add(
                db.StudyRating(
                    study_id=study.id,
                    rater_id=staff.id,
                    visit_photo_id=pid,
                    presentation=presentation,
                    queue_position=start + offset,
                    token=secrets.token_urlsafe(TOKEN_BYTES),
                    queued_at=when,
                )
            )
    session.flush()
    db.append_audit(
        session=session,
        study_id=study.id,
        actor=actor,
        action="rating-queue-opened",
        at=when,
        detail={"rater": staff.name, "items": len(new), "repeats": len(repeats)},
    )
    return len(new)


@dataclass(frozen=True)
class QueueItem:
    """What a rater may know about the next item: its token and how far along the queue they are."""

    token: str
    number: int
    total: int

    def to_dict(self) -> dict[str, Any]:
        return {"token": self.token, "number": self.number, "total": self.total}


def progress(*, session: Session, staff: db.StudyStaff) -> tuple[int, int]:
    items = db.rating_items(session=session, rater_id=staff.id)
    return sum(i.rated_at is not None for i in items), len(items)


def next_item(*, session: Session, staff: db.StudyStaff) -> QueueItem | None:
    items = db.rating_items(session=session, rater_id=staff.id)
    done = sum(i.rated_at is not None for i in items)
    for item in items:
        if item.rated_at is None:
            return QueueItem(item.token, done + 1, len(items))
    return None


def _item(session: Session, staff: db.StudyStaff, token: str) -> db.StudyRating:
    item = db.rating_by_token(session=session, rater_id=staff.id, token=str(token)[:64])
    if item is None:
        raise RatingNotFoundError(NO_SUCH_ITEM)
    return item


def _check_range(name: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"The {name} must be a whole number from {low} to {high}, got {value!r}.")
    if not low <= value <= high:
        raise InputError(f"The {name} must be from {low} to {high}, got {value}.")
    return value


def submit(
    *,
    session: Session,
    study: LoadedStudy,
    staff: db.StudyStaff,
    token: str,
    apparent_age: Any,
    upper_cheek: Any,
    lower_cheek: Any,
    now: datetime | None = None,
) -> QueueItem | None:
    """Record a rating (final once given) and return the next item, if any. Values are checked first:
    nothing is saved when one is out of range."""
    low, high = study.definition.rating.age_range
    age = _check_range("apparent age", apparent_age, low, high)
    upper = _check_range("upper cheek fullness", upper_cheek, *CHEEK_SCALE)
    lower = _check_range("lower cheek fullness", lower_cheek, *CHEEK_SCALE)
    item = _item(session, staff, token)
    if item.rated_at is not None:
        raise StudyError("This photo is already rated; ratings are final.")
    item.apparent_age, item.upper_cheek, item.lower_cheek = age, upper, lower
    item.rated_at = _aware(now)
    session.flush()
    return next_item(session=session, staff=staff)


def blinded_jpeg(*, session: Session, staff: db.StudyStaff, token: str) -> bytes:
    """The item's face, cropped square around the landmarks with a margin, resized and freshly encoded."""
    import cv2

    from facefit.photos.library import load_stored_rgb

    item = _item(session, staff, token)
    link = session.get(db.StudyVisitPhoto, item.visit_photo_id)
    photo = session.get(Photo, link.photo_id) if link is not None else None
    if photo is None:
        raise RatingNotFoundError(NO_SUCH_ITEM)
    rgb = load_stored_rgb(photo)
    height, width = rgb.shape[:2]
    points = np.asarray(photo.landmarks, dtype=np.float64)[:, :2] * np.array([width, height])
    centre = (points.min(axis=0) + points.max(axis=0)) / 2.0
    half = round(0.65 * float(np.max(points.max(axis=0) - points.min(axis=0))))
    cx, cy = round(float(centre[0])), round(float(centre[1]))
    # a square around the face; where it leaves the photo, a flat grey border (never the room behind)
    padded = cv2.copyMakeBorder(rgb, half, half, half, half, cv2.BORDER_CONSTANT, value=(128, 128, 128))
    face = np.ascontiguousarray(padded[cy : cy + 2 * half, cx : cx + 2 * half])
    face = cv2.resize(
        face,
        (BLIND_SIDE_PX, BLIND_SIDE_PX),
        interpolation=cv2.INTER_AREA if face.shape[0] > BLIND_SIDE_PX else cv2.INTER_CUBIC,
    )
    ok, encoded = cv2.imencode(".jpg", face[..., ::-1], [cv2.IMWRITE_JPEG_QUALITY, 90])
    if not ok:  # pragma: no cover - OpenCV encodes any uint8 image
        raise StudyError("The photo could not be encoded.")
    return encoded.tobytes()
