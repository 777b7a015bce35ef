"""Every error a person can read from the web API is one sentence: it starts with a capital letter and
ends with a full stop (or a question mark).

The test walks every API route of the app as an anonymous visitor, a member, a coach, an admin and a
rater, with unknown ids in the path and an empty body, and adds the refusals that need a body of their
own (not JSON, nested too deep, a null byte, too large, a photo of an unsupported type). Every 4xx answer
with a ``detail`` text is checked, so a new route or a new refusal is covered without touching this file.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from PIL import Image
from webtest_helpers import User

from facefit.safety.conditions import CONDITION_IDS
from facefit.store import web as accounts
from facefit.study import service
from facefit.study.definition import EXAMPLE_PATH, load_study, parse_study

UNKNOWN_INT = 987654
UNKNOWN_TEXT = "no-such-thing"
STAFF = ("admin", "rater")
SIGN_OUT = {"/api/auth/logout", "/api/auth/signout"}  # would end the walk's own browser session


def is_sentence(text: str) -> bool:
    text = text.strip()
    return bool(text) and text[0].isupper() and text.endswith((".", "?"))


TERMINAL_WORDS = re.compile(r"`|(?<![\w-])--[a-z]|\bfacefit [a-z]")
"""A backticked command, a command-line flag or a ``facefit`` command: words for the terminal only."""


def terminal_words(text: str) -> list[str]:
    """The terminal's words in a text a person reads on the web (none expected)."""
    return TERMINAL_WORDS.findall(text)


def _operations(client: TestClient, slug: str = UNKNOWN_TEXT) -> list[tuple[str, str]]:
    """(method, path) of every API operation in the app's OpenAPI schema, unknown ids in the path (and
    ``slug`` for a study's)."""
    out = []
    for template, operations in client.get("/openapi.json").json()["paths"].items():
        if not template.startswith("/api/") or template in SIGN_OUT:
            continue
        for method, operation in operations.items():
            path = template
            for param in operation.get("parameters", []):
                if param["in"] == "path":
                    unknown = UNKNOWN_INT if param["schema"].get("type") == "integer" else UNKNOWN_TEXT
                    unknown = slug if param["name"] == "slug" else unknown
                    path = path.replace("{" + param["name"] + "}", str(unknown))
            out.append((method.upper(), path))
    return out


def _walk(client: TestClient, operations: list[tuple[str, str]], who: str, seen: dict[str, set[str]]) -> None:
    for method, path in operations:
        kwargs: dict[str, Any] = {"json": {}} if method in ("POST", "PUT", "PATCH", "DELETE") else {}
        _collect(client.request(method, path, **kwargs), f"{who} {method} {path}", seen)


def _collect(response: Any, where: str, seen: dict[str, set[str]]) -> None:
    if not 400 <= response.status_code < 500:
        return
    if not response.headers.get("content-type", "").startswith("application/json"):
        return
    detail = response.json().get("detail")
    if isinstance(detail, str):
        seen.setdefault(detail, set()).add(f"{response.status_code} {where}")


def _study(app: FastAPI) -> str:
    """The example study as 'trial', so a coordinator's refusals inside a real study are walked too."""
    data = load_study(EXAMPLE_PATH).to_dict()
    data["id"] = "trial"
    with app.state.store.transaction() as session:
        study, _ = service.create_study(session=session, definition=parse_study(data), seed=1, actor="test")
        return study.slug


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (128, 128, 128)).save(buffer, "PNG")
    return buffer.getvalue()


