"""More than one server process: a live session lives in the database, so a client that reconnects to
another process (or host) on the same PostgreSQL continues at the next set, with the same plan and the
rest the first server's coach found, and history shows one session with every set.

Two real servers (uvicorn, as ``facefit serve`` runs it) on one PostgreSQL schema, the second with
``--workers 2`` (two processes on its port); the client is the ``websockets`` library, signed in with the
session cookie the first server gave it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from live_server import running_server, signed_up
from webtest_helpers import frame_bytes

from facefit.web.deps import SESSION_COOKIE
from facefit.web.live.protocol import decode_state


class Socket:
    """A coaching WebSocket to one server, read in step with what is sent (a ping after each frame)."""

    def __init__(self, base: str, cookie: str) -> None:
        self.url = base.replace("http://", "ws://") + "/ws/coach"
        self.cookie = cookie

    def __enter__(self) -> Socket:
        from websockets.sync.client import connect

        self.ws = connect(self.url, additional_headers={"Cookie": f"{SESSION_COOKIE}={self.cookie}"},
                          open_timeout=30).__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.ws.__exit__(*exc)  # closes the connection (for the first server: the drop)

    def message(self) -> dict[str, Any]:
        raw = self.ws.recv(timeout=60)
        return decode_state(raw) if isinstance(raw, bytes) else dict(json.loads(raw))

    def start(self, **fields: Any) -> dict[str, Any]:
        self.ws.send(json.dumps({"type": "start", "exercise": "cheek-lifter", "binary": True, **fields}))
        return self.message()

    def frame(self, data: bytes) -> list[dict[str, Any]]:
        """Send one frame; every message the server sent until it had coached it."""
        self.ws.send(data)
        self.ws.send(json.dumps({"type": "ping"}))
        out = []
        while (message := self.message())["type"] != "pong":
            out.append(message)
        return out


def _workers(pid: int) -> list[int]:
    """Worker processes uvicorn's supervisor ``pid`` started (from /proc; not multiprocessing's
    resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if parent == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return found


def _sets(messages: list[dict[str, Any]]) -> list[int]:
    return [e["set"] for m in messages for e in m.get("events", []) if e.get("event") == "set"]


@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
def test_a_session_begun_on_one_server_continues_on_another(db_url: str, tmp_path: Any,
                                                           recording: Any) -> None:
    settings = {"db_url": db_url, "secure_cookies": False}
    with running_server(settings, tmp_path) as first, running_server(settings, tmp_path, workers=2) as second:
        assert len(_workers(second.process.pid)) == 2  # `facefit serve --workers 2`: two processes
        member = signed_up(first.url, "two-servers@example.org")
        cookie = member.cookies[SESSION_COOKIE]
        n = len(recording.t_ms)

        with Socket(first.url, cookie) as one:
            ready = one.start(sets=3, reps=1, rest_s=0)
            assert ready["type"] == "ready" and ready["calibration"] == "first-second"
            seen: list[dict[str, Any]] = []
            for i in range(n):
                seen += one.frame(frame_bytes(recording, i, ready["landmarks"]))
                if 1 in _sets(seen):
                    break
            last = i
            session_id = next(m["session_id"] for m in seen if m["type"] == "session")
            while not any(m["type"] == "saved" for m in seen):  # set 1 is committed before the drop
                seen.append(one.message())
            assert next(m for m in seen if m["type"] == "saved")["sets"] == [1]
        # the connection dropped: no "end", the session stays open

        with Socket(second.url, cookie) as two:  # another process: nothing of the session in its memory
            again = two.start(sets=3, reps=1, rest_s=0, session_id=session_id)
            assert again["type"] == "ready" and again["resumed"] and again["set"] == 2, again
            assert [s["set"] for s in again["completed_sets"]] == [1]
            assert again["calibration"] == "stored"  # the rest the first server found came with the session
            later: list[dict[str, Any]] = []
            for i in range(last + 1, n):
                later += two.frame(frame_bytes(recording, i, again["landmarks"]))
                if 3 in _sets(later):
                    break
            assert _sets(later) == [2, 3]
            assert not any(m["type"] == "session" for m in later)  # the same session row, no new one
            while not any(m["type"] == "saved" and m["finished"] for m in later):
                later.append(two.message())

        history = httpx.Client(base_url=second.url, cookies=member.cookies, timeout=30)
        sessions = history.get("/api/sessions").json()
        assert [s["id"] for s in sessions] == [session_id]
        detail = history.get(f"/api/sessions/{session_id}").json()
        assert detail["status"] == "completed" and detail["source"] == "web"
        assert [(s["set_index"], s["reps_done"]) for s in detail["steps"]] == [(1, 1), (2, 1), (3, 1)]
        assert sum(e["kind"] == "rep" for e in detail["events"]) == 3
