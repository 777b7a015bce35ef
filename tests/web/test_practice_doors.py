"""Every door gives the practice layer's verdict: door x state, the same answer everywhere.

States: not screened; consult-first not yet cleared; consult-first cleared by a clinician; TMJ; an
unacknowledged pain, twitch or new-asymmetry stop; a stop acknowledged. Doors: the web REST plan
routes, the web practice page, ``/ws/coach``, ``facefit routine``, ``facefit routine --coach`` and
``facefit coach``. The reference is :func:`facefit.practice.start.start_practice` itself; each door
must show the same verdict in its own words: a refusal names the command (CLI) or links to the page
(web) that resolves it, an allowed plan shows the same filtered steps, skipped steps and warnings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from typer.testing import CliRunner

from facefit.cli import app as cli
from facefit.cli._practice import COMMANDS, plan_lines
from facefit.practice.start import Action, PracticePlan, Refusal, start_practice
from facefit.safety.conditions import CONDITION_IDS
from facefit.safety.errors import SafetyBlockError
from facefit.safety.service import (
    acknowledge_consult,
    acknowledge_safety,
    record_screening,
    report_safety_flag,
)
from facefit.store.db import Store, open_store
from facefit.store.models import PracticeSession, SessionStep
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import finish_session, record_event, start_session
from facefit.web.practice import PAGES

NO = dict.fromkeys(CONDITION_IDS, False)
runner = CliRunner()


def _screen(db: Any, pid: int, answers: dict[str, bool]) -> None:
    record_screening(session=db, profile_id=pid, answers=answers, now=datetime.now(UTC) - timedelta(hours=1))


def _stopped_session(db: Any, pid: int, kind: str, payload: dict[str, Any]) -> None:
    routine = kind == "routine"
    row = start_session(session=db, profile_id=pid, kind=kind, routine_id="daily-10" if routine else None,
                        exercise_id=None if routine else "cheek-lifter")
    record_event(session=db, session_id=row.id, kind="safety", t_s=3.0, payload=payload)
    finish_session(session=db, session_id=row.id, status="stopped", stop_reason=payload["kind"])


def _pain(db: Any, pid: int) -> None:
    _screen(db, pid, NO)
    _stopped_session(db, pid, "routine", {"kind": "pain", "t_s": 3.0, "message": "stopped for pain"})


STATES: dict[str, Callable[[Any, int], None]] = {
    "not-screened": lambda db, pid: None,
    "consult-first": lambda db, pid: _screen(db, pid, {**NO, "facial-nerve-disorder": True}),
    "consult-cleared": lambda db, pid: (_screen(db, pid, {**NO, "facial-nerve-disorder": True}),
                                        acknowledge_consult(session=db, profile_id=pid, note="Dr. A, today")),
    "tmj": lambda db, pid: _screen(db, pid, {**NO, "tmj": True}),
    "pain": _pain,
    "twitch": lambda db, pid: (_screen(db, pid, NO), _stopped_session(
        db, pid, "coach", {"kind": "twitch", "t_s": 3.0, "message": "Brief involuntary twitches at rest"})),
    "new-asymmetry": lambda db, pid: (_screen(db, pid, NO), report_safety_flag(
        session=db, profile_id=pid, kind="new-asymmetry", source="photos",
        detail={"message": "mouth corner 2 mm lower on the left"})),
    "acknowledged": lambda db, pid: (_pain(db, pid), acknowledge_safety(session=db, profile_id=pid)),
}
REFUSED = {"consult-first", "pain", "twitch", "new-asymmetry"}
ROUTINE, EXERCISE = "daily-10", "neck-tightener"  # the daily routine has a jaw glide; TMJ rules it out


def arrange(store: Store, profile_id: int, state: str, target: str) -> PracticePlan | Refusal:
    """Put ``profile_id`` in ``state``; the reference verdict for ``target``."""
    with store.transaction() as db:
        STATES[state](db, profile_id)
    with store.transaction() as db:
        return start_practice(session=db, profile_id=profile_id, target=target)


def check_reference(state: str, routine: PracticePlan | Refusal, exercise: PracticePlan | Refusal) -> None:
    """The reference verdicts are the ones the safety rules ask for (so the matrix is not vacuous)."""
    assert routine.allowed == (state not in REFUSED)
    if isinstance(routine, Refusal):
        action = Action.CLINICIAN_CLEARANCE if state == "consult-first" else Action.ACKNOWLEDGE_STOP
        assert routine.action is action and exercise.outline() == routine.outline()
    elif state == "tmj":
        assert isinstance(exercise, Refusal) and exercise.action is Action.CHOOSE_ANOTHER
        assert any("jaw glide" in line for line in routine.step_lines())
        assert EXERCISE not in [s.exercise.id for s in routine.steps]
    else:
        warnings = {"not-screened": ["not-screened"], "acknowledged": ["rescreen"]}.get(state, [])
        assert [w.kind for w in routine.warnings] == warnings


def _words(text: str) -> str:
    return " ".join(text.split())


# ------------------------------------------------------------------------------------------ web doors


def _rest_outline(body: dict[str, Any], status: int) -> dict[str, Any]:
    assert status == 200, body  # a refusal is an answer too
    if not body["allowed"]:
        assert body["href"] == PAGES[Action(body["action"])][0] and body["detail"]
        return {"allowed": False, "reason": body["reason"], "action": body["action"]}
    return {"allowed": True, "steps": [(s["exercise"], s["sets"], s["reps"]) for s in body["steps"]],
            "skipped": body["skipped"], "warnings": [w["kind"] for w in body["warnings"]]}


def _page_verdict(html: str) -> dict[str, Any]:
    """The practice page: a refusal's reason/action and link, or the notes (skipped steps, warnings)."""
    refused = re.search(r'data-testid="refusal" data-reason="([^"]+)" data-action="([^"]+)"', html)
    if refused:
        link = re.search(r'data-testid="resolve" href="([^"]+)"', html)
        assert link and link.group(1) == PAGES[Action(refused.group(2))][0]
        return {"allowed": False, "reason": refused.group(1), "action": refused.group(2)}
    assert 'id="start"' in html  # the coaching page itself
    kinds = re.findall(r'<li class="notice" data-kind="([^"]+)"', html)
    found = re.findall(r'<li data-kind="skipped">([^<]*)</li>', html)
    skipped = [_words(m).replace("&#39;", "'") for m in found]  # shown as a sentence: capitalised
    return {"allowed": True, "skipped": [s[:1].lower() + s[1:] for s in skipped], "warnings": kinds}


