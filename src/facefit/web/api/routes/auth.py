"""Sign-up, sign-in (rate-limited), sign-out, and the CSRF cookie the browser forms echo back."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, HTTPException, Request, Response, status
from sqlalchemy.exc import IntegrityError

from facefit.store import web as accounts
from facefit.web.deps import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    AnonymousCsrf,
    DbDep,
    SettingsDep,
)
from facefit.web.schemas import AccountPublic, Login, Message, SignedIn, SignUp
from facefit.web.security import digest, hash_password, new_token, verify_password
from facefit.web.settings import WebSettings

router = APIRouter(prefix="/api/auth", tags=["auth"])


def set_csrf_cookie(response: Response, settings: WebSettings, value: str) -> None:
    """The double-submit CSRF cookie: readable by the page's JS (not HttpOnly), never sent cross-site."""
    response.set_cookie(CSRF_COOKIE, value, httponly=False, samesite="strict", secure=settings.secure_cookies,
                        max_age=settings.session_days * 86400, path="/")


def _start_browser_session(
    db: DbDep, response: Response, settings: WebSettings, account: accounts.Account
) -> SignedIn:
    cookie, csrf = new_token(), new_token()
    accounts.add_auth_session(
        session=db, account_id=account.id, token_hash=digest(cookie), csrf_token=csrf,
        expires_at=datetime.now(UTC) + timedelta(days=settings.session_days),
    )
    account.last_login_at = datetime.now(UTC)
    response.set_cookie(SESSION_COOKIE, cookie, httponly=True, samesite="lax", secure=settings.secure_cookies,
                        max_age=settings.session_days * 86400, path="/")
    set_csrf_cookie(response, settings, csrf)
    return SignedIn(account=AccountPublic.model_validate(account), csrf_token=csrf)


@router.get("/csrf", response_model=Message, summary="Get a CSRF cookie for the sign-up/sign-in forms")
def csrf(request: Request, response: Response, settings: SettingsDep) -> Message:
    token = request.cookies.get(CSRF_COOKIE) or new_token()
    set_csrf_cookie(response, settings, token)
    return Message(detail=token)


SIGNUP_REFUSED = "This email cannot be used for a new account; if it is yours, sign in."


@router.post("/signup", response_model=SignedIn, status_code=status.HTTP_201_CREATED,
             dependencies=[AnonymousCsrf], summary="Create a member or coach account and sign in")
def signup(body: SignUp, request: Request, db: DbDep, response: Response, settings: SettingsDep) -> SignedIn:
    """Without email verification a refused sign-up necessarily tells that the email is taken; so the
    answer is one fixed sentence, costs the same argon2 work either way, and each refusal counts against
    the client address like a failed sign-in (20 per 5 minutes), which makes probing for accounts slow."""
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"
    limits = {f"client:{client}": limiter.limit * 4}
    wait = limiter.acquire(limits)
    if wait > 0:
        seconds = int(wait) + 1
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, f"Too many attempts; try again in {seconds} "
                            "seconds.", headers={"Retry-After": str(seconds)})
    account = None
    try:
        password_hash = hash_password(body.password)  # before the lookup: the same work either way
        if accounts.get_account_by_email(session=db, email=body.email) is None:
            with contextlib.suppress(IntegrityError):  # the same email signing up twice at once
                account = accounts.create_account(session=db, email=body.email, password_hash=password_hash,
                                                  role=body.role, display_name=body.display_name)
    finally:
        limiter.release(limits, failed=account is None)
    if account is None:
        raise HTTPException(status.HTTP_409_CONFLICT, SIGNUP_REFUSED)
    return _start_browser_session(db, response, settings, account)


@router.post("/login", response_model=SignedIn, dependencies=[AnonymousCsrf],
             summary="Sign in (after 5 failures for an email, or 20 from one address, 429 until the "
                     "count decays: one more try per minute, all clear after 5 quiet minutes)")
def login(body: Login, request: Request, db: DbDep, response: Response, settings: SettingsDep) -> SignedIn:
    limiter = request.app.state.login_limiter
    client = request.client.host if request.client else "unknown"  # a trusted proxy's client, or the peer
    email_key = f"email:{accounts.normalise_email(body.email)}"
    limits = {email_key: limiter.limit, f"client:{client}": limiter.limit * 4}
    wait = limiter.acquire(limits)
    if wait > 0:
        seconds = int(wait) + 1
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS,
                            f"Too many failed sign-ins; try again in {seconds} seconds.",
                            headers={"Retry-After": str(seconds)})
    ok = False
    try:
        account = accounts.get_account_by_email(session=db, email=body.email)
        ok = account is not None and verify_password(account.password_hash, body.password)
        if account is None:
            verify_password(None, body.password)  # the same argon2 work: timing tells no emails apart
    finally:
        limiter.release(limits, failed=not ok, clear=[email_key] if ok else [])
    if not ok or account is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Wrong email or password.")
    return _start_browser_session(db, response, settings, account)


@router.post("/logout", response_model=Message, dependencies=[AnonymousCsrf], summary="Sign out this browser")
def logout(request: Request, db: DbDep, response: Response) -> Message:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.drop_auth_session(session=db, token_hash=digest(cookie))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return Message(detail="Signed out.")
