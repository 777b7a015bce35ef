"""Low-severity hardening (issue 13, finding 8): HSTS over HTTPS only, the API description off unless
asked for, no account enumeration through sign-up or coach invitations, scoped API tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from facefit.web.app import create_app
from facefit.web.settings import WebSettings


def test_hsts_only_when_the_request_is_https(app: FastAPI) -> None:
    secure = TestClient(app, base_url="https://testserver").get("/login")
    assert secure.headers["strict-transport-security"].startswith("max-age=31536000")
    plain = TestClient(app).get("/login")
    assert "strict-transport-security" not in plain.headers


def test_api_description_is_off_by_default(tmp_path: Path) -> None:
    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'docs.db'}"))
    try:
        client = TestClient(app)
        assert client.get("/openapi.json").status_code == 404
        assert client.get("/docs").status_code == 404
    finally:
        app.state.store.close()
    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'docs.db'}", api_docs=True))
    try:
        client = TestClient(app)
        assert "/api/account/export" in client.get("/openapi.json").json()["paths"]
        assert client.get("/docs").status_code == 200
    finally:
        app.state.store.close()


def _token(user: Any, scope: str | None) -> str:
    body = {"name": f"t-{scope}"} | ({"scope": scope} if scope else {})
    made = user.client.post("/api/account/tokens", json=body)
    assert made.status_code == 201, made.text
    assert made.json()["scope"] == (scope or "read")
    return made.json()["token"]


def test_tokens_are_read_only_by_default_and_scopes_are_enforced_on_every_route(
        app: FastAPI, make_user: Any) -> None:
    user = make_user("scopes@example.org")
    reader, practice, full = (TestClient(app, headers={"Authorization": f"Bearer {_token(user, s)}"})
                              for s in (None, "practice", "full"))
    assert reader.get("/api/account").status_code == 200
    assert reader.get("/api/account/export").status_code == 200
    today = {"values": {"sleep": 8}}
    refused = reader.post("/api/lifestyle", json=today)
    assert refused.status_code == 403 and "scope is read" in refused.json()["detail"]
    assert reader.post("/api/account/tokens", json={"name": "escalate", "scope": "full"}).status_code == 403
    assert practice.post("/api/lifestyle", json=today).status_code == 200
    assert practice.post("/api/account/tokens", json={"name": "escalate"}).status_code == 403
    goodbye = {"password": "x" * 10, "confirm": "delete my account"}
    assert practice.request("DELETE", "/api/account", json=goodbye).status_code == 403
    assert full.post("/api/account/tokens", json={"name": "more"}).status_code == 201
    # every writing route of the API refuses a read-only token before doing anything
    tried = 0
    for path, operations in app.openapi()["paths"].items():
        if path.startswith("/api/auth/"):
            continue  # sign-up/in/out take no token
        for method in (m.upper() for m in operations if m.upper() not in ("GET", "HEAD", "OPTIONS")):
            url = path.replace("{", "").replace("}", "")
            url = "/".join("1" if part.endswith("_id") else part for part in url.split("/"))
            response = reader.request(method, url, json={})
            assert response.status_code == 403, (method, path, response.status_code, response.text)
            tried += 1
    assert tried >= 10
    assert user.client.get("/api/account").json()["email"] == "scopes@example.org"


def test_sign_up_refusals_say_one_sentence_and_are_throttled(app: FastAPI, make_user: Any,
                                                             monkeypatch: Any) -> None:
    from argon2 import PasswordHasher

    from facefit.web import security
    from facefit.web.api.routes.auth import SIGNUP_REFUSED

    monkeypatch.setattr(security, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))  # fast tries
    make_user("taken@example.org")
    prober = TestClient(app)
    prober.get("/api/auth/csrf")
    csrf = {"X-CSRF-Token": prober.cookies["facefit_csrf"]}
    answers = [prober.post("/api/auth/signup", headers=csrf,
                           json={"email": "TAKEN@example.org", "password": "another password"})
               for _ in range(21)]
    assert [(r.status_code, r.json()["detail"]) for r in answers[:20]] == [(409, SIGNUP_REFUSED)] * 20
    assert answers[20].status_code == 429 and int(answers[20].headers["Retry-After"]) > 0


def test_a_malformed_email_is_named_in_words_not_as_a_regular_expression(app: FastAPI) -> None:
    client = TestClient(app)
    client.get("/api/auth/csrf")
    answer = client.post("/api/auth/signup", headers={"X-CSRF-Token": client.cookies["facefit_csrf"]},
                         json={"email": "ada@example", "password": "correct horse battery"})
    assert answer.status_code == 422
    assert answer.json()["detail"] == ("The field email is not an email address (it looks like "
                                       "name@example.org).")
