"""Coaching results do not depend on the frame path: one real landmark stream replayed through the
coaching WebSocket (binary frames, the batcher's vectorised signals, change-only replies) gives exactly
the engine events ``facefit analyze`` gives for the same stream (``practice.analyze.analyze_series``,
what the command runs on the landmarker's output), on the wire and in the store."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from fastapi import FastAPI
from sqlalchemy import select
from webtest_helpers import frame_bytes, receive

from facefit.coach.events import EventKind
from facefit.practice.analyze import analyze_series
from facefit.signals.compute import signals_batch
from facefit.signals.names import SignalSeries
from facefit.store.models import SessionEvent
from facefit.web.live.protocol import decode_state

ENGINE_EVENTS = set(EventKind)


def test_server_events_equal_analyze_on_the_same_stream(app: FastAPI, make_user: Any, recording: Any) -> None:
    user = make_user("replay@example.org")
    with user.client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter", "sets": 1, "binary": True})
        ready = receive(ws)
        assert ready["type"] == "ready" and ready["fps"] == 15
        for i in range(len(recording.t_ms)):  # all at once: the batcher takes several frames per batch
            ws.send_bytes(frame_bytes(recording, i, ready["landmarks"]))
        ws.send_json({"type": "ping"})
        raw = []
        while "pong" not in str((message := ws.receive()).get("text")):
            raw.append(message)
        messages = [decode_state(m["bytes"]) if m.get("bytes") is not None else json.loads(m["text"])
                    for m in raw]
        ws.send_json({"type": "end"})
        assert receive(ws)["type"] == "saved"
    session_id = next(m["session_id"] for m in messages if m["type"] == "session")
    assert any(m.get("bytes") is not None for m in raw)  # the page's binary state replies, decoded above
    wire = [{k: v for k, v in e.items() if k not in ("event", "say")}
            for m in messages for e in m.get("events", []) if e["event"] in ENGINE_EVENTS]

    # The same stream offline: every landmark, as the landmarker gave them (the server gets only those
    # the signals read, as float32, as the browser sends them).
    values = signals_batch(recording.landmarks.astype(np.float64), recording.size,
                           recording.blendshapes.astype(np.float64), recording.transforms.astype(np.float64))
    _result, engine = analyze_series(SignalSeries(recording.t_ms, values), exercise_id="cheek-lifter",
                                     fps=15.0)
    offline = [event.to_dict() for event in engine.events]
    assert sum(e["kind"] == "rep" for e in offline) == len(recording.truth["reps"])
    assert wire == offline

    with app.state.store.transaction() as db:
        stored = [(e.kind, e.payload) for e in db.scalars(
            select(SessionEvent).where(SessionEvent.session_id == session_id).order_by(SessionEvent.id))]
    assert [kind for kind, _ in stored] == [e["kind"] for e in offline]
    assert [{k: v for k, v in payload.items() if k not in ("exercise_id", "set_index")}
            for _, payload in stored] == offline