def _ws_outline(client: Any, exercise: str) -> dict[str, Any]:
    with client.websocket_connect("/ws/coach") as ws:
        ws.send_json({"type": "start", "exercise": exercise})
        reply = ws.receive_json()
    if reply["type"] == "error":
        refusal = reply["refusal"]
        assert refusal["href"] == PAGES[Action(refusal["action"])][0]
        assert refusal["message"] in reply["message"]
        return {"allowed": False, "reason": refusal["reason"], "action": refusal["action"]}
    assert reply["type"] == "ready", reply
    plan = reply["plan"]
    return {"allowed": True, "steps": [(plan["exercise"], plan["sets"], plan["reps"])], "skipped": [],
            "warnings": [w["kind"] for w in reply["warnings"]]}


def _no_steps(outline: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in outline.items() if k != "steps"}


@pytest.mark.parametrize("state", list(STATES))
def test_web_doors_give_the_practice_verdict(app: FastAPI, make_user: Any, state: str) -> None:
    user = make_user(f"{state}@example.org")
    with app.state.store.transaction() as db:
        from facefit.store.web import get_account

        profile_id = get_account(session=db, account_id=user.id).profile_id
    routine = arrange(app.state.store, profile_id, state, ROUTINE)
    with app.state.store.transaction() as db:
        exercise = start_practice(session=db, profile_id=profile_id, target=EXERCISE)
    assert (not routine.allowed) == (state in REFUSED)

    for target, want in ((ROUTINE, routine), (EXERCISE, exercise)):
        response = user.client.get("/api/practice/plan", params={"target": target})
        assert _rest_outline(response.json(), response.status_code) == want.outline(), (state, target)
        kind = "routine" if target == ROUTINE else "exercise"
        page = user.client.get(f"/practice?{kind}={target}")
        assert page.status_code == 200
        assert _page_verdict(page.text) == _no_steps(want.outline()), (state, target)
    catalog_route = user.client.get(f"/api/catalog/routines/{ROUTINE}/plan")
    assert _rest_outline(catalog_route.json(), catalog_route.status_code) == routine.outline()
    assert _ws_outline(user.client, EXERCISE) == exercise.outline(), state


# ------------------------------------------------------------------------------------------ CLI doors


