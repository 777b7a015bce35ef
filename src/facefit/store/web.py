"""Web accounts: logins, browser sessions, API tokens and coach invitations (issue 7).

Each account owns exactly one :class:`~facefit.store.models.Profile`; every health-data query in the
web app is scoped by that profile id, so an account can only ever reach its own rows. Secrets are never
stored in clear: passwords are argon2 hashes, and session cookies and API tokens are stored as SHA-256
digests (they are long random strings, so a fast hash is enough and lookups stay indexable).
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, delete, or_, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from facefit.store.base import Base, utcnow
from facefit.store.models import PracticeSession, Profile

PROFILE_NAME_MAX = Profile.__table__.c.name.type.length
TOKEN_SCOPES: tuple[str, ...] = ("read", "practice", "full")
"""What an API token may do, least first: read; also record practice (sessions, lifestyle, photos);
everything a signed-in browser may (tokens, coaches, deletions)."""

ROLES: tuple[str, ...] = ("member", "coach", "admin", "rater")  # rater: study mode's blinded raters


class Account(Base):
    """A login. ``role`` is member, coach or admin; the profile holds the person's health data."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(10), default="member")
    display_name: Mapped[str] = mapped_column(String(120), default="")
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(default=None)


class AuthSession(Base):
    """A signed-in browser: the cookie's SHA-256 digest, its CSRF token and when it expires."""

    __tablename__ = "auth_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class ApiToken(Base):
    """A named API token for scripts; shown once at creation, stored only as its SHA-256 digest."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(String(10), default="read", server_default="full")  # TOKEN_SCOPES


class CoachLink(Base):
    """A member's invitation of a coach: once the coach accepts, they may read (never change) that
    member's data. Until then it gives no access and the member's list does not show it."""

    __tablename__ = "coach_links"
    __table_args__ = (UniqueConstraint("member_id", "coach_id", name="uq_coach_links_member_coach"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    coach_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    accepted_at: Mapped[datetime | None] = mapped_column(default=None)


# --- accounts -------------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _profile_name(email: str) -> str:
    """The account's profile name: readable for ordinary emails, a digest when the email (up to 254
    characters) would not fit the 120-character profile name (PostgreSQL refuses what SQLite keeps)."""
    name = f"web:{email}"
    if len(name) <= PROFILE_NAME_MAX:
        return name
    return f"web:sha256:{hashlib.sha256(email.encode()).hexdigest()}"


def create_account(
    *, session: Session, email: str, password_hash: str, role: str = "member", display_name: str = ""
) -> Account:
    """A new account with its own fresh profile (flushed, so both have ids)."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
    profile = Profile(name=_profile_name(normalise_email(email)))
    session.add(profile)
    session.flush()
    account = Account(
        email=normalise_email(email), password_hash=password_hash, role=role,
        display_name=display_name, profile_id=profile.id,
    )
    session.add(account)
    session.flush()
    return account


def get_account_by_email(*, session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == normalise_email(email)))


def get_account(*, session: Session, account_id: int) -> Account | None:
    return session.get(Account, account_id)


def list_accounts(*, session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.id)))


# --- browser sessions and API tokens ---------------------------------------------------------------


def add_auth_session(
    *, session: Session, account_id: int, token_hash: str, csrf_token: str, expires_at: datetime
) -> AuthSession:
    row = AuthSession(account_id=account_id, token_hash=token_hash, csrf_token=csrf_token,
                      expires_at=expires_at)
    session.add(row)
    session.flush()
    return row


def find_auth_session(*, session: Session, token_hash: str) -> AuthSession | None:
    return session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash))


def drop_auth_session(*, session: Session, token_hash: str) -> None:
    session.execute(delete(AuthSession).where(AuthSession.token_hash == token_hash))


def add_api_token(
    *, session: Session, account_id: int, name: str, token_hash: str, prefix: str, scope: str = "read"
) -> ApiToken:
    if scope not in TOKEN_SCOPES:
        raise ValueError(f"scope must be one of {', '.join(TOKEN_SCOPES)}, got {scope!r}")
    row = ApiToken(account_id=account_id, name=name, token_hash=token_hash, prefix=prefix, scope=scope)
    session.add(row)
    session.flush()
    return row


