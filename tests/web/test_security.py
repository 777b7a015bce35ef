"""Accounts and the security basics: argon2 at rest, hashed tokens, cookie flags, CSRF, login rate
limit, API tokens, and one clear sentence for bad JSON."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from webtest_helpers import PASSWORD, sign_up

from facefit.store.web import Account, ApiToken, AuthSession
from facefit.web.api.routes.auth import SIGNUP_REFUSED


def test_signup_login_logout_with_safe_cookies(app: FastAPI, make_user: Any) -> None:
    user = make_user("Ann@Example.org")
    assert user.account["email"] == "ann@example.org" and user.account["role"] == "member"
    assert user.client.get("/api/account").json()["email"] == "ann@example.org"
    assert user.client.post("/api/auth/logout").status_code == 200
    assert user.client.get("/api/account").status_code == 401
    browser = TestClient(app)
    browser.get("/api/auth/csrf")
    response = browser.post("/api/auth/login", json={"email": "ann@example.org", "password": PASSWORD},
                            headers={"X-CSRF-Token": browser.cookies["facefit_csrf"]})
    assert response.status_code == 200
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith("facefit_session="))
    assert "HttpOnly" in session_cookie and "SameSite=lax" in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith("facefit_csrf="))
    assert "HttpOnly" not in csrf_cookie and "SameSite=strict" in csrf_cookie
    assert make_user_conflict(app) == (409, SIGNUP_REFUSED)


def make_user_conflict(app: FastAPI) -> tuple[int, str]:
    client = TestClient(app)
    client.get("/api/auth/csrf")
    response = client.post("/api/auth/signup", json={"email": "ANN@example.org", "password": PASSWORD},
                           headers={"X-CSRF-Token": client.cookies["facefit_csrf"]})
    return response.status_code, response.json()["detail"]


def test_secrets_are_stored_hashed(app: FastAPI, make_user: Any) -> None:
    user = make_user("hash@example.org")
    token = user.client.post("/api/account/tokens", json={"name": "cli"}).json()["token"]
    with app.state.store.transaction() as db:
        account = db.scalar(select(Account).where(Account.email == "hash@example.org"))
        assert account is not None and account.password_hash.startswith("$argon2id$")
        assert PASSWORD not in account.password_hash
        stored = db.scalars(select(ApiToken.token_hash)).all()
        assert token not in stored and len(stored[0]) == 64
        cookies = db.scalars(select(AuthSession.token_hash)).all()
        assert user.client.cookies["facefit_session"] not in cookies


def test_cookie_writes_need_the_csrf_token(app: FastAPI, make_user: Any) -> None:
    user = make_user("csrf@example.org")
    good = user.client.headers.pop("X-CSRF-Token")
    response = user.client.post("/api/account/tokens", json={"name": "x"})
    assert response.status_code == 403 and "CSRF" in response.json()["detail"]
    response = user.client.post("/api/account/tokens", json={"name": "x"}, headers={"X-CSRF-Token": "forged"})
    assert response.status_code == 403
    assert user.client.post("/api/account/tokens", json={"name": "x"},
                            headers={"X-CSRF-Token": good}).status_code == 201
    anonymous = TestClient(app)
    response = anonymous.post("/api/auth/login", json={"email": "csrf@example.org", "password": PASSWORD})
    assert response.status_code == 403  # login CSRF too


def test_api_tokens_work_without_cookies_and_can_be_revoked(app: FastAPI, make_user: Any) -> None:
    user = make_user("token@example.org")
    made = user.client.post("/api/account/tokens", json={"name": "script", "scope": "full"}).json()
    script = TestClient(app, headers={"Authorization": f"Bearer {made['token']}"})
    assert script.get("/api/account").json()["email"] == "token@example.org"
    assert script.post("/api/account/tokens", json={"name": "second"}).status_code == 201  # no CSRF needed
    assert user.client.delete(f"/api/account/tokens/{made['id']}").status_code == 200
    response = script.get("/api/account")
    assert response.status_code == 401
    assert response.json()["detail"] == "This API token is invalid or revoked."


def test_login_is_rate_limited(app: FastAPI, make_user: Any) -> None:
    make_user("target@example.org")
    attacker = TestClient(app)
    attacker.get("/api/auth/csrf")
    headers = {"X-CSRF-Token": attacker.cookies["facefit_csrf"]}
    codes = [attacker.post("/api/auth/login", json={"email": "target@example.org", "password": f"guess-{i}"},
                           headers=headers).status_code for i in range(5)]
    assert codes == [401] * 5
    blocked = attacker.post("/api/auth/login", json={"email": "target@example.org", "password": PASSWORD},
                            headers=headers)
    assert blocked.status_code == 429 and "Too many failed sign-ins" in blocked.json()["detail"]
    assert int(blocked.headers["Retry-After"]) > 0
    other = sign_up(app, "bystander@example.org")  # other accounts are unaffected
    assert other.client.get("/api/account").status_code == 200


def test_bad_json_and_bad_fields_get_one_clear_sentence(app: FastAPI, make_user: Any) -> None:
    user = make_user("json@example.org")
    response = user.client.post("/api/account/tokens", content=b'{"name": ',
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The request body is not valid JSON")
    response = user.client.post("/api/account/tokens", json={"name": "x", "admin": True})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The field admin is not valid: extra inputs")
    response = user.client.post("/api/account/coaches", json={"email": "not-an-email"})
    assert response.status_code == 422
    assert response.json()["detail"].startswith("The field email is not an email address")
    response = user.client.post("/api/lifestyle", json={"values": {"sleep": "lots"}})
    assert response.status_code in (400, 422) and "sleep" in response.json()["detail"].lower()
    assert user.client.get("/api/account").status_code == 200


def test_pages_and_api_carry_security_headers_and_the_spec_is_served(app: FastAPI, make_user: Any) -> None:
    user = make_user("headers@example.org")
    page = user.client.get("/practice")
    assert page.status_code == 200 and "rep-count" in page.text
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "http" not in csp
    assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
    assert user.client.get("/api/sessions").headers["cache-control"] == "no-store"
    assert TestClient(app).get("/practice", follow_redirects=False).status_code == 303  # sign in first
    spec = TestClient(app).get("/openapi.json").json()
    assert {"/api/sessions", "/api/photos", "/api/account/export", "/api/progress"} <= set(spec["paths"])


def test_screening_then_enrolment_gives_todays_plan(app: FastAPI, make_user: Any) -> None:
    user = make_user("plan@example.org")
    before = user.client.get("/api/habits/today").json()
    assert before["enrolled"] is False
    refused_today = before["message"]
    programme = user.client.get("/api/catalog/programmes").json()[0]["id"]
    refused = user.client.post("/api/habits/enrol", json={"programme_id": programme})
    assert refused.status_code == 400 and "screen" in refused.json()["detail"].lower()
    questions = user.client.get("/api/screening").json()["questions"]
    answered = user.client.post("/api/screening", json={q["id"]: "no" for q in questions})
    assert answered.status_code == 200 and answered.json()["level"] == "ok"
    assert "answer the screening" in refused_today  # asked before, and not once it is answered
    assert user.client.get("/api/habits/today").json()["message"].endswith("choose one below.")
    assert user.client.post("/api/habits/enrol", json={"programme_id": programme}).status_code == 200
    today = user.client.get("/api/habits/today").json()
    assert today["enrolled"] is True and today["programme_id"] == programme