def test_every_error_the_web_api_gives_is_one_capitalised_sentence(
        app: FastAPI, make_user: Callable[..., User]) -> None:
    anonymous = TestClient(app)
    anonymous.get("/api/auth/csrf")
    anonymous.headers["X-CSRF-Token"] = anonymous.cookies["facefit_csrf"]
    users = {"anonymous": anonymous}
    for role in ("member", "coach", "admin", "rater"):
        user = make_user(f"{role}@example.org", "member" if role in STAFF else role)
        if role in STAFF:  # sign-up offers member and coach; staff roles are given afterwards
            with app.state.store.transaction() as session:
                account = accounts.get_account(session=session, account_id=user.id)
                assert account is not None
                account.role = role
        users[role] = user.client
    seen: dict[str, set[str]] = {}
    operations = _operations(anonymous)
    assert len(operations) > 60, operations
    operations += [op for op in _operations(anonymous, _study(app)) if "{" not in op[1] and "/trial" in op[1]]
    for who, client in users.items():
        _walk(client, operations, who, seen)

    member = users["member"]
    extra: list[tuple[str, Callable[[], Any]]] = [
        ("not JSON", lambda: member.post("/api/lifestyle", content=b"{not json",
                                         headers={"content-type": "application/json"})),
        ("nested", lambda: member.post("/api/lifestyle", content=b"[" * 5000,
                                       headers={"content-type": "application/json"})),
        ("unknown target", lambda: member.get("/api/practice/plan", params={"target": UNKNOWN_TEXT})),
        ("bad lifestyle value", lambda: member.post("/api/lifestyle", json={"values": {"sleep": "lots"}})),
        ("unknown lifestyle field", lambda: member.post("/api/lifestyle", json={"values": {"mood": 3}})),
        ("unknown programme", lambda: member.post("/api/habits/enrol", json={"programme_id": UNKNOWN_TEXT})),
        ("enrol before screening", lambda: member.post("/api/habits/enrol",
                                                       json={"programme_id": "eight-week"})),
        ("screening answer not yes/no", lambda: member.post("/api/screening", json={
            **{question: "no" for question in CONDITION_IDS}, "tmj": "maybe"})),
        ("no such address", lambda: member.get("/api/no-such-thing")),
        ("wrong method", lambda: member.put("/api/catalog/exercises", json={})),
        ("null byte", lambda: member.get("/api/sessions/%00")),
        ("JSON over 1 MB", lambda: member.post("/api/lifestyle", content=b" " * (2 * 1024 * 1024),
                                               headers={"content-type": "application/json"})),
        ("not an email", lambda: anonymous.post("/api/auth/signup",
                                                json={"email": "nobody", "password": "x" * 12})),
        ("wrong password", lambda: anonymous.post("/api/auth/login",
                                                  json={"email": "member@example.org",
                                                        "password": "wrong password here"})),
        ("SVG photo", lambda: member.post("/api/photos", files={
            "file": ("face.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "image/svg+xml")})),
        ("empty photo", lambda: member.post("/api/photos", files={"file": ("empty.jpg", b"", "image/jpeg")})),
        ("tiny photo", lambda: member.post("/api/photos", files={"file": ("tiny.png", _png(20, 20),
                                                                          "image/png")})),
        ("photo over 15 MB", lambda: member.post("/api/photos", files={
            "file": ("big.jpg", b"\xff\xd8\xff" + b"0" * (16 * 1024 * 1024), "image/jpeg")})),
        ("no file field", lambda: member.post("/api/photos", data={"note": "hi"},
                                              files={"other": ("x.jpg", b"x", "image/jpeg")})),
    ]
    for what, call in extra:
        response = call()
        assert 400 <= response.status_code < 500, (what, response.status_code, response.text)
        _collect(response, what, seen)

    assert len(seen) >= 25, sorted(seen)  # the walk did provoke refusals of many kinds
    statuses = {where.split()[0] for places in seen.values() for where in places}
    assert {"401", "403", "404", "405", "413", "415", "422"} <= statuses, statuses
    wrong = {text: sorted(places)[:3] for text, places in seen.items() if not is_sentence(text)}
    assert not wrong, "\n".join(f"{text!r}: {places}" for text, places in sorted(wrong.items()))
    terminal = {text: sorted(places)[:3] for text, places in seen.items() if terminal_words(text)}
    assert not terminal, "\n".join(f"{text!r}: {places}" for text, places in sorted(terminal.items()))