@pytest.fixture(scope="module")
def tiny_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Four grey 160x120 frames as y4m: a real, readable source without a face (no rep is counted)."""
    path = tmp_path_factory.mktemp("doors") / "tiny.y4m"
    w, h = 160, 120
    frame = np.full(w * h * 3 // 2, 128, dtype=np.uint8).tobytes()
    path.write_bytes(f"YUV4MPEG2 W{w} H{h} F15:1 Ip A1:1 C420jpeg\n".encode()
                     + b"".join(b"FRAME\n" + frame for _ in range(4)))
    return path


def _cli(args: list[str]) -> Any:
    return runner.invoke(cli, args)


def _check_cli(result: Any, want: PracticePlan | Refusal, store: Store, pid: int, before: int) -> None:
    with store.transaction() as db:
        sessions = db.query(PracticeSession).filter_by(profile_id=pid).order_by(PracticeSession.id).all()
        new = sessions[before:]
        steps = [] if not new else db.query(SessionStep).filter_by(session_id=new[-1].id).all()
        ran = list(dict.fromkeys(s.exercise_id for s in sorted(steps, key=lambda s: s.position)))
    if isinstance(want, Refusal):
        assert isinstance(result.exception, SafetyBlockError), result.output
        assert result.exception.exit_code == 4  # what `facefit` exits with (facefit.cli.main)
        text = _words(str(result.exception))
        assert want.message.split(":")[0] in text and f"`{COMMANDS[want.action]}`" in text
        assert not new  # nothing was started
        return
    assert result.exception is None or result.exit_code == 0, result.output
    out = _words(result.output)
    for line in plan_lines(want):
        assert _words(line) in out
    assert len(new) == 1
    assert ran == [s.exercise.id for s in want.steps]


@pytest.mark.slow
@pytest.mark.parametrize("state", list(STATES))
def test_cli_doors_give_the_practice_verdict(state: str, tiny_video: Path) -> None:
    store = open_store()
    with store.transaction() as db:
        pid = get_or_create_profile(session=db).id
    try:
        routine = arrange(store, pid, state, ROUTINE)
        with store.transaction() as db:
            exercise = start_practice(session=db, profile_id=pid, target=EXERCISE)
        check_reference(state, routine, exercise)
        fast = ["--speed", "10000", "--no-input"]
        doors = [
            (["routine", ROUTINE, *fast], routine),
            (["routine", EXERCISE, *fast], exercise),
            (["routine", ROUTINE, "--coach", "--video", str(tiny_video), *fast], routine),
            (["coach", "--exercise", EXERCISE, "--video", str(tiny_video)], exercise),
        ]
        for args, want in doors:
            with store.transaction() as db:
                before = db.query(PracticeSession).filter_by(profile_id=pid).count()
            _check_cli(_cli(args), want, store, pid, before)
    finally:
        store.close()


# ------------------------------------------------------------------------------------- facefit today


@pytest.mark.parametrize("state", [s for s in STATES if s != "not-screened"])  # enrolling needs a screening
def test_facefit_today_gives_the_practice_gate_verdict(state: str) -> None:
    """`facefit today` says practice is paused, and the command that resolves it, exactly when
    :func:`practice_gate` refuses; otherwise it offers today's routine and the gate's warnings."""
    from facefit.cli._practice import refusal_text, warning_text
    from facefit.habits.service import enrol
    from facefit.practice.start import practice_gate

    store = open_store()
    try:
        with store.transaction() as db:
            pid = get_or_create_profile(session=db).id
            _screen(db, pid, NO)
            enrol(session=db, profile_id=pid, programme_id="eight-week", start=datetime.now().date())
        with store.transaction() as db:
            STATES[state](db, pid)
        with store.transaction() as db:
            gate = practice_gate(session=db, profile_id=pid)
    finally:
        store.close()
    result = _cli(["today"])
    assert result.exit_code == 0, result.output
    out = _words(result.output)
    if state in REFUSED:
        assert isinstance(gate, Refusal)
        assert out.endswith(_words(refusal_text(gate)[:1].upper() + refusal_text(gate)[1:]))
        assert out.count("Practice is paused") == 1 and f"`{COMMANDS[gate.action]}`" in out
        assert "Start with" not in out  # no routine offered while practice is paused
        want = {"consult-first": "facefit ack --clinician-cleared"}.get(state, "facefit ack")
        assert f"Run `{want}`." in out
    else:
        assert not isinstance(gate, Refusal)
        assert "paused" not in out and "Start with `facefit routine" in out
        for warning in gate.warnings:
            assert _words(warning_text(warning)) in out
        assert [w.kind for w in gate.warnings] == (["rescreen"] if state == "acknowledged" else [])
