"""Coaching results do not depend on the frame path: one real landmark stream replayed through the
coaching WebSocket (binary frames, the batcher's vectorised signals, change-only replies) gives exactly
the engine events ``facefit analyze`` gives for the same stream (``practice.analyze.analyze_series``,
what the command runs on the landmarker's output), on the wire and in the store."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from webtest_helpers import (
    engine_events_on_wire,
    frame_bytes,
    offline_events,
    receive,
    stored_events,
    without_set_keys,
)

from facefit.web.live.protocol import decode_state


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
    wire = engine_events_on_wire(messages)

    # The same stream offline: every landmark, as the landmarker gave them (the server gets only those
    # the signals read, as float32, as the browser sends them).
    offline = offline_events(recording)
    assert sum(e["kind"] == "rep" for e in offline) == len(recording.truth["reps"])
    assert wire == offline

    stored = stored_events(app, session_id)
    assert [kind for kind, _ in stored] == [e["kind"] for e in offline]
    assert [without_set_keys(payload) for _, payload in stored] == offline
