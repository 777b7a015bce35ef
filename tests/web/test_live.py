"""Live coaching over the WebSocket with a real landmark stream: reps equal the truth, sets are saved
as they finish, a dropped connection resumes at the next set, and bad messages get clear errors
without disturbing anyone else's session."""

from __future__ import annotations

import json
import struct
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect
from webtest_helpers import events_of, frame_bytes, receive

from facefit.store.models import PracticeSession, SessionEvent, SessionStep
from facefit.web.live.protocol import HEADER, encode_frame


def _start(ws: Any, **fields: Any) -> dict[str, Any]:
    ws.send_json({"type": "start", "exercise": "cheek-lifter", **fields})
    ready = receive(ws)
    assert ready["type"] == "ready", ready
    return ready


def _stream(ws: Any, recording: Any, indices: list[int], frames: range, *, until_set: int | None = None,
            t_offset: float = 0.0) -> tuple[list[dict[str, Any]], int]:
    """Send frames (one reply each); stop early once set ``until_set`` is reported done. The session
    row is made with the first frame: its id comes in a ``session`` message (kept in SESSION)."""
    ticks: list[dict[str, Any]] = []
    for i in frames:
        ws.send_bytes(frame_bytes(recording, i, indices, t_offset=t_offset))
        reply = receive(ws)
        while reply["type"] in ("saved", "session"):
            if reply["type"] == "session":
                SESSION["id"] = reply["session_id"]
            reply = receive(ws)
        assert reply["type"] == "tick", reply
        ticks.append(reply)
        if reply["phase"] in ("done", "stopped"):
            return ticks, i
        if until_set is not None and any(e["set"] == until_set for e in events_of([reply], "set")):
            return ticks, i
    return ticks, frames[-1]


SESSION: dict[str, int] = {}


def _rows(app: FastAPI, session_id: int) -> tuple[PracticeSession, list[SessionStep], list[SessionEvent]]:
    with app.state.store.transaction() as db:
        session = db.get(PracticeSession, session_id)
        steps = list(db.scalars(select(SessionStep).where(SessionStep.session_id == session_id)
                                .order_by(SessionStep.set_index)))
        events = list(db.scalars(select(SessionEvent).where(SessionEvent.session_id == session_id)))
        return session, steps, events


def test_reps_counted_live_equal_the_truth_and_are_saved(
    app: FastAPI, make_user: Any, recording: Any
) -> None:
    user = make_user("live@example.org")
    truth_reps = len(recording.truth["reps"])
    with user.client.websocket_connect("/ws/coach") as ws:
        ready = _start(ws, sets=1)
        assert ready["plan"]["reps"] == 10 and ready["calibration"] == "first-second"
        ticks, _ = _stream(ws, recording, ready["landmarks"], range(len(recording.t_ms)))
        reps = events_of(ticks, "rep")
        assert len(reps) == truth_reps == ticks[-1]["reps"]
        for event, truth in zip(reps, recording.truth["reps"], strict=True):
            assert abs(event["end_s"] - truth["end_s"]) < 0.5  # the rep ends where the clip's rep ends
            assert event["say"] == str(truth["index"])
        ws.send_json({"type": "end"})
        assert receive(ws) == {"type": "saved", "sets": [1], "finished": "completed"}
    assert ready["session_id"] is None  # made by the first frame, not by the start message
    session, steps, events = _rows(app, SESSION["id"])
    assert session.status == "completed" and session.ended_at is not None and session.source == "web"
    assert [(s.set_index, s.reps_done, s.note) for s in steps] == [(1, truth_reps, "ended early")]
    assert len([e for e in events if e.kind == "rep"]) == truth_reps


