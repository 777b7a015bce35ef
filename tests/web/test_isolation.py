"""No account reaches another's data through any route: every route with an id in its path is tried
with another user's ids (routes are enumerated from the app, so a new route is covered automatically),
and a coach sees nothing until invited and accepted, then only reads; an invitation tells the member
nothing about whether a coach account uses the email."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from webtest_helpers import User

from facefit.store import sessions as practice

MARKER = "marker-of-alice-7f3e"


@pytest.fixture
def alice(app: FastAPI, make_user: Any, real_data: Path) -> dict[str, Any]:
    """Alice with a session (and a marked event), a photo, an API token and a coach who accepted."""
    user = make_user("alice@example.org")
    coach = make_user("coach@example.org", "coach")
    with app.state.store.transaction() as db:
        from facefit.store.web import get_account

        profile_id = get_account(session=db, account_id=user.id).profile_id
        session = practice.start_session(session=db, profile_id=profile_id, kind="coach",
                                         exercise_id="cheek-lifter", source="web")
        practice.record_event(session=db, session_id=session.id, kind="fault",
                              payload={"message": MARKER})
        practice.record_step(session=db, session_id=session.id, position=1, exercise_id="cheek-lifter",
                             reps_done=3)
    jpeg = (real_data / "single_face.jpg").read_bytes()
    photo = user.client.post("/api/photos", files={"file": ("me.jpg", jpeg, "image/jpeg")},
                             data={"force": "true"})
    assert photo.status_code == 201, photo.text
    token = user.client.post("/api/account/tokens", json={"name": "alice-script"}).json()
    assert user.client.post("/api/account/coaches", json={"email": coach.email}).status_code == 202
    assert coach.client.post(f"/api/coach/invitations/{user.id}").status_code == 200
    return {"user": user, "coach": coach, "session_id": session.id, "photo_id": photo.json()["photo_id"],
            "token": token, "profile_id": profile_id}


def _ids(alice: dict[str, Any]) -> dict[str, Any]:
    return {"session_id": alice["session_id"], "photo_id": alice["photo_id"],
            "token_id": alice["token"]["id"], "coach_id": alice["coach"].id, "member_id": alice["user"].id,
            "account_id": alice["user"].id,
            # study mode (its own tests try these routes with real studies: tests/web/test_study_blinding.py)
            "slug": "a-study", "code": "P0001", "visit": "baseline", "name": "rater", "token": "x"}


BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/api/sessions/{session_id}/pain"): {"note": "not mine"},
    ("PATCH", "/api/admin/accounts/{account_id}"): {"role": "member"},
}


def _alice_intact(app: FastAPI, alice: dict[str, Any]) -> None:
    user: User = alice["user"]
    detail = user.client.get(f"/api/sessions/{alice['session_id']}")
    assert detail.status_code == 200 and detail.json()["status"] == "running"
    assert [e["payload"].get("message") for e in detail.json()["events"]] == [MARKER]
    assert user.client.get(f"/api/photos/{alice['photo_id']}/image").status_code == 200
    assert [t["revoked"] for t in user.client.get("/api/account/tokens").json()] == [False]
    assert [c["id"] for c in user.client.get("/api/account/coaches").json()] == [alice["coach"].id]
    assert user.client.get("/api/account").json()["role"] == "member"


def _leaks(response: Any, alice: dict[str, Any]) -> bool:
    body = response.content
    if response.headers.get("content-type", "").startswith("application/zip"):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return MARKER.encode() in body or alice["user"].email.encode() in body


def test_no_route_lets_one_member_touch_anothers_data(app: FastAPI, make_user: Any,
                                                      alice: dict[str, Any]) -> None:
    bob = make_user("bob@example.org")
    ids = _ids(alice)
    tried = 0
    # Every HTTP route is in the OpenAPI spec (pages and static assets take no ids and hold no data).
    for path, operations in app.openapi()["paths"].items():
        params = re.findall(r"{(\w+)", path)
        if path.startswith("/api/catalog/"):  # public exercise data, the same for everyone
            continue
        for method in (m.upper() for m in operations):
            if not params:
                if method == "GET":  # listings must hold only Bob's data
                    response = bob.client.get(path)
                    assert not _leaks(response, alice), f"GET {path} shows Alice's data"
                continue
            unknown = set(params) - set(ids)
            assert not unknown, f"{path}: add {unknown} to the isolation test's id table"
            url = path.format(**{p: ids[p] for p in params})
            body = BODIES.get((method, path))
            response = bob.client.request(method, url, json=body if body is not None else {})
            tried += 1
            assert response.status_code in (401, 403, 404), f"{method} {path}: {response.status_code}"
            assert not _leaks(response, alice), f"{method} {path} leaks Alice's data"
    assert tried >= 11  # every id-taking route today; new ones only add to it
    _alice_intact(app, alice)


def test_websocket_cannot_resume_another_members_session(app: FastAPI, make_user: Any,
                                                         alice: dict[str, Any]) -> None:
    bob = make_user("bob@example.org")
    with bob.client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter", "session_id": alice["session_id"]})
        reply = ws.receive_json()
        assert reply == {"type": "error", "message": f"You have no session {alice['session_id']} to resume."}
    _alice_intact(app, alice)


def test_a_coach_sees_nothing_until_invited_and_then_only_reads(app: FastAPI, make_user: Any,
                                                              alice: dict[str, Any]) -> None:
    stranger = make_user("stranger@example.org", "coach")
    make_user("bob@example.org")  # a member: inviting them must look like inviting nobody
    member = alice["user"]
    sid = alice["session_id"]
    assert stranger.client.get("/api/coach/members").json() == []
    invited = member.client.post("/api/account/coaches", json={"email": stranger.email})  # pending: no access
    assert invited.status_code == 202
    assert [m["id"] for m in stranger.client.get("/api/coach/invitations").json()] == [member.id]
    assert stranger.email not in member.client.get("/api/account/coaches").text
    for path in (f"/api/coach/members/{member.id}/sessions", f"/api/coach/members/{member.id}/sessions/{sid}",
                 f"/api/coach/members/{member.id}/progress",
                 f"/api/sessions/{sid}", f"/api/photos/{alice['photo_id']}/image"):
        response = stranger.client.get(path)
        assert response.status_code == 404 and not _leaks(response, alice), path
    coach = alice["coach"]
    assert [m["id"] for m in coach.client.get("/api/coach/members").json()] == [member.id]
    sessions = coach.client.get(f"/api/coach/members/{member.id}/sessions").json()
    assert [s["id"] for s in sessions] == [sid]
    progress = coach.client.get(f"/api/coach/members/{member.id}/progress").json()
    assert progress["sessions"][0]["kind"] == "coach"
    detail = coach.client.get(f"/api/coach/members/{member.id}/sessions/{sid}").json()
    assert detail["events"][0]["payload"]["message"] == MARKER
    # read-only: the member's own write routes are scoped by the caller's profile
    assert coach.client.post(f"/api/sessions/{sid}/pain", json={"note": "x"}).status_code == 404
    assert coach.client.delete(f"/api/sessions/{sid}").status_code == 404
    assert coach.client.delete(f"/api/photos/{alice['photo_id']}").status_code == 404
    assert member.client.delete(f"/api/account/coaches/{coach.id}").status_code == 200
    assert coach.client.get(f"/api/coach/members/{member.id}/sessions").status_code == 404
    assert coach.client.get("/api/coach/members").json() == []
    # a member is not a coach; inviting an unknown email or a member gets the same answer as a coach
    assert member.client.get("/api/coach/members").status_code == 403
    answers = {(r.status_code, r.text) for r in (
        member.client.post("/api/account/coaches", json={"email": email})
        for email in ("bob@nowhere.org", "bob@example.org", "stranger@example.org"))}
    assert len(answers) == 1 and next(iter(answers))[0] == 202, answers
    assert [c["id"] for c in member.client.get("/api/account/coaches").json()] == []


def test_facefit_serve_serves_the_app(tmp_path: Path) -> None:
    """The command a user runs: `facefit serve` answers on loopback and stops cleanly."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    import httpx

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "FACEFIT_HOME": str(tmp_path / "home")}
    server = subprocess.Popen([str(Path(sys.executable).with_name("facefit")), "serve", "--port", str(port),
                               "--log-level", "warning"], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 90  # 29 s to first answer at load average 23 on 2 cores
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "facefit serve did not start"
                time.sleep(0.2)
        assert health.json() == {"ok": True, "browser_assets": True}
        assert "Create your account" in httpx.get(f"http://127.0.0.1:{port}/signup").text
        assert httpx.get(f"http://127.0.0.1:{port}/vendor/tasks-vision/vision_bundle.mjs").status_code == 200
    finally:
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=15) == 0
