"""Export and account deletion follow declared ownership only: an attacker who writes the names of the
database, its WAL/SHM files or another member's photo into every text field they control exports
nothing foreign and destroys nothing foreign (issue 13, findings 1-3).

The SQLite variant keeps the database inside the FaceFit data folder, where a real install keeps it;
the PostgreSQL variant puts look-alike files there instead. After the attacker deletes their account
the app is restarted and the victim's data is all there.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import JSON, String, Text, select, update
from webtest_helpers import PASSWORD, User, sign_up

from facefit.config import data_dir
from facefit.store.schema import metadata
from facefit.store.web import Account, ApiToken
from facefit.web.app import create_app
from facefit.web.settings import WebSettings

DB_NAMES = ("facefit.db", "facefit.db-wal", "facefit.db-shm")
# Columns the attacker must keep intact to stay signed in (they are not free text anyway).
KEEP = {("accounts", "email"), ("accounts", "role"), ("accounts", "password_hash"),
        ("auth_sessions", "token_hash"), ("auth_sessions", "csrf_token"), ("api_tokens", "token_hash")}


def _app(url: str) -> FastAPI:
    return create_app(WebSettings(db_url=url, secure_cookies=False))


@pytest.fixture
def home_db(db_url: str) -> Iterator[str]:
    """SQLite: the database file inside the data folder (as installed). PostgreSQL: look-alike files."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{data_dir() / 'facefit.db'}"
        return
    for name in DB_NAMES:
        (data_dir() / name).write_bytes(b"sentinel " + name.encode())
    yield db_url


def _close(app: FastAPI) -> None:
    from facefit.web import perception

    perception.close(app.state)
    app.state.store.close()


def _profile_of(app: FastAPI, user: User) -> int:
    with app.state.store.transaction() as db:
        account = db.get(Account, user.id)
        assert account is not None
        return account.profile_id


def _victim(app: FastAPI, real_data: Path) -> dict[str, Any]:
    """A member with a photo, a week of lifestyle days, a screening, a session and a token."""
    from facefit.store import sessions as practice

    user = sign_up(app, "victim@example.org")
    photo = user.client.post("/api/photos", data={"force": "true"},
                             files={"file": ("me.jpg", (real_data / "obama.jpg").read_bytes(), "image/jpeg")})
    assert photo.status_code == 201, photo.text
    for back in range(7):
        day = (date.today() - timedelta(days=back)).isoformat()
        logged = user.client.post("/api/lifestyle", json={"day": day, "values": {"sleep": 8}})
        assert logged.status_code == 200, logged.text
    questions = user.client.get("/api/screening").json()["questions"]
    assert user.client.post("/api/screening", json={q["id"]: "no" for q in questions}).status_code == 200
    assert user.client.post("/api/account/tokens", json={"name": "victim-script"}).status_code == 201
    profile_id = _profile_of(app, user)
    with app.state.store.transaction() as db:
        session = practice.start_session(session=db, profile_id=profile_id, kind="coach",
                                         exercise_id="cheek-lifter", source="web")
        practice.record_event(session=db, session_id=session.id, kind="rep", payload={"owner": "victim"})
    with app.state.store.transaction() as db:
        from facefit.store.photos import Photo

        file_name = db.scalar(select(Photo.file_name).where(Photo.profile_id == profile_id))
    assert file_name is not None
    return {"user": user, "profile_id": profile_id, "photo": file_name, "session_id": session.id}


def _owned_rows(table: Any, profile_id: int, account_id: int, session_ids: list[int]) -> Any:
    """The attacker's rows, found independently of the code under test."""
    if table.name == "profiles":
        return table.c.id == profile_id
    if table.name == "accounts":
        return table.c.id == account_id
    for column, value in (("profile_id", profile_id), ("account_id", account_id), ("member_id", account_id)):
        if column in table.c:
            return table.c[column] == value
    if "session_id" in table.c:
        return table.c.session_id.in_(session_ids or [-1])
    return None


def _poison_every_text_field(app: FastAPI, attacker: User, poisons: list[str]) -> int:
    """Set every free-text and JSON field of the attacker's rows to names of files that are not theirs."""
    profile_id = _profile_of(app, attacker)
    changed = 0
    with app.state.store.transaction() as db:
        from facefit.store.models import PracticeSession

        session_ids = list(db.scalars(select(PracticeSession.id)
                                      .where(PracticeSession.profile_id == profile_id)))
        for table in metadata.sorted_tables:
            where = _owned_rows(table, profile_id, attacker.id, session_ids)
            if where is None:
                continue
            for n, column in enumerate(table.c):
                if (table.name, column.name) in KEEP or column.primary_key or column.foreign_keys:
                    continue
                if isinstance(column.type, String | Text):
                    limit = getattr(column.type, "length", None) or 10_000
                    fitting = [p for p in poisons if len(p) <= limit]
                    if not fitting:
                        continue
                    value: Any = fitting[n % len(fitting)]
                elif isinstance(column.type, JSON):
                    value = {"file": poisons[n % len(poisons)], "files": poisons}
                else:
                    continue
                changed += db.execute(update(table).where(where).values({column.name: value})).rowcount
    return changed


def _files_outside(root: Path, skip: Path) -> dict[Path, int]:
    """Every file under the data folder but the attacker's photo folder: path -> inode."""
    return {p: p.stat().st_ino for p in root.rglob("*") if p.is_file() and not p.is_relative_to(skip)}


