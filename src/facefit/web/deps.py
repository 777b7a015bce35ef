"""Request dependencies as ``Annotated`` aliases: the store, a transaction, the settings and the caller.

Every route that touches health data takes :data:`MemberDep` (or :data:`CoachDep`) and scopes its
queries by ``caller.profile_id``; there is no code path that takes a profile id from the request.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from facefit.store import web as accounts
from facefit.store.db import Store
from facefit.web.security import digest, same_secret
from facefit.web.settings import WebSettings

SESSION_COOKIE = "facefit_session"
CSRF_COOKIE = "facefit_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
log = logging.getLogger(__name__)


def get_store(request: Request) -> Store:
    return request.app.state.store


def get_settings(request: Request) -> WebSettings:
    return request.app.state.settings


def get_db(request: Request) -> Iterator[Session]:
    """One transaction per request, committed before the response is sent (or rolled back on error).

    Files a route scheduled for removal (``request.state.files_to_delete``) go only after the commit,
    so a failed transaction never leaves rows pointing at deleted files.
    """
    with request.app.state.store.transaction() as session:
        yield session
    for path in getattr(request.state, "files_to_delete", ()):
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # the folder goes with its last file (it is made again on use)
            path.parent.rmdir()


StoreDep = Annotated[Store, Depends(get_store)]
SettingsDep = Annotated[WebSettings, Depends(get_settings)]
DbDep = Annotated[Session, Depends(get_db, scope="function")]


@dataclass(frozen=True)
class Caller:
    """The signed-in account behind a request and how it proved it (cookie or API token)."""

    account_id: int
    email: str
    role: str
    profile_id: int
    via: str  # "cookie" | "token"
    csrf_token: str | None = None
    token_id: int | None = None
    scope: str = "full"  # an API token's scope (accounts.TOKEN_SCOPES); a browser may do everything


def scope_allows(caller: Caller, needed: str) -> bool:
    """True when the caller's scope is ``needed`` or wider (read < practice < full)."""
    return accounts.TOKEN_SCOPES.index(caller.scope) >= accounts.TOKEN_SCOPES.index(needed)


F = TypeVar("F", bound=Callable[..., Any])


def token_scope(scope: str) -> Callable[[F], F]:
    """Mark a writing route that API tokens of ``scope`` (or wider) may call; every other write needs a
    ``full`` token and every read a ``read`` one (checked in :func:`get_caller`, so no route is missed)."""
    if scope not in accounts.TOKEN_SCOPES:
        raise ValueError(f"unknown token scope {scope!r}")

    def mark(endpoint: F) -> F:
        endpoint.token_scope = scope  # type: ignore[attr-defined]
        return endpoint

    return mark


def check_scope(request: Request, caller: Caller) -> None:
    if caller.via != "token":
        return
    endpoint = request.scope.get("endpoint")
    needed = "read" if request.method in SAFE_METHODS else getattr(endpoint, "token_scope", "full")
    if not scope_allows(caller, needed):
        raise HTTPException(status.HTTP_403_FORBIDDEN,
                            f"This API token's scope is {caller.scope}; {request.method} {request.url.path} "
                            f"needs a {needed} token (make one on the account page).")


def _unauthorised(message: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, message, headers={"WWW-Authenticate": "Bearer"})


def caller_from_credentials(
    *, session: Session, bearer: str | None, cookie: str | None
) -> Caller | None:
    """Resolve an API token or a session cookie to its account (None when neither is valid)."""
    if bearer:
        token = accounts.find_api_token(session=session, token_hash=digest(bearer))
        if token is None:
            return None
        account = accounts.get_account(session=session, account_id=token.account_id)
        if account is None:
            return None
        return Caller(account.id, account.email, account.role, account.profile_id, "token",
                      token_id=token.id, scope=token.scope)
    if cookie:
        row = accounts.find_auth_session(session=session, token_hash=digest(cookie))
        if row is None:
            return None
        if row.expires_at < datetime.now(UTC):
            return None
        account = accounts.get_account(session=session, account_id=row.account_id)
        if account is None:
            return None
        return Caller(account.id, account.email, account.role, account.profile_id, "cookie", row.csrf_token)
    return None


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def check_csrf(request: Request, expected: str | None = None) -> None:
    """Unsafe cookie-authenticated requests must echo the CSRF cookie in the X-CSRF-Token header."""
    if request.method in SAFE_METHODS or bearer_token(request):
        return
    sent = request.headers.get(CSRF_HEADER)
    cookie = request.cookies.get(CSRF_COOKIE)
    if not same_secret(sent, cookie) or (expected is not None and not same_secret(sent, expected)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "The CSRF token is missing or wrong: send the facefit_csrf cookie's value in the X-CSRF-Token "
            "header.",
        )


class TokenUse:
    """Records when API tokens were last used without a database write per request.

    A request only reads its token; at most once per ``every_s`` per token (per process) a short
    transaction of its own records the use with one conditional UPDATE. It is bookkeeping: if the
    database is busy the use goes unrecorded (logged) and the request still succeeds.
    """

    def __init__(self, store: Store, every_s: float) -> None:
        self.store = store
        self.every_s = every_s
        self._recorded: dict[int, float] = {}
        self._lock = threading.Lock()

    def note(self, token_id: int) -> None:
        now = time.monotonic()
        with self._lock:
            last = self._recorded.get(token_id)
            if last is not None and now - last < self.every_s:
                return
            self._recorded[token_id] = now
        try:
            with self.store.transaction() as db:
                accounts.touch_api_token(session=db, token_id=token_id, now=datetime.now(UTC),
                                         every_s=self.every_s)
        except OperationalError as error:
            log.warning("could not record the use of API token %s: %s", token_id, error)


def _note_token_use(request: Request, caller: Caller | None) -> None:
    if caller is not None and caller.token_id is not None:
        request.app.state.token_use.note(caller.token_id)


def get_caller(request: Request, db: DbDep) -> Caller:
    bearer = bearer_token(request)
    caller = caller_from_credentials(session=db, bearer=bearer, cookie=request.cookies.get(SESSION_COOKIE))
    if caller is None:
        raise _unauthorised("This API token is invalid or revoked." if bearer else "Sign in first.")
    if caller.via == "cookie":
        check_csrf(request, caller.csrf_token)
    check_scope(request, caller)
    _note_token_use(request, caller)
    return caller


def get_optional_caller(request: Request, db: DbDep) -> Caller | None:
    caller = caller_from_credentials(
        session=db, bearer=bearer_token(request), cookie=request.cookies.get(SESSION_COOKIE)
    )
    _note_token_use(request, caller)
    return caller


def get_member(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    """Members and admins have their own health data; coaches only read their members' (CoachDep)."""
    return caller


def get_coach(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if caller.role not in ("coach", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only coach accounts can read members' data.")
    return caller


def get_admin(caller: Annotated[Caller, Depends(get_caller)]) -> Caller:
    if caller.role != "admin":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only an admin can do this.")
    return caller


def anonymous_csrf(request: Request) -> None:
    """Sign-up and sign-in forms are CSRF-protected too (login CSRF), with the double-submit cookie."""
    check_csrf(request)


CallerDep = Annotated[Caller, Depends(get_caller)]
OptionalCallerDep = Annotated[Caller | None, Depends(get_optional_caller)]
MemberDep = Annotated[Caller, Depends(get_member)]
CoachDep = Annotated[Caller, Depends(get_coach)]
AdminDep = Annotated[Caller, Depends(get_admin)]
AnonymousCsrf = Depends(anonymous_csrf)
