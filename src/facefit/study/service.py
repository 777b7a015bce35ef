"""Running a trial: create it, enrol and screen people, randomise (reveal one sealed slot), withdraw,
record deviations. Every step is written to the append-only audit log in the same transaction.

All functions are keyword-only over a SQLAlchemy ``session``; nothing here commits (the caller's
``store.transaction()`` does, so a failed step leaves nothing half-done). Re-running a step that already
happened changes nothing: creating the same study again returns it, randomising a randomised
participant returns the arm they already have, and no slot is ever consumed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from facefit.errors import FaceFitError, InputError, NextStep
from facefit.store import study as db
from facefit.store.base import utcnow
from facefit.study.allocation import generate_schedule, schedule_digest
from facefit.study.definition import StudyDefinition, from_stored

PARTICIPANT_CODE_MAX = 20


class StudyError(FaceFitError):
    """A study action cannot be done as asked; the message says why and what to do."""


class StudyNotFoundError(StudyError):
    """No study with that id."""


class ParticipantNotFoundError(StudyError):
    """No participant with that code in the study."""


def _aware(moment: datetime | None) -> datetime:
    if moment is None:
        return utcnow()
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class LoadedStudy:
    """A stored study with its definition parsed."""

    row: db.Study
    definition: StudyDefinition

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def slug(self) -> str:
        return self.row.slug


def load(*, session: Session, slug: str) -> LoadedStudy:
    row = db.get_study(session=session, slug=slug)
    if row is None:
        known = ", ".join(s.slug for s in db.list_studies(session=session)) or "none yet"
        raise StudyNotFoundError(f"There is no study {slug!r} (studies: {known}).",
                                 step=NextStep.CREATE_STUDY)
    return LoadedStudy(row, from_stored(row.definition))


def create_study(
    *, session: Session, definition: StudyDefinition, seed: int, actor: str, now: datetime | None = None
) -> tuple[LoadedStudy, bool]:
    """Store the protocol and its whole allocation schedule; ``(study, created)``.

    Creating an existing study again with the same protocol and seed is a no-op (``created`` False);
    with another protocol or seed it is refused: a trial's protocol and schedule are fixed up front.
    The seed itself is not stored (whoever holds it can work out every allocation): only the schedule
    and its digest are.
    """
    slots = generate_schedule(definition, seed)
    digest = schedule_digest(slots)
    existing = db.get_study(session=session, slug=definition.id)
    if existing is not None:
        if existing.definition_sha256 != definition.sha256:
            raise StudyError(f"The study {definition.id!r} already exists with a different protocol; a "
                             "protocol cannot change once a study is created (give the new one another id).")
        if existing.schedule_sha256 != digest:
            raise StudyError(f"The study {definition.id!r} already exists with an allocation schedule from "
                             "another seed; nothing was changed.")
        return LoadedStudy(existing, definition), False
    when = _aware(now)
    row = db.add_study(session=session, slug=definition.id, title=definition.title,
                       definition=definition.to_dict(), definition_sha256=definition.sha256,
                       schedule_sha256=digest, created_by=actor[:120], created_at=when)
    db.add_slots(session=session, study_id=row.id, slots=(s.as_row() for s in slots))
    db.add_staff(session=session, study_id=row.id, role="coordinator", name=actor[:120])
    db.append_audit(session=session, study_id=row.id, actor=actor, action="study-created", at=when,
                    detail={"definition_sha256": definition.sha256, "schedule_sha256": digest,
                            "strata": len(definition.strata()), "slots": len(slots)})
    return LoadedStudy(row, definition), True


def verify_schedule(*, session: Session, study: LoadedStudy, seed: int | None = None) -> dict[str, bool]:
    """Is the stored schedule the one committed to at creation (and, given the seed, the seed's)?"""
    stored = db.schedule_rows(session=session, study_id=study.id)
    intact = schedule_digest(stored) == study.row.schedule_sha256
    out = {"schedule_intact": intact}
    if seed is not None:
        out["matches_seed"] = schedule_digest(generate_schedule(study.definition, seed)) == \
            study.row.schedule_sha256
    return out


# --- enrolment -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EnrolmentOutcome:
    code: str
    eligible: bool
    reasons: tuple[str, ...]
    stratum: str
    already: bool = False


def eligibility_problems(
    *, session: Session, study: StudyDefinition, profile_id: int, age: int, sex: str
) -> list[str]:
    """Why this person may not enrol (empty: eligible). Screening clearance comes from safety/."""
    from facefit.safety.service import current_clearance

    rules = study.eligibility
    reasons = []
    if not rules.age[0] <= age <= rules.age[1]:
        reasons.append(f"age {age} is outside {rules.age[0]}-{rules.age[1]}")
    if sex not in rules.sex:
        reasons.append(f"sex {sex!r} is not among {', '.join(rules.sex)}")
    clearance = current_clearance(session=session, profile_id=profile_id)
    if clearance is None:
        reasons.append("not screened yet (the health screening is not answered)")
    else:
        level = clearance.level.value
        if level not in rules.clearance:
            reasons.append(f"screening says {level}, the study admits {', '.join(rules.clearance)}")
        elif clearance.needs_acknowledgement:
            reasons.append("screening says consult a clinician first, and no clinician has cleared it yet")
    return reasons


def enrol(
    *, session: Session, study: LoadedStudy, profile_id: int, age: int, sex: str, actor: str,
    now: datetime | None = None,
) -> EnrolmentOutcome:
    """Assess one person for the study and record the outcome (eligible or not, with the reasons: the
    CONSORT diagram counts everyone assessed). Re-enrolling an enrolled person changes nothing; a person
    found ineligible before may be assessed again (e.g. after a new screening)."""
    if not 0 <= age <= 120:
        raise InputError(f"The age must be 0-120, got {age}.")
    sex = sex.strip().lower()
    definition = study.definition
    when = _aware(now)
    stratum = definition.stratum(age=age, sex=sex)
    reasons = eligibility_problems(session=session, study=definition, profile_id=profile_id, age=age, sex=sex)
    existing = db.participant_of_profile(session=session, study_id=study.id, profile_id=profile_id)
    if existing is not None and existing.status != "ineligible":
        return EnrolmentOutcome(existing.code, True, (), existing.stratum, already=True)
    status = "enrolled" if not reasons else "ineligible"
    if existing is None:
        row = db.add_participant(session=session, study_id=study.id,
                                 code=db.next_code(session=session, study_id=study.id), profile_id=profile_id,
                                 age=age, sex=sex[:10], stratum=stratum, status=status,
                                 eligibility=list(reasons), enrolled_at=when)
    else:
        row = existing
        row.age, row.sex, row.stratum, row.status = age, sex[:10], stratum, status
        row.eligibility, row.enrolled_at = list(reasons), when
        session.flush()
    db.append_audit(session=session, study_id=study.id, actor=actor, participant_code=row.code, at=when,
                    action="enrolled" if not reasons else "not-eligible",
                    detail={"stratum": stratum, "reasons": list(reasons)})
    return EnrolmentOutcome(row.code, not reasons, tuple(reasons), stratum)


def participant(*, session: Session, study: LoadedStudy, code: str) -> db.StudyParticipant:
    row = db.get_participant(session=session, study_id=study.id, code=code.strip().upper())
    if row is None:
        raise ParticipantNotFoundError(f"The study {study.slug} has no participant {code!r}.")
    return row


# --- randomisation ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Randomisation:
    code: str
    arm: str
    arm_label: str
    randomised_at: datetime
    already: bool = False


def randomise(
    *, session: Session, study: LoadedStudy, code: str, actor: str, now: datetime | None = None
) -> Randomisation:
    """Reveal the participant's stratum's next sealed slot. Needs an enrolled participant whose baseline
    visit is complete (assessed before allocation, so the allocation cannot colour the baseline)."""
    row = participant(session=session, study=study, code=code)
    definition = study.definition
    if row.status == "randomised" or (row.status == "withdrawn" and row.allocation_id is not None):
        arm = db.arm_of(session=session, participant=row)
        assert arm is not None and row.randomised_at is not None
        return Randomisation(row.code, arm, definition.arm(arm).label, row.randomised_at, already=True)
    if row.status == "ineligible":
        raise StudyError(f"{row.code} is not eligible ({'; '.join(row.eligibility)}) and cannot be "
                         "randomised.")
    if row.status == "withdrawn":
        raise StudyError(f"{row.code} withdrew before randomisation.")
    baseline = db.get_visit(session=session, participant_id=row.id, visit=definition.baseline.id)
    if baseline is None or baseline.status != "complete":
        raise StudyError(f"{row.code}'s {definition.baseline.id} visit is not complete yet: it needs "
                         f"{definition.photos_per_visit} photos that pass the gate before randomisation.")
    when = _aware(now)
    assert baseline.completed_at is not None
    age_days = (when.date() - baseline.completed_at.date()).days
    if age_days > definition.baseline.before:
        raise StudyError(f"{row.code}'s baseline photos are {age_days} days old, more than the "
                         f"{definition.baseline.before} days the protocol allows: retake the baseline visit.")
    slot = db.reveal_slot(session=session, study_id=study.id, stratum=row.stratum, at=when)
    if slot is None:
        raise StudyError(f"The allocation schedule of stratum {row.stratum} is used up; "
                         "no more participants can be randomised in it.")
    row.allocation_id, row.randomised_at, row.status = slot.id, when, "randomised"
    session.flush()
    db.append_audit(session=session, study_id=study.id, actor=actor, action="randomised",
                    participant_code=row.code, at=when, detail={"arm": slot.arm, "stratum": row.stratum})
    return Randomisation(row.code, slot.arm, definition.arm(slot.arm).label, when)


# --- withdrawal and deviations ----------------------------------------------------------------------------


def withdraw(
    *, session: Session, study: LoadedStudy, code: str, reason: str, actor: str, now: datetime | None = None
) -> db.StudyParticipant:
    """Record that a participant stopped taking part, with the reason (their data stay in the ITT set)."""
    reason = reason.strip()
    if not reason:
        raise InputError("Give the reason for the withdrawal (it is reported in the CONSORT diagram).")
    row = participant(session=session, study=study, code=code)
    if row.status == "withdrawn":
        return row
    if row.status == "ineligible":
        raise StudyError(f"{row.code} was not eligible and never took part: nothing to withdraw.")
    when = _aware(now)
    row.status, row.withdrawn_at, row.withdrawal_reason = "withdrawn", when, reason[:1000]
    session.flush()
    db.append_audit(session=session, study_id=study.id, actor=actor, action="withdrawn",
                    participant_code=row.code, at=when,
                    detail={"reason": reason[:1000], "randomised": row.allocation_id is not None})
    return row


def record_deviation(
    *, session: Session, study: LoadedStudy, code: str, severity: str, description: str, actor: str,
    visit: str | None = None, now: datetime | None = None,
) -> db.StudyDeviation:
    """A protocol deviation; ``major`` ones take the participant out of the per-protocol analysis."""
    if severity not in db.SEVERITIES:
        raise InputError(f"The severity must be one of {', '.join(db.SEVERITIES)}, got {severity!r}.")
    if not description.strip():
        raise InputError("Describe the deviation.")
    if visit is not None:
        study.definition.visit(visit)
    row = participant(session=session, study=study, code=code)
    when = _aware(now)
    deviation = db.add_deviation(session=session, participant_id=row.id, visit=visit, severity=severity,
                                 description=description.strip()[:2000], recorded_by=actor[:120],
                                 recorded_at=when)
    db.append_audit(session=session, study_id=study.id, actor=actor, action="deviation",
                    participant_code=row.code, at=when,
                    detail={"severity": severity, "visit": visit, "description": description.strip()[:2000]})
    return deviation


def day_of_study(randomised_at: datetime, moment: datetime | date) -> int:
    """Days since randomisation (the visit windows' clock)."""
    day = moment.date() if isinstance(moment, datetime) else moment
    return (day - randomised_at.date()).days


def arm_of(*, session: Session, row: db.StudyParticipant) -> str | None:
    return db.arm_of(session=session, participant=row)


def summary(*, session: Session, study: LoadedStudy) -> dict[str, Any]:
    """Counts a coordinator may see at any time (no arm of anyone not yet randomised, no schedule)."""
    rows = db.list_participants(session=session, study_id=study.id)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.status] = counts.get(row.status, 0) + 1
    return {"study": study.slug, "title": study.row.title, "assessed": len(rows), "by_status": counts,
            "schedule_sha256": study.row.schedule_sha256}