def test_a_person_smiling_when_the_coach_starts_is_told_and_then_counted(
    app: FastAPI, make_user: Any, recording: Any
) -> None:
    """The stream opens inside the first smile's hold, held 1.5 s, so the coach's first still second is a
    smile. Once the face relaxes the coach says so and learns the rest again (coach/engine.py REST_AGAIN_S);
    the person keeps still a moment as asked, and the smiles after it are counted. Held moments are one real
    frame of the clip repeated (the clip's holds and rests are still images)."""
    user = make_user("smiling@example.org")
    first, second = recording.truth["reps"][:2]
    t = recording.t_ms

    def at(t_s: float) -> int:
        return int(np.searchsorted(t, 1000.0 * t_s))

    held = at((first["hold_start_s"] + first["hold_end_s"]) / 2)
    relaxed = at((first["end_s"] + second["start_s"]) / 2)
    still = int(1.5 * 1000.0 / float(np.median(np.diff(t))))
    order = [held] * still + list(range(held, relaxed)) + [relaxed] * still + list(range(relaxed, len(t)))
    with user.client.websocket_connect("/ws/coach") as ws:
        ready = _start(ws, sets=1)
        ticks = []
        for seq, i in enumerate(order):  # frames 1/fps apart, whichever frame of the clip they show
            t_ms = float(t[0]) + seq * float(np.median(np.diff(t)))
            ws.send_bytes(frame_bytes(recording, i, ready["landmarks"], t_offset=t_ms - t[i], seq=seq))
            reply = receive(ws)
            while reply["type"] in ("saved", "session"):
                reply = receive(ws)
            ticks.append(reply)
        said = [e for e in events_of(ticks, "fault") if e.get("fault") == "rest-again"]
        assert len(said) == 1 and "not your rest face" in said[0]["say"], said
        assert ticks[-1]["reps"] == len(recording.truth["reps"]) - 1  # the smile it opened in was no rep


def test_dropped_connection_resumes_at_the_next_set(app: FastAPI, make_user: Any, recording: Any) -> None:
    user = make_user("resume@example.org")
    n = len(recording.t_ms)
    with user.client.websocket_connect("/ws/coach") as ws:
        ready = _start(ws, sets=3, reps=1, rest_s=0)
        ticks, last = _stream(ws, recording, ready["landmarks"], range(n), until_set=1)
        assert events_of(ticks, "set")[0]["reps"] == 1
        assert receive(ws) == {"type": "saved", "sets": [1], "finished": None}
    # the socket dropped mid-session: set 1 is in the store, the session is still open
    first = SESSION["id"]
    session, steps, _ = _rows(app, first)
    assert session.ended_at is None and [s.set_index for s in steps] == [1]
    with user.client.websocket_connect("/ws/coach") as ws:
        again = _start(ws, sets=3, reps=1, rest_s=0, session_id=first)
        assert again["resumed"] and again["set"] == 2
        assert again["completed_sets"] == [{"set": 1, "reps": 1, "hold_s": steps[0].hold_s}]
        ticks, _ = _stream(ws, recording, again["landmarks"], range(last + 1, n))
        assert [e["set"] for e in events_of(ticks, "set")] == [2, 3]
        assert ticks[-1]["phase"] == "done"
        assert receive(ws)["finished"] == "completed"
    assert SESSION["id"] == first  # the same session row, no second one
    session, steps, _ = _rows(app, first)
    assert session.status == "completed"
    assert [(s.set_index, s.reps_done) for s in steps] == [(1, 1), (2, 1), (3, 1)]


def _bad_messages(indices: list[int], good: bytes) -> list[tuple[str | bytes, str]]:
    n = len(indices)
    nan = np.full((n, 3), np.nan, dtype=np.float32)
    return [
        (b"garbage", "too short"),
        (struct.pack("<BBHIdHH", 9, 0, 0, 1, 1.0, 640, 480), "unsupported frame version 9"),
        (encode_frame(seq=1, t_ms=1e9, image_size=(640, 480), landmarks=nan), "NaN"),
        (encode_frame(seq=1, t_ms=1e9, image_size=(640, 480), landmarks=np.zeros((5, 3))),
         f"expected {n} landmarks"),
        (good[:-4], "header promises"),
        (encode_frame(seq=1, t_ms=1e9, image_size=(0, 480), landmarks=None), "not a plausible camera size"),
        (b"\x01" * 70_000, "message is too large"),
        ("not json", "must be JSON"),
        ("[1, 2]", 'JSON objects with a "type"'),
        ('{"type": "dance"}', "Unknown message type 'dance'"),
        ('{"type": "start", "exercise": "cheek-lifter"}', "already started"),
        (good, "frame times must increase"),
    ]


