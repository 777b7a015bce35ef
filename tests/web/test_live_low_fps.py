"""The server's live coach counts a person's reps when the page's frames come slowly and unevenly, as a
busy laptop or a slow phone sends them (the practice page's frame loop runs at the landmarker's speed:
4-10 frames a second under load, two workers answering alternately; docs/design.md).

The synth clip (4 s at rest, then 3 cheek lifts) is replayed through the coaching WebSocket with only
every 3rd and then every 4th camera frame sent (4.3 frames a second). No run of those frames spans
0.95-1.0 s (14 camera frames are 0.93 s, 17 are 1.13 s), which the coach's first-still-second rest
(coach/rest.py) used to wait for: it never learned the rest face, and the set timed out with 0 reps.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from fastapi import FastAPI
from webtest_helpers import frame_bytes, receive


def _every_3rd_then_4th(n: int) -> list[int]:
    frames, i = [], 0
    for step in itertools.cycle((3, 4)):
        if i >= n:
            return frames
        frames.append(i)
        i += step
    raise AssertionError("unreachable")


def test_slow_uneven_frames_still_count_every_rep(app: FastAPI, make_user: Any, recording: Any) -> None:
    user = make_user("slow-phone@example.org")
    sent = _every_3rd_then_4th(len(recording.t_ms))
    with user.client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter", "sets": 1, "reps": 3, "binary": False})
        ready = receive(ws)
        assert ready["type"] == "ready" and ready["calibration"] != "stored"
        for i in sent:
            ws.send_bytes(frame_bytes(recording, i, ready["landmarks"]))
        ws.send_json({"type": "ping"})
        messages = []
        while "pong" not in str((message := ws.receive()).get("text")):
            messages.append(json.loads(message["text"]))
    ticks = [m for m in messages if m.get("type") == "tick"]
    learned = next((m for m in ticks if not m["calibrating"]), None)
    assert learned is not None, "the coach never learned the rest face"
    assert recording.t_ms[learned["seq"]] <= 2000  # the rest face in the clip's first seconds at rest
    reps = [e for m in ticks for e in m.get("events", []) if e["event"] == "rep"]
    assert len(reps) == len(recording.truth["reps"]) == 3
    assert ticks[-1]["phase"] == "done" and ticks[-1]["reps"] == 3
