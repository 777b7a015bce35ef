"""`facefit routine` honours the screening and refuses while a safety event is unacknowledged."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from facefit.cli import app
from facefit.safety.conditions import CONDITION_IDS
from facefit.safety.errors import SafetyBlockError
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import finish_session, list_sessions, record_event, start_session

NO = dict.fromkeys(CONDITION_IDS, False)
FAST = ["--speed", "10000", "--no-input"]


def test_tmj_daily_routine_replaces_jaw_glide_and_pain_blocks_until_ack(tmp_path: Path) -> None:
    runner = CliRunner()
    answers = tmp_path / "tmj.json"
    answers.write_text(json.dumps({**NO, "tmj": True}))
    assert runner.invoke(app, ["screen", "--answers", str(answers)]).exit_code == 0

    result = runner.invoke(app, ["routine", "daily-10", *FAST])
    assert result.exit_code == 0, result.output
    assert "neck-tightener" in result.output and "jaw glide" in result.output
    assert "Neck tightener, set" not in result.output  # no set of it was run

    store = open_store()
    with store.transaction() as db:
        pid = get_or_create_profile(session=db).id
        row = start_session(session=db, profile_id=pid, routine_id="daily-10")
        pain = {"kind": "pain", "exercise_id": "x"}
        record_event(session=db, session_id=row.id, kind="safety", payload=pain)
        finish_session(session=db, session_id=row.id, status="stopped", stop_reason="pain")
    with store.transaction() as db:
        before = len(list_sessions(session=db, profile_id=pid))

    blocked = runner.invoke(app, ["routine", "daily-10", *FAST])
    assert isinstance(blocked.exception, SafetyBlockError) and blocked.exception.exit_code == 4
    assert "facefit ack" in str(blocked.exception) and "pain" in str(blocked.exception)
    with store.transaction() as db:
        assert len(list_sessions(session=db, profile_id=pid)) == before  # nothing was started

    acked = runner.invoke(app, ["ack", "--note", "rested two days"])
    assert acked.exit_code == 0 and "acknowledged" in acked.output
    again = runner.invoke(app, ["routine", "daily-10", *FAST])
    assert again.exit_code == 0, again.output
    assert "screen again" in again.output  # a safety event came after the last screening
    store.close()