def test_bad_messages_get_clear_errors_and_never_disturb_another_session(
    app: FastAPI, make_user: Any, recording: Any
) -> None:
    alice, mallory = make_user("alice@example.org"), make_user("mallory@example.org")
    with alice.client.websocket_connect("/ws/coach") as good, \
            mallory.client.websocket_connect("/ws/coach") as bad:
        bad.send_bytes(frame_bytes(recording, 0, list(range(21))))
        assert "Send a 'start' message" in receive(bad)["message"]
        bad.send_json({"type": "start", "exercise": "no-such-exercise"})
        assert "Unknown exercise 'no-such-exercise'" in receive(bad)["message"]
        bad.send_json({"type": "start", "exercise": "cheek-lifter", "reps": 1000})
        assert "reps must be between 1 and 100" in receive(bad)["message"]
        ready_bad = _start(bad, sets=1)
        ready = _start(good, sets=1)
        indices = ready["landmarks"]
        bad.send_bytes(frame_bytes(recording, 5, indices))
        assert receive(bad)["type"] == "session"  # the first frame makes the session row
        assert receive(bad)["type"] == "tick"
        stale = frame_bytes(recording, 4, indices)
        cases = _bad_messages(indices, stale)
        ticks: list[dict[str, Any]] = []
        for i in range(len(recording.t_ms)):
            good.send_bytes(frame_bytes(recording, i, indices))
            reply = receive(good)
            ticks.append(receive(good) if reply["type"] == "session" else reply)
            message, expected = cases[i % len(cases)]
            if i < 40:  # stay under the bad-message limit
                bad.send_bytes(message) if isinstance(message, bytes) else bad.send_text(message)
                error = receive(bad)
                assert error["type"] == "error" and expected in error["message"], (expected, error)
        assert ticks[-1]["reps"] == len(recording.truth["reps"])
    assert ready_bad["session_id"] is None
    from facefit.store.web import get_account_by_email

    with app.state.store.transaction() as db:  # her one good frame made her session; no garbage got in
        profile_id = get_account_by_email(session=db, email="mallory@example.org").profile_id
        ids = list(db.scalars(select(PracticeSession.id).where(PracticeSession.profile_id == profile_id)))
        reps = db.scalars(select(SessionEvent).where(SessionEvent.session_id.in_(ids),
                                                     SessionEvent.kind == "rep")).all()
    assert len(ids) == 1 and not reps


def test_it_hurts_stops_the_session_after_the_frames_sent_before_it(app: FastAPI, make_user: Any,
                                                                  recording: Any) -> None:
    """"It hurts" comes after every frame sent before it (they are coached first), stops the session and
    is stored as a pain safety event."""
    user = make_user("pain@example.org")
    with user.client.websocket_connect("/ws/coach") as ws:
        ready = _start(ws, sets=2, binary=True)
        half = len(recording.t_ms) // 2
        for i in range(half):
            ws.send_bytes(frame_bytes(recording, i, ready["landmarks"]))
        ws.send_json({"type": "pain", "note": "my jaw hurts"})
        messages = []
        while (message := receive(ws))["type"] != "saved":
            messages.append(message)
        assert message["finished"] == "stopped"
    ticks = [m for m in messages if m["type"] == "tick"]
    assert max(t["seq"] or 0 for t in ticks) == half - 1  # the last frame before "pain" was coached
    stop = ticks[-1]
    assert stop["phase"] == "stopped" and stop["seq"] is None
    assert [e["event"] for e in stop["events"]] == ["safety", "stopped"]
    assert stop["events"][0]["message"] == "my jaw hurts"
    session_id = next(m["session_id"] for m in messages if m["type"] == "session")
    session, _steps, events = _rows(app, session_id)
    assert session.status == "stopped"
    assert [e.payload["kind"] for e in events if e.kind == "safety"] == ["pain"]


def test_too_many_bad_messages_close_only_that_connection(app: FastAPI, make_user: Any) -> None:
    user = make_user("noisy@example.org")
    with user.client.websocket_connect("/ws/coach") as ws:
        for _ in range(49):
            ws.send_bytes(b"x")
            assert receive(ws)["type"] == "error"
        ws.send_bytes(b"x")
        assert receive(ws)["type"] == "error"
        with pytest.raises(WebSocketDisconnect) as closed:
            receive(ws)
        assert closed.value.code == 1008
    assert user.client.get("/api/sessions").status_code == 200  # the server is fine


