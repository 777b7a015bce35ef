"""Study mode tables (issue 17, migration 0006) and the keyword-only functions that read and write them.

Ownership follows the store's rule (rows reach a profile through ``profile_id`` or foreign keys): a
participant's rows (visits, visit photos, measurements, ratings of their photos, deviations) belong
to their profile, so export and deletion of their account include them. The allocation schedule and
the audit log belong to the study, not to anyone: a participant leaving never reopens a consumed slot
or rewrites history. Raters are study staff; the link from a staff row to a web account is its own
row, so deleting a rater's account removes their access and leaves their ratings in the study.

The arm of a schedule slot is read only through :func:`reveal_slot` (at randomisation) and
:func:`arm_of` (for a randomised participant): nothing here lists unrevealed slots with their arms.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, Session, mapped_column

from facefit.store import models, photos  # noqa: F401  (registers profiles and photos for our foreign keys)
from facefit.store import web as _web  # registers accounts; the staff list joins their emails
from facefit.store.base import Base, utcnow

STAFF_ROLES = ("coordinator", "rater")
PARTICIPANT_STATUSES = ("ineligible", "enrolled", "randomised", "withdrawn")
VISIT_STATUSES = ("open", "complete", "missed")
SEVERITIES = ("minor", "major")
GENESIS = "0" * 64


class Study(Base):
    """One trial: its validated definition (as created), and the digest of its allocation schedule."""

    __tablename__ = "studies"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    definition: Mapped[dict[str, Any]] = mapped_column()
    definition_sha256: Mapped[str] = mapped_column(String(64))
    schedule_sha256: Mapped[str] = mapped_column(String(64))
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyStaff(Base):
    """A coordinator or rater of one study (a name; web staff also have an account link)."""

    __tablename__ = "study_staff"
    __table_args__ = (UniqueConstraint("study_id", "role", "name", name="uq_study_staff_study_role_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyStaffAccount(Base):
    """Which web account acts as a staff row (deleted with the account; the staff row stays)."""

    __tablename__ = "study_staff_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("study_staff.id", ondelete="CASCADE"), unique=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyAllocation(Base):
    """One slot of the schedule, generated up front: the arm the next participant of ``stratum`` gets."""

    __tablename__ = "study_allocations"
    __table_args__ = (UniqueConstraint("study_id", "stratum", "position", name="uq_study_allocations_slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    stratum: Mapped[str] = mapped_column(String(80))
    position: Mapped[int]
    block: Mapped[int]
    block_size: Mapped[int]
    arm: Mapped[str] = mapped_column(String(40))
    revealed_at: Mapped[datetime | None] = mapped_column(default=None)


class StudyParticipant(Base):
    """A person assessed for a study: pseudonymous ``code``, stratum, status and (once randomised) slot."""

    __tablename__ = "study_participants"
    __table_args__ = (
        UniqueConstraint("study_id", "code", name="uq_study_participants_code"),
        UniqueConstraint("study_id", "profile_id", name="uq_study_participants_profile"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), index=True)
    age: Mapped[int]
    sex: Mapped[str] = mapped_column(String(10))
    stratum: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(12))
    eligibility: Mapped[list[Any]] = mapped_column(default=list)  # reasons a person was not eligible
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    allocation_id: Mapped[int | None] = mapped_column(ForeignKey("study_allocations.id"), unique=True,
                                                      default=None)
    randomised_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawn_at: Mapped[datetime | None] = mapped_column(default=None)
    withdrawal_reason: Mapped[str | None] = mapped_column(Text, default=None)


class StudyVisit(Base):
    """One participant's visit: open until its photos pass the gate, or marked missed."""

    __tablename__ = "study_visits"
    __table_args__ = (UniqueConstraint("participant_id", "visit", name="uq_study_visits_participant_visit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("study_participants.id", ondelete="CASCADE"))
    visit: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(12), default="open")
    opened_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    missed_reason: Mapped[str | None] = mapped_column(Text, default=None)


class StudyVisitPhoto(Base):
    """A gate-passing photo (row in ``photos``, the participant's profile) taken at a visit."""

    __tablename__ = "study_visit_photos"
    __table_args__ = (UniqueConstraint("visit_id", "position", name="uq_study_visit_photos_position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("study_visits.id", ondelete="CASCADE"))
    photo_id: Mapped[int] = mapped_column(ForeignKey("photos.id", ondelete="CASCADE"), unique=True)
    position: Mapped[int]
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyMeasurement(Base):
    """One endpoint measured on one visit photo (``facefit study analyze``); unique, so re-runs upsert."""

    __tablename__ = "study_measurements"
    __table_args__ = (
        UniqueConstraint("visit_photo_id", "endpoint", name="uq_study_measurements_photo_endpoint"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_photo_id: Mapped[int] = mapped_column(ForeignKey("study_visit_photos.id", ondelete="CASCADE"))
    endpoint: Mapped[str] = mapped_column(String(40))
    value: Mapped[float]
    method: Mapped[str] = mapped_column(String(80))
    measured_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyRating(Base):
    """One presentation of a visit photo to a rater (2 = the unannounced repeat) and its rating.

    ``token`` is the only name the rater ever sees for it: random, per rater and per presentation.
    """

    __tablename__ = "study_ratings"
    __table_args__ = (
        UniqueConstraint("rater_id", "visit_photo_id", "presentation", name="uq_study_ratings_presentation"),
        Index("ix_study_ratings_rater_queue", "rater_id", "queue_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id", ondelete="CASCADE"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("study_staff.id", ondelete="CASCADE"))
    visit_photo_id: Mapped[int] = mapped_column(ForeignKey("study_visit_photos.id", ondelete="CASCADE"))
    presentation: Mapped[int]
    queue_position: Mapped[int]
    token: Mapped[str] = mapped_column(String(64), unique=True)
    apparent_age: Mapped[int | None] = mapped_column(default=None)
    upper_cheek: Mapped[int | None] = mapped_column(default=None)
    lower_cheek: Mapped[int | None] = mapped_column(default=None)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    rated_at: Mapped[datetime | None] = mapped_column(default=None)


class StudyDeviation(Base):
    """A protocol deviation; a ``major`` one takes the participant out of the per-protocol set."""

    __tablename__ = "study_deviations"

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("study_participants.id", ondelete="CASCADE"))
    visit: Mapped[str | None] = mapped_column(String(40), default=None)
    severity: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class StudyAudit(Base):
    """An append-only, hash-chained log entry (the database refuses UPDATE and DELETE on this table)."""

    __tablename__ = "study_audit"
    __table_args__ = (UniqueConstraint("study_id", "seq", name="uq_study_audit_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    study_id: Mapped[int] = mapped_column(ForeignKey("studies.id"))
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    participant_code: Mapped[str | None] = mapped_column(String(20), default=None)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


# --- studies and staff ------------------------------------------------------------------------------


def get_study(*, session: Session, slug: str) -> Study | None:
    return session.scalar(select(Study).where(Study.slug == slug))


def list_studies(*, session: Session) -> list[Study]:
    return list(session.scalars(select(Study).order_by(Study.id)))


def add_study(*, session: Session, **fields: Any) -> Study:
    study = Study(**fields)
    session.add(study)
    session.flush()
    return study


def add_slots(*, session: Session, study_id: int, slots: Iterable[Mapping[str, Any]]) -> int:
    """Store the whole schedule (``stratum, position, block, block_size, arm`` per slot)."""
    rows = [StudyAllocation(study_id=study_id, **dict(slot)) for slot in slots]
    session.add_all(rows)
    session.flush()
    return len(rows)


def schedule_rows(*, session: Session, study_id: int) -> list[StudyAllocation]:
    """Every slot, for verifying the stored schedule against its digest (never shown to people)."""
    return list(session.scalars(select(StudyAllocation).where(StudyAllocation.study_id == study_id)
                                .order_by(StudyAllocation.stratum, StudyAllocation.position)))


def reveal_slot(*, session: Session, study_id: int, stratum: str, at: datetime) -> StudyAllocation | None:
    """Consume the stratum's next unrevealed slot (locked on PostgreSQL so two randomisations cannot take
    the same one) and return it; None when the stratum's schedule is used up."""
    query = (select(StudyAllocation)
             .where(StudyAllocation.study_id == study_id, StudyAllocation.stratum == stratum,
                    StudyAllocation.revealed_at.is_(None))
             .order_by(StudyAllocation.position).limit(1))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    slot = session.scalar(query)
    if slot is not None:
        slot.revealed_at = at
        session.flush()
    return slot


def arm_of(*, session: Session, participant: StudyParticipant) -> str | None:
    """The arm of a randomised participant (None before randomisation: the slot is still sealed)."""
    if participant.allocation_id is None:
        return None
    slot = session.get(StudyAllocation, participant.allocation_id)
    return None if slot is None or slot.revealed_at is None else slot.arm


def add_staff(
    *, session: Session, study_id: int, role: str, name: str, account_id: int | None = None
) -> StudyStaff:
    """The study's staff row for ``name`` in ``role`` (created once; idempotent), linked to an account."""
    if role not in STAFF_ROLES:
        raise ValueError(f"staff role must be one of {STAFF_ROLES}, got {role!r}")
    staff = session.scalar(select(StudyStaff).where(StudyStaff.study_id == study_id, StudyStaff.role == role,
                                                    StudyStaff.name == name))
    if staff is None:
        staff = StudyStaff(study_id=study_id, role=role, name=name)
        session.add(staff)
        session.flush()
    if account_id is not None:
        link = session.scalar(select(StudyStaffAccount).where(StudyStaffAccount.staff_id == staff.id))
        if link is None:
            session.add(StudyStaffAccount(staff_id=staff.id, account_id=account_id))
        else:
            link.account_id = account_id
        session.flush()
    return staff


def find_staff(*, session: Session, study_id: int, role: str, name: str) -> StudyStaff | None:
    return session.scalar(select(StudyStaff).where(StudyStaff.study_id == study_id, StudyStaff.role == role,
                                                   StudyStaff.name == name))


def staff_of_account(*, session: Session, account_id: int, role: str) -> list[StudyStaff]:
    """The staff rows an account acts as in ``role`` (one per study)."""
    return list(session.scalars(
        select(StudyStaff).join(StudyStaffAccount, StudyStaffAccount.staff_id == StudyStaff.id)
        .where(StudyStaffAccount.account_id == account_id, StudyStaff.role == role).order_by(StudyStaff.id)))


def unlink_staff_account(*, session: Session, staff_id: int) -> bool:
    """Remove the account link of a staff row (the row and its ratings stay); False if it had none."""
    link = session.scalar(select(StudyStaffAccount).where(StudyStaffAccount.staff_id == staff_id))
    if link is None:
        return False
    session.delete(link)
    session.flush()
    return True


def staff_with_accounts(*, session: Session) -> list[tuple[StudyStaff, str | None]]:
    """Every staff row of every study with the email of the account acting as it (None: no account), in
    one query: the admin's staff list reads no account that acts as no staff."""
    rows = session.execute(
        select(StudyStaff, _web.Account.email)
        .outerjoin(StudyStaffAccount, StudyStaffAccount.staff_id == StudyStaff.id)
        .outerjoin(_web.Account, _web.Account.id == StudyStaffAccount.account_id)
        .order_by(StudyStaff.study_id, StudyStaff.role, StudyStaff.id))
    return [(staff, email) for staff, email in rows]


def list_staff(*, session: Session, study_id: int, role: str) -> list[StudyStaff]:
    return list(session.scalars(select(StudyStaff).where(StudyStaff.study_id == study_id,
                                                         StudyStaff.role == role).order_by(StudyStaff.id)))


# --- participants, visits, photos --------------------------------------------------------------------


def next_code(*, session: Session, study_id: int) -> str:
    """The next pseudonymous participant code, ``P0001``, ``P0002``... (never derived from identity)."""
    count = session.scalar(select(func.count()).select_from(StudyParticipant)
                           .where(StudyParticipant.study_id == study_id)) or 0
    return f"P{count + 1:04d}"


def add_participant(*, session: Session, **fields: Any) -> StudyParticipant:
    row = StudyParticipant(**fields)
    session.add(row)
    session.flush()
    return row


def get_participant(*, session: Session, study_id: int, code: str) -> StudyParticipant | None:
    return session.scalar(select(StudyParticipant).where(StudyParticipant.study_id == study_id,
                                                         StudyParticipant.code == code))


def participant_of_profile(*, session: Session, study_id: int, profile_id: int) -> StudyParticipant | None:
    return session.scalar(select(StudyParticipant).where(StudyParticipant.study_id == study_id,
                                                         StudyParticipant.profile_id == profile_id))


def participations(*, session: Session, profile_id: int) -> list[StudyParticipant]:
    """Every study this profile takes part in (for the participant's own page)."""
    return list(session.scalars(select(StudyParticipant).where(StudyParticipant.profile_id == profile_id)
                                .order_by(StudyParticipant.id)))


def list_participants(*, session: Session, study_id: int) -> list[StudyParticipant]:
    return list(session.scalars(select(StudyParticipant).where(StudyParticipant.study_id == study_id)
                                .order_by(StudyParticipant.id)))


def get_visit(*, session: Session, participant_id: int, visit: str) -> StudyVisit | None:
    return session.scalar(select(StudyVisit).where(StudyVisit.participant_id == participant_id,
                                                   StudyVisit.visit == visit))


def open_visit(*, session: Session, participant_id: int, visit: str, at: datetime) -> StudyVisit:
    row = get_visit(session=session, participant_id=participant_id, visit=visit)
    if row is None:
        row = StudyVisit(participant_id=participant_id, visit=visit, status="open", opened_at=at)
        session.add(row)
        session.flush()
    return row


def list_visits(*, session: Session, participant_ids: Sequence[int]) -> list[StudyVisit]:
    if not participant_ids:
        return []
    return list(session.scalars(select(StudyVisit).where(StudyVisit.participant_id.in_(participant_ids))
                                .order_by(StudyVisit.participant_id, StudyVisit.id)))


def visit_photos(*, session: Session, visit_ids: Sequence[int]) -> list[StudyVisitPhoto]:
    if not visit_ids:
        return []
    return list(session.scalars(select(StudyVisitPhoto).where(StudyVisitPhoto.visit_id.in_(visit_ids))
                                .order_by(StudyVisitPhoto.visit_id, StudyVisitPhoto.position)))


def has_visit_photo(*, session: Session, study_id: int, without_endpoint: str | None = None) -> bool:
    """Whether the study has a visit photo (one with no ``without_endpoint`` row, if given): one
    indexed query, so ``facefit study analyze`` can skip starting a cluster when nothing is left."""
    query = (
        select(StudyVisitPhoto.id)
        .join(StudyVisit, StudyVisit.id == StudyVisitPhoto.visit_id)
        .join(StudyParticipant, StudyParticipant.id == StudyVisit.participant_id)
        .where(StudyParticipant.study_id == study_id)
    )
    if without_endpoint is not None:
        measured = select(StudyMeasurement.id).where(
            StudyMeasurement.visit_photo_id == StudyVisitPhoto.id,
            StudyMeasurement.endpoint == without_endpoint,
        )
        query = query.where(~measured.exists())
    return session.scalar(query.limit(1)) is not None


def visit_photo_of(*, session: Session, photo_id: int) -> StudyVisitPhoto | None:
    return session.scalar(select(StudyVisitPhoto).where(StudyVisitPhoto.photo_id == photo_id))


def add_visit_photo(
    *, session: Session, visit_id: int, photo_id: int, position: int, at: datetime
) -> StudyVisitPhoto:
    row = StudyVisitPhoto(visit_id=visit_id, photo_id=photo_id, position=position, added_at=at)
    session.add(row)
    session.flush()
    return row


def add_deviation(*, session: Session, **fields: Any) -> StudyDeviation:
    if fields.get("severity") not in SEVERITIES:
        raise ValueError(f"severity must be one of {SEVERITIES}")
    row = StudyDeviation(**fields)
    session.add(row)
    session.flush()
    return row


def list_deviations(*, session: Session, participant_ids: Sequence[int]) -> list[StudyDeviation]:
    if not participant_ids:
        return []
    return list(session.scalars(select(StudyDeviation)
                                .where(StudyDeviation.participant_id.in_(participant_ids))
                                .order_by(StudyDeviation.id)))


# --- measurements (idempotent) -----------------------------------------------------------------------


def upsert_measurements(*, session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert or replace ``(visit_photo_id, endpoint) -> value, method`` rows: a re-run, or a task that
    ran twice on two workers, leaves exactly one row per photo and endpoint."""
    if not rows:
        return 0
    values = [{"visit_photo_id": int(r["visit_photo_id"]), "endpoint": str(r["endpoint"]),
               "value": float(r["value"]), "method": str(r["method"])[:80], "measured_at": utcnow()}
              for r in rows]
    dialect = session.get_bind().dialect.name
    if dialect in ("sqlite", "postgresql"):
        # One statement with bound parameters, executed for many rows: compiled once and cached (a
        # multi-row VALUES of a different length each time was compiled again for every photo). On the
        # table, not the class: the ORM's bulk path cost ~80 us of Python a row (py-spy, 360 photos).
        insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
        statement = insert(StudyMeasurement.__table__)
        statement = statement.on_conflict_do_update(
            index_elements=["visit_photo_id", "endpoint"],
            set_={"value": statement.excluded.value, "method": statement.excluded.method,
                  "measured_at": statement.excluded.measured_at})
        session.execute(statement, values)
    else:  # pragma: no cover - FaceFit runs on SQLite and PostgreSQL
        for value in values:
            row = session.scalar(select(StudyMeasurement).where(
                StudyMeasurement.visit_photo_id == value["visit_photo_id"],
                StudyMeasurement.endpoint == value["endpoint"]))
            if row is None:
                session.add(StudyMeasurement(**value))
            else:
                row.value, row.method, row.measured_at = value["value"], value["method"], value["measured_at"]
    session.flush()
    return len(values)


def measurements(*, session: Session, visit_photo_ids: Sequence[int]) -> list[StudyMeasurement]:
    if not visit_photo_ids:
        return []
    return list(session.scalars(select(StudyMeasurement)
                                .where(StudyMeasurement.visit_photo_id.in_(visit_photo_ids))))


# --- ratings --------------------------------------------------------------------------------------------


def rating_items(*, session: Session, rater_id: int) -> list[StudyRating]:
    return list(session.scalars(select(StudyRating).where(StudyRating.rater_id == rater_id)
                                .order_by(StudyRating.queue_position)))


def rating_by_token(*, session: Session, rater_id: int, token: str) -> StudyRating | None:
    """The rater's own item with this token (another rater's token is not found: no existence leak)."""
    return session.scalar(select(StudyRating).where(StudyRating.rater_id == rater_id,
                                                    StudyRating.token == token))


def study_ratings(*, session: Session, study_id: int) -> list[StudyRating]:
    return list(session.scalars(select(StudyRating).where(StudyRating.study_id == study_id,
                                                          StudyRating.rated_at.is_not(None))
                                .order_by(StudyRating.id)))


# --- the audit log ----------------------------------------------------------------------------------------


def _entry_hash(prev: str, *, seq: int, at: datetime, actor: str, action: str, code: str | None,
                detail: Mapping[str, Any]) -> str:
    body = json.dumps({"seq": seq, "at": at.isoformat(), "actor": actor, "action": action, "code": code,
                       "detail": detail}, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev + body).encode()).hexdigest()


def append_audit(
    *, session: Session, study_id: int, actor: str, action: str, participant_code: str | None = None,
    detail: Mapping[str, Any] | None = None, at: datetime | None = None,
) -> StudyAudit:
    """Add an entry chained to the previous one (a concurrent writer fails on the unique ``seq`` and its
    transaction rolls back whole: nothing half-logged)."""
    last = session.scalar(select(StudyAudit).where(StudyAudit.study_id == study_id)
                          .order_by(StudyAudit.seq.desc()).limit(1))
    seq = 1 if last is None else last.seq + 1
    prev = GENESIS if last is None else last.hash
    when = (at or utcnow()).astimezone(UTC)
    payload = json.loads(json.dumps(dict(detail or {}), default=str))
    row = StudyAudit(study_id=study_id, seq=seq, at=when, actor=actor[:120], action=action,
                     participant_code=participant_code, detail=payload, prev_hash=prev,
                     hash=_entry_hash(prev, seq=seq, at=when, actor=actor[:120], action=action,
                                      code=participant_code, detail=payload))
    session.add(row)
    session.flush()
    return row


def audit_entries(*, session: Session, study_id: int) -> list[StudyAudit]:
    return list(session.scalars(select(StudyAudit).where(StudyAudit.study_id == study_id)
                                .order_by(StudyAudit.seq)))


def audit_chain_intact(entries: Sequence[StudyAudit]) -> bool:
    """True when every entry's hash matches its content and its predecessor (no edit, gap or removal)."""
    prev = GENESIS
    for expected_seq, row in enumerate(entries, start=1):
        if row.seq != expected_seq or row.prev_hash != prev:
            return False
        if row.hash != _entry_hash(prev, seq=row.seq, at=row.at, actor=row.actor, action=row.action,
                                   code=row.participant_code, detail=row.detail):
            return False
        prev = row.hash
    return True
