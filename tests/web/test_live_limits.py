"""Live connections are bounded: calibration by frames and wall time, session rows by real frames,
and each account by how many live connections it may hold at once."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy import select
from webtest_helpers import frame_bytes, receive

from facefit.store.models import PracticeSession
from facefit.web.api.routes.live import MAX_LIVE_PER_USER
from facefit.web.live.coaching import CALIBRATION_GRACE_S, MAX_CALIBRATION_FPS, LiveCalibration
from facefit.web.live.protocol import decode_frame, encode_frame, landmark_indices


def _still_frame(recording: Any, indices: list[int], seq: int, t_ms: float) -> bytes:
    return encode_frame(seq=seq, t_ms=t_ms, image_size=tuple(recording.size),
                        landmarks=recording.landmarks[0][indices], blendshapes=recording.blendshapes[0],
                        transform=recording.transforms[0])


def test_calibration_with_times_that_barely_move_ends_and_says_why(app: FastAPI, make_user: Any,
                                                                  recording: Any) -> None:
    """Timestamps 0.0001 ms apart never reach the 2 s asked for: the server stops collecting after
    2 x MAX_CALIBRATION_FPS frames and refuses with the reason, instead of growing forever."""
    user = make_user("tiny-steps@example.org")
    limit = int(2.0 * MAX_CALIBRATION_FPS)
    with user.client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "mode": "calibrate", "seconds": 2.0})
        ready = receive(ws)
        for i in range(limit + 5):  # frames beyond the bound are not kept
            ws.send_bytes(_still_frame(recording, ready["landmarks"], i, 1000.0 + i * 0.0001))
        seen = []
        while (reply := receive(ws))["type"] != "calibration":
            seen.append(reply)
        assert {m["type"] for m in seen} == {"tick"}  # progress (a few a second), no error
        assert reply["ok"] is False and "cover only 0.00 s of the 2 s" in reply["message"], reply


def test_calibration_ends_at_its_wall_time_with_what_it_has(recording: Any) -> None:
    """A client that sends a frame now and then never fills the frame bound: wall time ends it."""
    now = [0.0]
    indices = landmark_indices()
    calibration = LiveCalibration(indices=indices, seconds=5.0, clock=lambda: now[0])
    for i in range(3):
        calibration.frame(decode_frame(_still_frame(recording, indices, i, 1000.0 + 100 * i), len(indices)))
    assert not calibration.complete
    now[0] = 5.0 + CALIBRATION_GRACE_S
    assert calibration.complete and len(calibration.rows) == 3
    calibration.frame(decode_frame(_still_frame(recording, indices, 3, 1400.0), len(indices)))
    assert len(calibration.rows) == 3  # nothing more is kept once complete


def _sessions(app: FastAPI) -> list[PracticeSession]:
    with app.state.store.transaction() as db:
        return list(db.scalars(select(PracticeSession)))


def test_a_session_row_is_made_by_the_first_frame_not_by_start(app: FastAPI, make_user: Any,
                                                               recording: Any) -> None:
    user = make_user("rows@example.org")
    for _ in range(3):  # starts without a frame (opened the page, changed their mind): no rows
        with user.client.websocket_connect("/ws/coach") as ws:
            ws.send_json({"type": "start", "exercise": "cheek-lifter"})
            assert receive(ws)["type"] == "ready"
            ws.send_json({"type": "end"})
    assert _sessions(app) == []
    with user.client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter"})
        ready = receive(ws)
        ws.send_bytes(frame_bytes(recording, 0, ready["landmarks"]))
        made = receive(ws)
        assert made["type"] == "session" and receive(ws)["type"] == "tick"
    (row,) = _sessions(app)
    assert row.id == made["session_id"] and row.source == "web" and row.exercise_id == "cheek-lifter"


def test_one_account_holds_at_most_a_few_live_connections(app: FastAPI, make_user: Any) -> None:
    user, other = make_user("many-tabs@example.org"), make_user("other@example.org")
    sockets = [user.client.websocket_connect("/ws/coach") for _ in range(MAX_LIVE_PER_USER + 1)]
    try:
        opened = [s.__enter__() for s in sockets]
        for ws in opened[:MAX_LIVE_PER_USER]:
            ws.send_json({"type": "start", "exercise": "cheek-lifter"})
            assert receive(ws)["type"] == "ready"
        extra = opened[-1]
        extra.send_json({"type": "start", "mode": "calibrate"})
        refused = receive(extra)
        assert refused["type"] == "error"
        assert f"already have {MAX_LIVE_PER_USER} live sessions" in refused["message"]
        with other.client.websocket_connect("/ws/coach") as theirs:  # other accounts are not affected
            theirs.send_json({"type": "start", "exercise": "cheek-lifter"})
            assert receive(theirs)["type"] == "ready"
        sockets[0].__exit__(None, None, None)  # closing one frees its place
        sockets = sockets[1:]
        extra.send_json({"type": "start", "mode": "calibrate"})
        assert receive(extra)["type"] == "ready"
    finally:
        for s in sockets:
            s.__exit__(None, None, None)
