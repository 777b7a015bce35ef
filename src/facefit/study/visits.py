"""Visits: three photos through the existing photo gate, missed visits, and adherence from the camera.

A visit photo is imported exactly like any progress photo (``photos.library.import_photo``: measured,
judged against the participant's baseline photo, stored under their profile) and only then linked to
the visit; a photo the gate rejects is not stored and the error names the checks that failed and how
to fix them. A visit is complete when it holds the protocol's number of accepted photos. A photo taken
outside the visit's window still counts (intention to treat) and is recorded as a minor deviation.

Adherence is read from the practice sessions in the store (the routine player and the camera coach
record them; ``facefit demo`` sessions never count): planned days of the arm's programme covered, from
randomisation to today or the programme's end, with the habits stage's definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from facefit.errors import InputError
from facefit.photos.files import LoadedPhoto
from facefit.store import study as db
from facefit.store.db import Store
from facefit.study.service import LoadedStudy, StudyError, _aware, day_of_study, load, participant


class VisitPhotoRejected(InputError):
    """The gate rejected a visit photo; nothing was stored."""


@dataclass(frozen=True)
class VisitPhotoResult:
    code: str
    visit: str
    photo_id: int
    position: int
    needed: int
    complete: bool
    day: int | None
    outside_window: bool


def _check_can_add(study: LoadedStudy, row: db.StudyParticipant, visit_id: str) -> None:
    definition = study.definition
    visit = definition.visit(visit_id)
    if row.status == "ineligible":
        raise StudyError(f"{row.code} is not eligible for the study; no visits are taken.")
    if row.status == "withdrawn":
        raise StudyError(f"{row.code} withdrew from the study ({row.withdrawal_reason}); no more visits.")
    if visit.id == definition.baseline.id and row.status == "randomised":
        raise StudyError(f"{row.code} is already randomised: the baseline visit comes before randomisation.")
    if visit.id != definition.baseline.id and row.status != "randomised":
        raise StudyError(f"{row.code} is not randomised yet: {visit.id} is a follow-up visit.")


def add_visit_photo(
    *, store: Store, slug: str, code: str, visit: str, photo: str | Path | LoadedPhoto, landmarker: Any,
    actor: str, taken_at: datetime | None = None, source_name: str | None = None,
) -> VisitPhotoResult:
    """Gate one photo and add it to the participant's visit; raises :class:`VisitPhotoRejected` when the
    gate rejects it (nothing stored) and :class:`StudyError` when the visit cannot take photos."""
    from facefit.photos.library import import_photo

    with store.transaction() as session:
        study = load(session=session, slug=slug)
        row = participant(session=session, study=study, code=code)
        _check_can_add(study, row, visit)
        existing = db.get_visit(session=session, participant_id=row.id, visit=visit)
        needed = study.definition.photos_per_visit
        if existing is not None and existing.status == "complete":
            raise StudyError(f"{row.code}'s {visit} visit is already complete with {needed} photos.")
        if existing is not None and existing.status == "missed":
            raise StudyError(f"{row.code}'s {visit} visit was recorded as missed ({existing.missed_reason}).")
        profile_id, code = row.profile_id, row.code
    when = _aware(taken_at)
    outcome = import_photo(photo, store=store, profile_id=profile_id, landmarker=landmarker, taken_at=when,
                           source_name=source_name)
    if outcome.result is not None and not outcome.accepted:
        failed = outcome.result.failed
        raise VisitPhotoRejected(
            f"The photo {outcome.source} did not pass the photo checks and was not added to the visit: "
            + "; ".join(c.advice for c in failed) + ".")
    if outcome.duplicate:
        raise VisitPhotoRejected(f"The photo {outcome.source} is already stored (the same pixels as photo "
                                 f"{outcome.photo_id}); take a new photo for the visit.")
    assert outcome.photo_id is not None
    with store.transaction() as session:
        study = load(session=session, slug=slug)
        row = participant(session=session, study=study, code=code)
        record = db.open_visit(session=session, participant_id=row.id, visit=visit, at=when)
        taken = db.visit_photos(session=session, visit_ids=[record.id])
        position = len(taken) + 1
        db.add_visit_photo(session=session, visit_id=record.id, photo_id=outcome.photo_id, position=position,
                           at=when)
        day, outside = _window(study, row, visit, when)
        db.append_audit(session=session, study_id=study.id, actor=actor, action="visit-photo",
                        participant_code=row.code, at=when,
                        detail={"visit": visit, "position": position, "day": day})
        if outside:
            low, high = study.definition.visit(visit).window
            text = f"{visit} photo taken on day {day}, outside the visit window (days {low} to {high})"
            db.add_deviation(session=session, participant_id=row.id, visit=visit, severity="minor",
                             description=text, recorded_by=actor[:120], recorded_at=when)
            db.append_audit(session=session, study_id=study.id, actor=actor, action="deviation",
                            participant_code=row.code, at=when,
                            detail={"severity": "minor", "visit": visit, "description": text})
        complete = position >= study.definition.photos_per_visit
        if complete:
            record.status, record.completed_at = "complete", when
            db.append_audit(session=session, study_id=study.id, actor=actor, action="visit-complete",
                            participant_code=row.code, at=when, detail={"visit": visit})
        return VisitPhotoResult(row.code, visit, outcome.photo_id, position,
                                study.definition.photos_per_visit, complete, day, outside)


def _window(
    study: LoadedStudy, row: db.StudyParticipant, visit: str, when: datetime
) -> tuple[int | None, bool]:
    """(day of study, outside the window?) for a follow-up visit photo; the baseline has no day yet."""
    if row.randomised_at is None:
        return None, False
    day = day_of_study(row.randomised_at, when)
    low, high = study.definition.visit(visit).window
    return day, not low <= day <= high


def mark_missed(
    *, session: Session, study: LoadedStudy, code: str, visit: str, reason: str, actor: str,
    now: datetime | None = None,
) -> db.StudyVisit:
    """Record that a visit did not happen (the participant stays in the study and the ITT analysis)."""
    if not reason.strip():
        raise InputError("Give the reason the visit was missed.")
    study.definition.visit(visit)
    row = participant(session=session, study=study, code=code)
    when = _aware(now)
    record = db.open_visit(session=session, participant_id=row.id, visit=visit, at=when)
    if record.status == "complete":
        raise StudyError(f"{row.code}'s {visit} visit is complete; it cannot be marked missed.")
    record.status, record.missed_reason = "missed", reason.strip()[:1000]
    session.flush()
    db.append_audit(session=session, study_id=study.id, actor=actor, action="visit-missed",
                    participant_code=row.code, at=when,
                    detail={"visit": visit, "reason": reason.strip()[:1000]})
    return record


@dataclass(frozen=True)
class VisitStatus:
    """One visit of one participant as seen on ``today``."""

    visit: str
    label: str
    status: str  # complete | missed | open | due | upcoming | overdue | not-yet-randomised
    photos: int
    needed: int
    opens: date | None
    closes: date | None

    def to_dict(self) -> dict[str, Any]:
        return {"visit": self.visit, "label": self.label, "status": self.status, "photos": self.photos,
                "needed": self.needed, "opens": self.opens.isoformat() if self.opens else None,
                "closes": self.closes.isoformat() if self.closes else None}


def visit_statuses(
    *, session: Session, study: LoadedStudy, row: db.StudyParticipant, today: date
) -> list[VisitStatus]:
    """Every protocol visit of the participant, with its window in calendar dates once randomised."""
    definition = study.definition
    records = {v.visit: v for v in db.list_visits(session=session, participant_ids=[row.id])}
    counts: dict[int, int] = {}
    for photo in db.visit_photos(session=session, visit_ids=[v.id for v in records.values()]):
        counts[photo.visit_id] = counts.get(photo.visit_id, 0) + 1
    out = []
    for visit in definition.visits:
        record = records.get(visit.id)
        photos = counts.get(record.id, 0) if record else 0
        opens = closes = None
        if row.randomised_at is not None:
            start = row.randomised_at.date()
            opens, closes = start + timedelta(days=visit.window[0]), start + timedelta(days=visit.window[1])
        if record is not None and record.status in ("complete", "missed"):
            status = record.status
        elif visit.id == definition.baseline.id:
            status = "open"
        elif opens is None or closes is None:
            status = "not-yet-randomised"
        elif today > closes:
            status = "overdue"
        elif today >= opens:
            status = "due"
        else:
            status = "open" if photos else "upcoming"
        out.append(VisitStatus(visit.id, visit.label, status, photos, definition.photos_per_visit, opens,
                               closes))
    return out


@dataclass(frozen=True)
class Adherence:
    """Planned practice days covered since randomisation (``percent``), and the days behind it."""

    percent: float | None
    planned_days: int
    practised_days: int
    sessions: int
    programme: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"percent": None if self.percent is None else round(self.percent, 1),
                "planned_days": self.planned_days, "practised_days": self.practised_days,
                "sessions": self.sessions, "programme": self.programme}


def adherence(*, session: Session, study: LoadedStudy, row: db.StudyParticipant, today: date) -> Adherence:
    """From the store's practice sessions; an arm without a programme reports its sessions only (in a
    waitlist arm, practice during the trial is contamination, worth knowing)."""
    from facefit.catalog.schedule import plan
    from facefit.habits.adherence import day_records, overall_adherence, week_stats
    from facefit.habits.service import practice_by_day

    arm_id = db.arm_of(session=session, participant=row)
    if arm_id is None or row.randomised_at is None:
        return Adherence(None, 0, 0, 0, None)
    start = row.randomised_at.date()
    practice = {day: p for day, p in practice_by_day(session=session, profile_id=row.profile_id).items()
                if day >= start}
    sessions = sum(p.sessions for p in practice.values())
    programme = study.definition.arm(arm_id).programme
    if programme is None:
        return Adherence(None, 0, sum(1 for p in practice.values() if p.practised), sessions, None)
    end = today if row.withdrawn_at is None else min(today, row.withdrawn_at.date())
    records = day_records(plan(programme, start), practice, end)
    weeks = week_stats(records, end)
    planned = sum(w.planned for w in weeks)
    covered = sum(min(w.practised, w.planned) for w in weeks)
    return Adherence(overall_adherence(weeks) if planned else None, planned, covered, sessions, programme)