def test_websocket_needs_a_signed_in_caller_from_this_site(app: FastAPI, make_user: Any) -> None:
    from fastapi.testclient import TestClient

    with TestClient(app).websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter"})
        assert "Sign in first" in receive(ws)["message"]
        ws.send_json({"type": "start", "exercise": "cheek-lifter", "token": "ffk_not-a-token"})
        assert "Sign in first" in receive(ws)["message"]
    user = make_user("origin@example.org")
    with user.client.websocket_connect("/ws/coach", headers={"origin": "https://evil.example"}) as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter"})
        assert "another site" in receive(ws)["message"]
    reader = user.client.post("/api/account/tokens", json={"name": "reader"}).json()["token"]  # read-only
    with TestClient(app).websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": "cheek-lifter", "token": reader})
        assert "needs a practice token" in receive(ws)["message"]
    made = user.client.post("/api/account/tokens", json={"name": "script", "scope": "practice"})
    token = made.json()["token"]
    with TestClient(app).websocket_connect("/ws/coach") as ws:
        ready = _start(ws, token=token)
        assert ready["type"] == "ready" and ready["session_id"] is None
    assert HEADER.size == 20


def test_replies_only_when_the_page_would_change_and_every_event_at_once(recording: Any) -> None:
    """A frame is answered when what the page shows changes (phase, set, reps, a rep starting or ending,
    the hold passing a 0.2 s step), with events at once (JSON), and at least every ``tick_every`` frames;
    the others get no reply. Checked against a coach that answers every frame."""
    from facefit.catalog.durations import plan_exercise
    from facefit.catalog.loader import load_catalog
    from facefit.practice.recorder import QueuedRecorder, SessionInfo
    from facefit.web.live.coaching import HOLD_STEP_S, LiveCoach, live_plan
    from facefit.web.live.protocol import decode_frame, decode_state, landmark_indices

    indices = landmark_indices()
    plan = live_plan(plan_exercise(load_catalog().exercise("cheek-lifter")), sets=1)

    def coach(tick_every: int) -> list[dict[str, Any] | None]:
        live = LiveCoach(plan, recorder=QueuedRecorder(SessionInfo(1, "coach", None, "cheek-lifter", "web")),
                         indices=indices, rest=None, tick_every=tick_every)
        out = []
        for i in range(len(recording.t_ms)):
            reply = live.frame(decode_frame(frame_bytes(recording, i, indices), len(indices)))
            out.append(None if reply is None else json.loads(reply) if isinstance(reply, str)
                       else decode_state(reply))
        return out

    every, sparse = coach(1), coach(15)
    assert all(r is not None for r in every)

    def shown(r: dict[str, Any]) -> tuple[Any, ...]:
        return (r["phase"], r["set"], r["reps"], r["active"], r["calibrating"],
                int(r["hold"] / HOLD_STEP_S + 1e-6) if r["active"] else 0)

    for i in range(1, len(every)):
        if every[i].get("events") or shown(every[i]) != shown(every[i - 1]):
            assert sparse[i] is not None, (i, every[i])
            assert sparse[i].get("events") == every[i].get("events")
    answered = [i for i, r in enumerate(sparse) if r is not None]
    assert max(b - a for a, b in zip([-1, *answered], answered, strict=False)) <= 15  # a sign of life
    assert len(answered) < len(sparse) / 2  # most frames change nothing the page shows
    assert sum(len(r.get("events", [])) for r in sparse if r) >= len(recording.truth["reps"])
    assert [r for r in sparse if r][-1]["reps"] == len(recording.truth["reps"])


def test_calibration_over_the_websocket_is_stored_and_used(app: FastAPI, make_user: Any,
                                                          recording: Any) -> None:
    user = make_user("calibrate@example.org")
    with user.client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "mode": "calibrate", "seconds": 2.5})
        ready = receive(ws)
        assert ready["type"] == "ready" and ready["mode"] == "calibrate"
        lead = int(np.searchsorted(recording.t_ms, recording.t_ms[0] + 3500))  # within the still lead-in
        for i in range(lead):
            ws.send_bytes(frame_bytes(recording, i, ready["landmarks"]))
        ticks = []
        while (reply := receive(ws))["type"] != "calibration":
            assert reply["type"] == "tick", reply  # progress a few times a second
            ticks.append(reply)
        assert reply["ok"], reply["message"]
        frame_s = (recording.t_ms[1] - recording.t_ms[0]) / 1000
        assert 2.5 <= ticks[-1]["elapsed"] < 2.5 + frame_s + 1e-6  # it kept 2.5 s of frames, no more
        assert reply["calibration"]["rest"]["mouth_opening"] is not None
    with user.client.websocket_connect("/ws/coach") as ws:
        ready = _start(ws, sets=1)
        assert ready["calibration"] == "stored"
        ticks, _ = _stream(ws, recording, ready["landmarks"], range(len(recording.t_ms)))
        assert ticks[-1]["reps"] == len(recording.truth["reps"])


