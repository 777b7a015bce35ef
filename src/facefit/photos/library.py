"""Checking and importing progress photos for one profile: the gate, the files and the rows together.

Import order is what makes a crash harmless: measure and judge first (nothing written), then write the
clean JPEG atomically under its content address, then commit the row in one transaction. A kill at any
point leaves either nothing, or a complete file with no row (re-used by the next import of the same
photo), never a half-written file or a row without its file. Re-importing the same pixels is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.exc import IntegrityError

from facefit.config import data_dir, photos_dir
from facefit.errors import FaceFitError, InputError, NextStep
from facefit.fileio import write_atomic
from facefit.photos.compare import AsymmetryChange, new_asymmetries
from facefit.photos.files import (
    LoadedPhoto,
    encode_jpeg,
    load_photo,
    pixel_digest,
    remove_stale_temp_files,
)
from facefit.photos.gate import GateResult, Reference, Rest, evaluate
from facefit.photos.measure import measure_photo
from facefit.photos.orphans import import_lock, sweep_orphans
from facefit.photos.repeatability import MetricError
from facefit.store.db import Store
from facefit.store.photos import (
    Photo,
    add_photo,
    find_photo_by_sha,
    get_baseline,
    get_photo,
    list_photos,
    load_repeatability,
)
from facefit.vision.observation import FaceObservation


class PhotoNotFoundError(FaceFitError):
    """No stored photo matches the id or hash prefix given."""


@dataclass(frozen=True)
class ImportOutcome:
    """What happened to one imported file."""

    source: str
    result: GateResult | None
    photo_id: int | None
    sha256: str
    stored: bool
    duplicate: bool = False
    is_baseline: bool = False
    forced: bool = False
    new_asymmetries: tuple[AsymmetryChange, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.result.accepted if self.result is not None else True


def profile_photo_dir(profile_id: int) -> Path:
    """Where one profile's photo files live (one directory per profile: easy export and deletion)."""
    return photos_dir() / f"p{int(profile_id)}"


def photo_path(photo: Photo | str) -> Path:
    """Absolute path of a stored photo's file, given its row or its ``file_name`` (relative to the data
    directory, so account export/deletion finds it like any other file a row names)."""
    return data_dir() / (photo if isinstance(photo, str) else photo.file_name)


def parse_date(text: str | None) -> datetime | None:
    """``YYYY-MM-DD`` (or ISO date-time) to an aware UTC datetime; InputError names a bad value."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text) if "T" in text or " " in text else None
        if value is None:
            day = date.fromisoformat(text)
            value = datetime(day.year, day.month, day.day, 12, 0)
    except ValueError as error:
        raise InputError(f"The date {text!r} is not a date: use YYYY-MM-DD.") from error
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def baseline_reference(*, store: Store, profile_id: int) -> Reference | None:
    """The gate's reference from the profile's baseline photo, or None for a first photo."""
    with store.transaction() as session:
        baseline = get_baseline(session=session, profile_id=profile_id)
        if baseline is None:
            return None
        return Reference.from_summary(baseline.measurement, photo_id=baseline.id)


def calibrated_rest(*, store: Store, profile_id: int) -> Rest | None:
    """The profile's neutral rest from `facefit calibrate`, if it has one."""
    from facefit.store.calibration import load_calibration

    with store.transaction() as session:
        calibration = load_calibration(session=session, profile_id=profile_id)
    return Rest.from_calibration(calibration) if calibration is not None else None


def check_rgb(
    rgb: np.ndarray, *, landmarker: Any, reference: Reference | None, rest: Rest | None = None,
    observation: FaceObservation | None = None,
) -> GateResult:
    """Measure a photo and run the gate against ``reference`` (None: judged as a first/baseline photo)
    and, when given, the calibrated ``rest``. ``observation``: the photo's own landmarks when already
    detected by ``landmarker`` (a signal stream's frame), so only its mirror image is detected here."""
    return evaluate(measure_photo(rgb, landmarker, seen=observation), reference, rest)


