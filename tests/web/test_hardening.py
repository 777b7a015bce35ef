"""Low-severity hardening (issue 13, finding 8): HSTS over HTTPS only, the API description off unless
asked for, no account enumeration through sign-up or coach invitations, scoped API tokens."""

from __future__ import annotations

from pathlib import Path

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
