"""Replaying a recorded landmark stream over the coaching WebSocket (shared by tests)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient

from facefit.web.live.protocol import decode_state, encode_frame


def frame_bytes(
    rec: Any, i: int, indices: list[int], *, t_offset: float = 0.0, seq: int | None = None
) -> bytes:
    """Frame ``i`` of a recording as the browser would send it (only the landmarks the server asked for)."""
    landmarks = rec.landmarks[i]
    present = bool(np.isfinite(landmarks).all())
    return encode_frame(
        seq=i if seq is None else seq, t_ms=float(rec.t_ms[i]) + t_offset, image_size=tuple(rec.size),
        landmarks=landmarks[indices] if present else None,
        blendshapes=rec.blendshapes[i] if present else None, transform=rec.transforms[i] if present else None,
    )


def receive(ws: Any) -> dict[str, Any]:
    """The next message from the coaching WebSocket as a dict: JSON as sent, a binary state reply as the
    page's ``tick`` (``protocol.decode_state``, what static/js/live.js makes of it)."""
    message = ws.receive()
    ws._raise_on_close(message)
    if message.get("bytes") is not None:
        return decode_state(message["bytes"])
    return dict(json.loads(message["text"]))


def replies(ws: Any) -> Iterator[dict[str, Any]]:
    while True:
        yield receive(ws)


def until_pong(ws: Any) -> list[dict[str, Any]]:
    """Send a ping and return every message before its pong (the server answers a ping only after every
    frame sent before it has been coached)."""
    ws.send_json({"type": "ping"})
    out = []
    for message in replies(ws):
        if message["type"] == "pong":
            return out
        out.append(message)
    return out


def events_of(ticks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for t in ticks for e in t.get("events", []) if e.get("event") == kind]


PASSWORD = "correct horse battery staple"


@dataclass
class User:
    client: TestClient
    account: dict[str, Any]
    email: str

    @property
    def id(self) -> int:
        return int(self.account["id"])


def sign_up(app: FastAPI, email: str, role: str = "member") -> User:
    client = TestClient(app)
    client.get("/api/auth/csrf")
    client.headers["X-CSRF-Token"] = client.cookies["facefit_csrf"]
    response = client.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "role": role})
    assert response.status_code == 201, response.text
    body = response.json()
    client.headers["X-CSRF-Token"] = body["csrf_token"]
    return User(client=client, account=body["account"], email=email)