def test_export_and_delete_touch_only_declared_own_files(home_db: str, real_data: Path) -> None:
    app = _app(home_db)
    root = data_dir()
    try:
        victim = _victim(app, real_data)
        photo_abs = str(root / victim["photo"])
        poisons = [*DB_NAMES, victim["photo"], photo_abs, str(root / "facefit.db-wal"), "../facefit.db",
                   f"photos/p{victim['profile_id']}"]
        attacker = sign_up(app, "attacker@example.org")
        attacker_profile = _profile_of(app, attacker)
        for name in poisons[:5]:
            made = attacker.client.post("/api/account/tokens", json={"name": name[:80]})
            assert made.status_code == 201, made.text
        upload = attacker.client.post(
            "/api/photos", data={"force": "true"},
            files={"file": ("facefit.db-wal", (real_data / "biden.jpg").read_bytes(), "image/jpeg")})
        assert upload.status_code == 201, upload.text
        with app.state.store.transaction() as db:
            from facefit.store import sessions as practice

            row = practice.start_session(session=db, profile_id=attacker_profile, kind="coach",
                                         exercise_id="cheek-lifter", source="web")
            practice.record_step(session=db, session_id=row.id, position=1, exercise_id="cheek-lifter",
                                 note="facefit.db")
        assert attacker.client.post(f"/api/sessions/{row.id}/pain", json={"note": "facefit.db-shm"}
                                    ).status_code == 200
        assert _poison_every_text_field(app, attacker, poisons) > 20
        if home_db.startswith("sqlite"):  # a legacy row written before names were checked
            with app.state.store.transaction() as db:
                db.add(ApiToken(account_id=attacker.id, name="a\x00b", token_hash="0" * 64, prefix="ffk_x"))

        exported = attacker.client.get("/api/account/export")
        assert exported.status_code == 200, exported.text
        with zipfile.ZipFile(io.BytesIO(exported.content)) as archive:
            names = archive.namelist()
            everything = b"".join(archive.read(n) for n in names)
        attacker_dir = f"files/photos/p{attacker_profile}/"
        foreign = [n for n in names if n.startswith("files/") and not n.startswith(attacker_dir)]
        assert foreign == [], f"export holds files that are not the attacker's: {foreign}"
        assert b"victim@example.org" not in everything and b"SQLite format" not in everything
        assert b"sentinel" not in everything

        own_dir = root / "photos" / f"p{attacker_profile}"
        before = _files_outside(root, own_dir)
        assert any(p.name == "facefit.db-wal" for p in before) and (root / victim["photo"]) in before
        gone = attacker.client.request("DELETE", "/api/account",
                                       json={"password": PASSWORD, "confirm": "delete my account"})
        assert gone.status_code == 200, gone.text
        after = {p: p.stat().st_ino for p in before if p.exists()}
        assert after == before, f"deleting one account touched other files: {set(before) - set(after)}"
        assert not list(own_dir.glob("*.jpg")), "the attacker's own photo outlived their account"
    finally:
        _close(app)

    restarted = _app(home_db)  # the victim's data survives a restart
    try:
        client = TestClient(restarted)
        client.get("/api/auth/csrf")
        client.headers["X-CSRF-Token"] = client.cookies["facefit_csrf"]
        signed_in = client.post("/api/auth/login", json={"email": "victim@example.org", "password": PASSWORD})
        assert signed_in.status_code == 200, signed_in.text
        client.headers["X-CSRF-Token"] = signed_in.json()["csrf_token"]
        assert len(client.get("/api/lifestyle").json()["days"]) == 7
        assert client.get("/api/screening").json()["clearance"]["level"] == "ok"
        photos = client.get("/api/photos").json()
        assert len(photos) == 1 and client.get(photos[0]["image"]).status_code == 200
        assert client.get(f"/api/sessions/{victim['session_id']}").json()["events"][0]["payload"] == {
            "owner": "victim"}
        assert [t["name"] for t in client.get("/api/account/tokens").json()] == ["victim-script"]
        if home_db.startswith("sqlite"):
            with restarted.state.store.engine.connect() as connection:
                assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
    finally:
        _close(restarted)


def test_control_characters_in_names_are_refused_at_the_edge(app: FastAPI, make_user: Any) -> None:
    user = make_user("names@example.org")
    for name in ("line\nbreak", "bell\x07", "x" * 81, ""):
        response = user.client.post("/api/account/tokens", json={"name": name})
        assert response.status_code == 422, (name, response.text)
        assert response.json()["detail"].startswith("The field name is not valid: "), response.json()
    anonymous = TestClient(app)
    anonymous.get("/api/auth/csrf")
    csrf = {"X-CSRF-Token": anonymous.cookies["facefit_csrf"]}
    refused = anonymous.post("/api/auth/signup", headers=csrf,
                             json={"email": "ctl@example.org", "password": PASSWORD, "display_name": "a\tb"})
    assert refused.status_code == 422
    assert refused.json()["detail"].startswith("The field display_name is not valid: ")
    # a null byte is refused before any route sees it, in a body, a path or a query
    null = "null byte or another control character"
    for response in (user.client.post("/api/account/tokens", json={"name": "a\x00b"}),
                     anonymous.post("/api/auth/signup", headers=csrf,
                                    json={"email": "c\x00tl@example.org", "password": PASSWORD})):
        assert response.status_code == 400 and null in response.json()["detail"], response.text
    assert user.client.get("/api/account/tokens").json() == []


def test_no_route_fails_on_a_null_byte_in_its_address(app: FastAPI, make_user: Any) -> None:
    """PostgreSQL cannot store or compare a null byte: any id or slug with %00 was a 500 there."""
    import re

    user = make_user("nul@example.org")
    tried = 0
    for path, operations in app.openapi()["paths"].items():
        url = re.sub(r"{[^}]+}", "a%00b", path) if "{" in path else f"{path}?span=a%00b"
        for method in operations:
            response = user.client.request(method.upper(), url, json={})
            assert response.status_code == 400, (method, url, response.status_code)
            tried += 1
    assert tried >= 40
