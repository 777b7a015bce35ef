"""Deeply nested JSON sent to the server is one clear error naming the problem, wherever it arrives: a
REST body, the JSON part of a multipart upload, a WebSocket control message (issue 13: input hygiene;
the command line's files are tests/cli/test_input_hygiene.py). Before, a REST body got FastAPI's vague
"There was an error parsing the body", and the offline upload's 'start' part and a WebSocket control
message raised RecursionError out of the handler (500 / a dropped connection)."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from webtest_helpers import receive

DEPTHS = (3_000, 100_000)  # past Python's recursion limit; 200 KB of brackets is well under the 1 MB limit


def _deep(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deep_json_anywhere_is_one_clear_error_and_nothing_is_saved(app: FastAPI, make_user: Any) -> None:
    user = make_user("deep@example.org")
    json_type = {"Content-Type": "application/json"}
    for depth in DEPTHS:
        for path, body in (("/api/lifestyle", '{"values": {"sleep": ' + _deep(depth) + "}}"),
                           ("/api/account/tokens", _deep(depth)),
                           ("/api/screening", '{"tmj": ' + _deep(depth) + "}")):
            response = user.client.post(path, content=body, headers=json_type)
            assert response.status_code == 400, (path, depth, response.text[:200])
            assert response.json() == {"detail": "The request body is not valid JSON: it is nested far "
                                                 "deeper than any FaceFit request; nothing was done."}
        offline = user.client.post("/api/practice/offline", data={"start": _deep(depth)},
                                   files={"frames": ("frames.bin", b"", "application/octet-stream")})
        assert offline.status_code == 422, offline.text[:200]
        assert "nested far deeper than the 32 levels allowed" in offline.json()["detail"]
    shallow = user.client.post("/api/practice/offline", data={"start": _deep(40)},
                               files={"frames": ("frames.bin", b"", "application/octet-stream")})
    assert "nested deeper than the 32 levels allowed" in shallow.json()["detail"]
    with user.client.websocket_connect("/ws/coach") as ws:
        ws.send_text(_deep(DEPTHS[0]))
        refused = receive(ws)
        assert refused == {"type": "error", "message": "Control messages must be JSON objects: it is nested "
                                                       "far deeper than the 32 levels allowed."}
        ws.send_json({"type": "start", "exercise": "cheek-lifter"})  # the connection is still usable
        assert receive(ws)["type"] == "ready"
    assert user.client.get("/api/lifestyle").json()["days"] == []
    assert user.client.get("/api/account/tokens").json() == []
    assert user.client.get("/api/sessions").json() == []
