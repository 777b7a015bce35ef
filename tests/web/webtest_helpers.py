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


def engine_events_on_wire(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The engine's events in the server's replies, as ``Event.to_dict`` gives them (less the wire's
    ``event`` and spoken ``say`` fields), in order."""
    from facefit.coach.events import EventKind

    kinds = set(EventKind)
    return [{k: v for k, v in e.items() if k not in ("event", "say")}
            for m in messages for e in m.get("events", []) if e["event"] in kinds]


def offline_events(rec: Any) -> list[dict[str, Any]]:
    """The events ``analyze_series`` (what ``facefit analyze`` runs) gives on the recording: every landmark
    as the landmarker gave them, cheek lifter at the page's 15 fps."""
    from facefit.practice.analyze import analyze_series
    from facefit.signals.compute import signals_batch
    from facefit.signals.names import SignalSeries

    values = signals_batch(rec.landmarks.astype(np.float64), rec.size, rec.blendshapes.astype(np.float64),
                           rec.transforms.astype(np.float64))
    _result, engine = analyze_series(SignalSeries(rec.t_ms, values), exercise_id="cheek-lifter", fps=15.0)
    return [event.to_dict() for event in engine.events]


def stored_events(app: FastAPI, session_id: int) -> list[tuple[str, dict[str, Any]]]:
    """A session's stored events, ``(kind, payload)`` in the order written."""
    from sqlalchemy import select

    from facefit.store.models import SessionEvent

    with app.state.store.transaction() as db:
        return [(e.kind, e.payload) for e in db.scalars(
            select(SessionEvent).where(SessionEvent.session_id == session_id).order_by(SessionEvent.id))]


def without_set_keys(payload: dict[str, Any]) -> dict[str, Any]:
    """A stored event's payload less the keys the store adds (``exercise_id``, ``set_index``)."""
    return {k: v for k, v in payload.items() if k not in ("exercise_id", "set_index")}
