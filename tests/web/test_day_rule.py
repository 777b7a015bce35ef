"""When a planned day counts as practised, the same at every door (issue 14: found in a new-user walkthrough).

The browser records a routine as one session per exercise (each through ``/ws/coach``). Doing only the
first exercise of the starter routine used to mark the day done and adherence 100% on the dashboard and in
`facefit plan`. The rule (``facefit.habits.adherence``): a planned day is practised when every step of its
routine that counts reps has all its sets done that day, in any sessions at any door. Here, on SQLite and
PostgreSQL, with real landmark streams over the WebSocket: the cheek lifter alone leaves the day "to do";
with the jawline definition (the starter's other counted step) it is done, and `facefit plan --json` for
that profile says the same as `/api/habits/today` each time.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from typer.testing import CliRunner
from webtest_helpers import frame_bytes, receive

from facefit.cli import app as cli_app
from facefit.store.models import Profile
from facefit.store.web import Account
from facefit.web.first_run import setup_steps


def _coach(client: Any, exercise: str, recording: Any) -> list[dict[str, Any]]:
    """One exercise as the practice page's routine runs it (1 set of 3 reps), frame by frame, until the
    server says the finished session is saved; returns the ticks."""
    ticks: list[dict[str, Any]] = []
    with client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": exercise, "sets": 1, "reps": 3})
        ready = receive(ws)
        assert ready["type"] == "ready", ready
        for i in range(len(recording.t_ms)):
            ws.send_bytes(frame_bytes(recording, i, ready["landmarks"]))
            reply = receive(ws)
            while reply["type"] in ("saved", "session"):
                reply = receive(ws)
            ticks.append(reply)
            if reply.get("phase") in ("done", "stopped"):
                break
        assert ticks[-1]["phase"] == "done", (exercise, ticks[-1])
        while (reply := receive(ws))["type"] != "saved" or reply["finished"] is None:
            pass
        assert reply["finished"] == "completed"
    return ticks


def _verdicts(app: FastAPI, client: Any, db_url: str, profile_id: int,
              monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], dict[str, Any]]:
    """Today's figures from the dashboard's API and from `facefit plan --json` for the same profile."""
    web = client.get("/api/habits/today").json()["figures"]
    with app.state.store.transaction() as db:
        name = db.get(Profile, profile_id).name
    monkeypatch.setenv("FACEFIT_DB_URL", db_url)  # the terminal reads the web app's store
    result = CliRunner().invoke(cli_app, ["plan", "--json", "--profile", name])
    assert result.exit_code == 0, result.output
    return web, json.loads(result.output)


def _first_routine(app: FastAPI, profile_id: int) -> Any:
    """The first-run path's last step ("Do your first routine"), judged by the same rule as the day."""
    with app.state.store.transaction() as db:
        steps = setup_steps(session=db, profile_id=profile_id)
    return next(step for step in steps if step.key == "first-routine")


def _first_routine_done(app: FastAPI, profile_id: int) -> bool:
    return bool(_first_routine(app, profile_id).done)


def test_one_exercise_of_the_routine_is_not_the_day_all_of_them_are(
    app: FastAPI, make_user: Any, db_url: str, recording: Any, jawline_recording: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user("dayrule@example.org")
    questions = user.client.get("/api/screening").json()["questions"]
    assert user.client.post("/api/screening", json={q["id"]: "no" for q in questions}).status_code == 200
    enrolled = user.client.post("/api/habits/enrol", json={"programme_id": "eight-week"})
    assert enrolled.status_code == 200, enrolled.text
    with app.state.store.transaction() as db:
        profile_id = db.query(Account).filter_by(email=user.email).one().profile_id

    web, cli = _verdicts(app, user.client, db_url, profile_id, monkeypatch)
    assert web["today"]["routine"] == cli["today"]["routine"] == "starter"
    assert web["today"]["done"] is cli["today"]["done"] is False

    reps = [t for tick in _coach(user.client, "cheek-lifter", recording) for t in tick.get("events", [])
            if t["event"] == "rep"]
    assert len(reps) == 3
    web, cli = _verdicts(app, user.client, db_url, profile_id, monkeypatch)
    for figures in (web, cli):  # the cheek lifter alone: practice (minutes), not the starter routine
        assert figures["today"]["done"] is False and figures["today"]["text"] == "to do", figures["today"]
        assert figures["adherence"] is None and figures["streak"] == 0
        assert figures["days"][0]["status"] == "today"
    assert web["today"] == cli["today"] and web["adherence"] == cli["adherence"]
    assert not _first_routine_done(app, profile_id)  # the first-run checklist agrees, and says why
    assert "practised single exercises already" in _first_routine(app, profile_id).why
    assert "practised single exercises already" in user.client.get("/start").text  # the set-up page
    [cheek] = user.client.get("/api/sessions").json()  # the exercise itself is saved, finished
    assert (cheek["exercise_id"], cheek["status"]) == ("cheek-lifter", "completed")

    _coach(user.client, "jawline-definition", jawline_recording)
    web, cli = _verdicts(app, user.client, db_url, profile_id, monkeypatch)
    for figures in (web, cli):  # every counted step of the starter done: the day is done
        assert figures["today"]["done"] is True and figures["today"]["text"] == "done", figures["today"]
        assert figures["adherence"] == 100.0 and figures["streak"] == 1
        assert figures["days"][0]["status"] == "done"
    assert web["today"] == cli["today"] and web["weeks"] == cli["weeks"]
    assert _first_routine_done(app, profile_id)