def find_api_token(*, session: Session, token_hash: str) -> ApiToken | None:
    return session.scalar(
        select(ApiToken).where(ApiToken.token_hash == token_hash, ApiToken.revoked.is_(False))
    )


def touch_api_token(*, session: Session, token_id: int, now: datetime, every_s: float) -> bool:
    """Record that a token was used at ``now`` unless that was already recorded less than ``every_s``
    ago (one conditional UPDATE: concurrent requests never wait on each other to say the same thing)."""
    stale = or_(ApiToken.last_used_at.is_(None), ApiToken.last_used_at < now - timedelta(seconds=every_s))
    result = session.execute(update(ApiToken).where(ApiToken.id == token_id, stale).values(last_used_at=now))
    return bool(result.rowcount)


def list_api_tokens(*, session: Session, account_id: int) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.account_id == account_id)
                                .order_by(ApiToken.id)))


def revoke_api_token(*, session: Session, account_id: int, token_id: int) -> bool:
    """Revoke one of the caller's tokens; False when no such token belongs to the account."""
    row = session.scalar(select(ApiToken).where(ApiToken.id == token_id, ApiToken.account_id == account_id))
    if row is None:
        return False
    row.revoked = True
    return True


# --- coaches --------------------------------------------------------------------------------------


def invite_coach(*, session: Session, member_id: int, coach_id: int) -> CoachLink:
    """A pending invitation (idempotent: inviting the same coach twice keeps one link)."""
    link = session.scalar(
        select(CoachLink).where(CoachLink.member_id == member_id, CoachLink.coach_id == coach_id)
    )
    if link is None:
        link = CoachLink(member_id=member_id, coach_id=coach_id)
        session.add(link)
        session.flush()
    return link


def remove_coach(*, session: Session, member_id: int, coach_id: int) -> bool:
    result = session.execute(
        delete(CoachLink).where(CoachLink.member_id == member_id, CoachLink.coach_id == coach_id)
    )
    return bool(result.rowcount)


def accept_invitation(*, session: Session, coach_id: int, member_id: int) -> bool:
    """The coach accepts a member's invitation; False when there is none."""
    link = session.scalar(
        select(CoachLink).where(CoachLink.member_id == member_id, CoachLink.coach_id == coach_id)
    )
    if link is None:
        return False
    link.accepted_at = link.accepted_at or utcnow()
    return True


def coaches_of(*, session: Session, member_id: int) -> list[Account]:
    """Coaches who accepted the member's invitation (pending ones are not shown: no enumeration)."""
    return list(session.scalars(
        select(Account).join(CoachLink, CoachLink.coach_id == Account.id)
        .where(CoachLink.member_id == member_id, CoachLink.accepted_at.is_not(None)).order_by(Account.id)
    ))


def members_of(*, session: Session, coach_id: int, accepted: bool = True) -> list[Account]:
    """Members whose invitation the coach accepted (``accepted=False``: those still waiting)."""
    state = CoachLink.accepted_at.is_not(None) if accepted else CoachLink.accepted_at.is_(None)
    return list(session.scalars(
        select(Account).join(CoachLink, CoachLink.member_id == Account.id)
        .where(CoachLink.coach_id == coach_id, state).order_by(Account.id)
    ))


def coach_may_read(*, session: Session, coach_id: int, member_id: int) -> bool:
    return session.scalar(
        select(CoachLink.id).where(CoachLink.member_id == member_id, CoachLink.coach_id == coach_id,
                                   CoachLink.accepted_at.is_not(None))
    ) is not None


# --- practice sessions, always scoped by profile ------------------------------------------------------


def list_sessions(*, session: Session, profile_id: int, limit: int = 200) -> list[PracticeSession]:
    return list(session.scalars(
        select(PracticeSession).where(PracticeSession.profile_id == profile_id)
        .order_by(PracticeSession.started_at.desc(), PracticeSession.id.desc()).limit(limit)
    ))


def get_session(*, session: Session, profile_id: int, session_id: int) -> PracticeSession | None:
    """The practice session only if it belongs to ``profile_id`` (None otherwise: no existence leak)."""
    return session.scalar(
        select(PracticeSession).where(PracticeSession.id == session_id,
                                      PracticeSession.profile_id == profile_id)
    )