def test_a_socket_that_never_starts_is_closed(tmp_path: Any) -> None:
    from fastapi.testclient import TestClient

    from facefit.web.app import create_app
    from facefit.web.settings import WebSettings

    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'idle.db'}", secure_cookies=False,
                                 ws_start_timeout_s=0.3))
    with TestClient(app).websocket_connect("/ws/coach") as ws, pytest.raises(WebSocketDisconnect) as closed:
        receive(ws)
    assert closed.value.code == 1008
    app.state.store.close()


def test_one_phase_vocabulary_from_the_set_runner_to_the_page() -> None:
    """The set runner's ``Phase`` is the only definition: the live coach reads the practice layer's
    phase globals, and the binary state sends every phase as its index in the protocol's list, which the
    page's ``live.js`` decodes with the same list."""
    import re

    from facefit.practice import sets
    from facefit.web.assets import STATIC_DIR
    from facefit.web.live import coaching
    from facefit.web.live.protocol import PHASES, decode_state, encode_state

    assert (coaching.WORK, coaching.REST, coaching.DONE, coaching.STOPPED) == (
        sets.WORK, sets.REST, sets.DONE, sets.STOPPED) == tuple(sets.Phase)
    assert sorted(PHASES) == sorted(sets.Phase) and len(set(PHASES)) == len(PHASES)
    for phase in sets.Phase:
        state = encode_state(seq=7, phase=phase, set_index=1, sets=2, reps=3, target=5, hold_s=0.0,
                             rest_left_s=4.0, active=False, calibrating=False)
        assert decode_state(state)["phase"] == phase
    script = (STATIC_DIR / "js" / "live.js").read_text(encoding="utf-8")
    listed = re.search(r"const PHASES = \[([^\]]*)\];", script)
    assert listed is not None and re.findall(r'"([a-z]+)"', listed.group(1)) == [str(p) for p in PHASES]


def test_the_live_coach_is_told_whether_the_page_landmarks_come_smoothed() -> None:
    """The page's landmarker (face_model.js) asks for up to four faces in VIDEO mode, as ``facefit analyze``
    does, so its landmarks are the unsmoothed ones the coach is tuned and evaluated on; one face asked for
    would come smoothed (MediaPipe smooths a face it tracks alone), and the coach would have to be told
    (coach/engine.py ``smoothed``). Every set's engine gets the page's answer."""
    import re

    from facefit.catalog.durations import plan_exercise
    from facefit.catalog.loader import load_catalog
    from facefit.practice.recorder import QueuedRecorder, SessionInfo
    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.web.live.coaching import PAGE_LANDMARKS_SMOOTHED, LiveCoach, live_plan
    from facefit.web.live.protocol import landmark_indices

    options = (Path(__file__).parents[2] / "src/facefit/web/static/js/face_model.js").read_text()
    found = re.search(r'runningMode: "VIDEO", numFaces: (\d+),', options)
    assert found is not None
    with Landmarker(RunningMode.VIDEO, max_faces=int(found.group(1))) as same_as_the_page:
        assert same_as_the_page.smoothed is PAGE_LANDMARKS_SMOOTHED
    plan = live_plan(plan_exercise(load_catalog().exercise("cheek-lifter")), sets=2)
    live = LiveCoach(plan, recorder=QueuedRecorder(SessionInfo(1, "coach", None, "cheek-lifter", "web")),
                     indices=landmark_indices(), rest=None)
    engine = live.runner.engine
    assert engine.smoothed is PAGE_LANDMARKS_SMOOTHED
    assert engine._rest_finder.smoothed is PAGE_LANDMARKS_SMOOTHED
    assert live.runner._engine().smoothed is PAGE_LANDMARKS_SMOOTHED  # the engine each later set starts with
