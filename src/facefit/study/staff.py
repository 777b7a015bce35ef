"""Who works on a study through the web: linking an account as a study's coordinator or rater, unlinking
it, and the list of every study's staff (the admin's Study staff page and its API).

A staff row is a name in a role (the terminal's raters and the study's creator have no account); a web
account acts as one through its link. Unlinking removes only the link: the row stays, with the ratings
made under it, as when the account is deleted, so the study's history is never rewritten. Every link
and unlink is written to the study's audit log.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from facefit.errors import InputError
from facefit.store import study as db
from facefit.store import web as accounts
from facefit.study import rating
from facefit.study.service import LoadedStudy, StudyError

ACCOUNT_ROLES: dict[str, tuple[str, ...]] = {"coordinator": ("coach", "admin"), "rater": ("rater",)}
"""Which account roles may act in each staff role: a coordinator is a coach or an admin account, a rater
a rater account (kept apart from members' health data)."""


@dataclass(frozen=True)
class StaffMember:
    role: str
    name: str
    email: str | None
    """The linked account's email; None for a staff row no account acts as."""


@dataclass(frozen=True)
class StudyStaff:
    study: str
    title: str
    staff: tuple[StaffMember, ...]


def _account(session: Session, email: str, role: str) -> accounts.Account:
    if role not in ACCOUNT_ROLES:
        raise InputError(f"A study's staff role is coordinator or rater, not {role!r}.")
    account = accounts.get_account_by_email(session=session, email=email)
    needed = ACCOUNT_ROLES[role]
    if account is None or account.role not in needed:
        raise InputError(f"The account {email} is not a {' or '.join(needed)} account; set its role first.")
    return account


def link(*, session: Session, study: LoadedStudy, email: str, role: str, actor: str) -> str:
    """Link the account with ``email`` as the study's coordinator or rater (idempotent); what happened,
    as a sentence."""
    account = _account(session, email, role)
    if role == "rater":
        rating.add_rater(session=session, study=study, name=account.email, actor=actor, account_id=account.id)
    else:
        existing = db.find_staff(session=session, study_id=study.id, role=role, name=account.email)
        db.add_staff(session=session, study_id=study.id, role=role, name=account.email, account_id=account.id)
        if existing is None:
            db.append_audit(session=session, study_id=study.id, actor=actor, action="coordinator-added",
                            detail={"coordinator": account.email})
    return f"{account.email} is now a {role} of {study.slug}."


def unlink(*, session: Session, study: LoadedStudy, email: str, role: str, actor: str) -> str:
    """Remove the account's link as the study's coordinator or rater; its staff row and ratings stay."""
    account = _account(session, email, role)
    rows = [s for s in db.staff_of_account(session=session, account_id=account.id, role=role)
            if s.study_id == study.id]
    if not rows:
        raise StudyError(f"The account {account.email} is not a {role} of {study.slug}.")
    for row in rows:
        db.unlink_staff_account(session=session, staff_id=row.id)
        db.append_audit(session=session, study_id=study.id, actor=actor, action=f"{role}-unlinked",
                        detail={role: row.name, "account": account.email})
    return f"{account.email} is no longer a {role} of {study.slug}."


def every_study(*, session: Session) -> list[StudyStaff]:
    """Every study, oldest first, with its coordinators then its raters and the account acting as each."""
    emails = {a.id: a.email for a in accounts.list_accounts(session=session)}
    by_study: dict[int, list[StaffMember]] = {}
    for row, account_id in db.staff_with_accounts(session=session):
        by_study.setdefault(row.study_id, []).append(
            StaffMember(row.role, row.name, None if account_id is None else emails.get(account_id)))
    return [StudyStaff(s.slug, s.title, tuple(sorted(by_study.get(s.id, []), key=lambda m: m.role)))
            for s in db.list_studies(session=session)]
