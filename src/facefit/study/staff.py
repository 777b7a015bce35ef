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


def _check_role(role: str) -> None:
    if role not in ACCOUNT_ROLES:
        raise InputError(f"A study's staff role is coordinator or rater, not {role!r}.")


def _linked_rows(session: Session, study: LoadedStudy, account_id: int, role: str) -> list[db.StudyStaff]:
    """The study's staff rows in ``role`` that the account acts as."""
    return [s for s in db.staff_of_account(session=session, account_id=account_id, role=role)
            if s.study_id == study.id]


def _account(session: Session, email: str, role: str) -> accounts.Account:
    _check_role(role)
    account = accounts.get_account_by_email(session=session, email=email)
    needed = ACCOUNT_ROLES[role]
    if account is None or account.role not in needed:
        raise InputError(f"The account {email} is not a {' or '.join(needed)} account; set its role first.")
    return account


def link(*, session: Session, study: LoadedStudy, email: str, role: str, actor: str) -> str:
    """Link the account with ``email`` as the study's coordinator or rater (idempotent); what happened,
    as a sentence."""
    account = _account(session, email, role)
    existing = db.find_staff(session=session, study_id=study.id, role=role, name=account.email)
    was_linked = existing is not None and any(
        s.id == existing.id for s in _linked_rows(session, study, account.id, role))
    if role == "rater":
        rating.add_rater(session=session, study=study, name=account.email, actor=actor, account_id=account.id)
    else:
        db.add_staff(session=session, study_id=study.id, role=role, name=account.email, account_id=account.id)
        if existing is None:
            db.append_audit(session=session, study_id=study.id, actor=actor, action="coordinator-added",
                            detail={"coordinator": account.email})
    # Linking an account to a row that was already there (one kept by an unlink, or a rater the terminal
    # added) adds no row and so no "-added" entry: it is logged here, or the log's last word on an account
    # that acts in the study again would be its unlink.
    if existing is not None and not was_linked:
        db.append_audit(session=session, study_id=study.id, actor=actor, action=f"{role}-linked",
                        detail={role: existing.name, "account": account.email})
    return f"{account.email} is now a {role} of {study.slug}."


def unlink(*, session: Session, study: LoadedStudy, email: str, role: str, actor: str) -> str:
    """Remove the account's link as the study's coordinator or rater; its staff row and ratings stay.

    The account's role now is not checked: an account whose role was changed after it was linked (a coach
    made a member) must still be unlinkable without giving it the role back first."""
    _check_role(role)
    account = accounts.get_account_by_email(session=session, email=email)
    rows = [] if account is None else _linked_rows(session, study, account.id, role)
    if account is None or not rows:
        raise StudyError(f"The account {email} is not a {role} of {study.slug}.")
    for row in rows:
        db.unlink_staff_account(session=session, staff_id=row.id)
        db.append_audit(session=session, study_id=study.id, actor=actor, action=f"{role}-unlinked",
                        detail={role: row.name, "account": account.email})
    return f"{account.email} is no longer a {role} of {study.slug}."


def every_study(*, session: Session) -> list[StudyStaff]:
    """Every study, oldest first, with its coordinators then its raters and the account acting as each."""
    by_study: dict[int, list[StaffMember]] = {}
    for row, email in db.staff_with_accounts(session=session):
        by_study.setdefault(row.study_id, []).append(StaffMember(row.role, row.name, email))
    return [StudyStaff(s.slug, s.title, tuple(sorted(by_study.get(s.id, []), key=lambda m: m.role)))
            for s in db.list_studies(session=session)]