def import_photo(
    source: str | Path | LoadedPhoto,
    *,
    store: Store,
    profile_id: int,
    landmarker: Any,
    taken_at: datetime | None = None,
    force: bool = False,
    source_name: str | None = None,
) -> ImportOutcome:
    """Gate one photo and store it if accepted (or if ``force``: stored, marked as rejected).

    The first accepted photo becomes the profile's baseline. Raises InputError for unreadable files.
    """
    loaded = source if isinstance(source, LoadedPhoto) else load_photo(source)
    name = source_name or (Path(source).name if not isinstance(source, LoadedPhoto) else "photo")
    sha = pixel_digest(loaded.rgb)
    with store.transaction() as session:
        existing = find_photo_by_sha(session=session, profile_id=profile_id, sha256=sha)
        if existing is not None:
            return ImportOutcome(
                name,
                None,
                existing.id,
                sha,
                stored=False,
                duplicate=True,
                is_baseline=existing.is_baseline,
                forced=existing.forced,
            )
    reference = baseline_reference(store=store, profile_id=profile_id)
    rest = calibrated_rest(store=store, profile_id=profile_id)
    result = check_rgb(loaded.rgb, landmarker=landmarker, reference=reference, rest=rest)
    if not result.accepted and not force:
        return ImportOutcome(name, result, None, sha, stored=False)
    if not result.measurement.present:
        raise InputError(f"No face was found in {name}, so there is nothing to measure; it was not stored.")
    directory = profile_photo_dir(profile_id)
    remove_stale_temp_files(directory)
    sweep_orphans(store=store, profile_id=profile_id, directory=directory)  # files of a killed import
    _import_lock = import_lock(directory)  # held until we return: no sweep removes our file before its row
    target = directory / f"{sha}.jpg"
    if not target.is_file():
        write_atomic(target, encode_jpeg(loaded.rgb))
    when = taken_at or (loaded.taken_at.replace(tzinfo=UTC) if loaded.taken_at else datetime.now(UTC))
    points = np.round(result.measurement.landmarks[:, :2].astype(np.float64), 5).tolist()  # type: ignore[union-attr]
    try:
        with store.transaction() as session:
            existing = find_photo_by_sha(session=session, profile_id=profile_id, sha256=sha)
            if existing is not None:  # another process imported it meanwhile
                return ImportOutcome(name, result, existing.id, sha, stored=False, duplicate=True)
            baseline = get_baseline(session=session, profile_id=profile_id)
            make_baseline = result.accepted and baseline is None
            changes: list[AsymmetryChange] = []
            if result.accepted and baseline is not None:
                errors = {
                    k: _as_error(r)
                    for k, r in load_repeatability(session=session, profile_id=profile_id).items()
                }
                changes = new_asymmetries(baseline.metrics, result.measurement.metrics, errors)
            photo = add_photo(
                session=session,
                profile_id=profile_id,
                sha256=sha,
                file_name=target.relative_to(data_dir()).as_posix(),
                source_name=name[:255],
                taken_at=when,
                width=int(loaded.rgb.shape[1]),
                height=int(loaded.rgb.shape[0]),
                accepted=result.accepted,
                forced=not result.accepted,
                is_baseline=make_baseline,
                checks=[c.to_dict() for c in result.checks],
                measurement=result.to_dict()["metrics"],
                landmarks=points,
            )
            photo_id = photo.id
            if changes:
                _flag_new_asymmetry(
                    session=session, profile_id=profile_id, photo_id=photo_id, changes=changes
                )
    except IntegrityError:  # another process stored the same pixels between our check and our insert
        with store.transaction() as session:
            existing = find_photo_by_sha(session=session, profile_id=profile_id, sha256=sha)
            if existing is None:
                raise
            return ImportOutcome(name, result, existing.id, sha, stored=False, duplicate=True)
    return ImportOutcome(
        name,
        result,
        photo_id,
        sha,
        stored=True,
        is_baseline=make_baseline,
        forced=not result.accepted,
        new_asymmetries=tuple(changes),
    )


def _as_error(row: Any) -> MetricError:
    return MetricError(row.metric, row.sem, row.mdc95, row.n, row.source)


def _flag_new_asymmetry(
    *, session: Any, profile_id: int, photo_id: int, changes: list[AsymmetryChange]
) -> None:
    """Hand a grown left/right difference to the safety stage (same transaction as the photo row):
    practice is blocked until the user acknowledges it, as for a twitch or pain stop."""
    from facefit.safety.service import report_safety_flag

    report_safety_flag(
        session=session,
        profile_id=profile_id,
        kind="new-asymmetry",
        source=f"photo {photo_id}",
        detail={"photo_id": photo_id, "changes": [c.to_dict() for c in changes]},
    )


def resolve_photo(*, store: Store, profile_id: int, ref: str | int) -> Photo:
    """A stored photo by id or sha256 prefix, or PhotoNotFoundError naming the reference."""
    with store.transaction() as session:
        photo = get_photo(session=session, profile_id=profile_id, ref=ref)
        if photo is None:
            raise PhotoNotFoundError(f"No stored photo matches {ref!r}.", step=NextStep.LIST_PHOTOS)
        return photo


def stored_photos(*, store: Store, profile_id: int, accepted_only: bool = True) -> list[Photo]:
    """The profile's photos, oldest first."""
    with store.transaction() as session:
        return list_photos(session=session, profile_id=profile_id, accepted_only=accepted_only)


def load_stored_rgb(photo: Photo) -> np.ndarray:
    """Pixels of a stored photo; a missing or damaged file is an InputError naming it."""
    path = photo_path(photo)
    loaded = load_photo(path)
    return loaded.rgb
