"""Stored screenings, safety blocks and acknowledgements, and the check the player calls before a session."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.errors import CatalogError
from facefit.habits.service import enrol
from facefit.practice.start import Action, PracticePlan, Refusal, RefusalReason, start_practice
from facefit.safety.conditions import CONDITION_IDS, Level
from facefit.safety.errors import NotScreenedError, SafetyBlockError, ScreeningInputError
from facefit.safety.service import (
    acknowledge_safety,
    current_clearance,
    pending_safety_blocks,
    record_screening,
    report_safety_flag,
    safety_status,
)
from facefit.store.db import Store, open_store
from facefit.store.profiles import get_or_create_profile
from facefit.store.safety_habits import list_screenings
from facefit.store.sessions import finish_session, record_event, start_session

NO = dict.fromkeys(CONDITION_IDS, False)


@pytest.fixture
def store(db_url: str) -> Store:
    opened = open_store(db_url)
    yield opened
    opened.close()


def _profile(store: Store) -> int:
    with store.transaction() as db:
        return get_or_create_profile(session=db).id


def test_screening_is_stored_with_date_and_answers(store: Store) -> None:
    pid = _profile(store)
    when = datetime(2026, 2, 1, 9, tzinfo=UTC)
    with store.transaction() as db:
        record_screening(session=db, profile_id=pid, answers={**NO, "tmj": True}, now=when)
    with store.transaction() as db:
        rows = list_screenings(session=db, profile_id=pid)
        clearance = current_clearance(session=db, profile_id=pid)
    assert len(rows) == 1 and rows[0].answers["tmj"] is True and rows[0].clearance == "modified"
    assert clearance is not None and clearance.screened_at == when and clearance.level is Level.MODIFIED


def test_tmj_player_plan_replaces_jaw_glide_and_says_why(store: Store) -> None:
    pid = _profile(store)
    with store.transaction() as db:
        record_screening(session=db, profile_id=pid, answers={**NO, "tmj": True})
        plan = start_practice(session=db, profile_id=pid, target="daily-10")
    assert isinstance(plan, PracticePlan)
    exercises = {b.exercise_id for b in plan.session.blocks}
    assert "neck-tightener" not in exercises
    assert any("neck-tightener" in line and "jaw glide" in line for line in plan.step_lines())
    with store.transaction() as db:
        refused = start_practice(session=db, profile_id=pid, target="neck-tightener")
    assert isinstance(refused, Refusal) and refused.reason is RefusalReason.RULED_OUT
    assert "jaw glide" in refused.message and refused.action is Action.CHOOSE_ANOTHER


@pytest.mark.parametrize(("target", "message"), [
    ("nope", r"There is no routine or exercise called 'nope'; routines: .*daily-10.*; "
             r"exercises: .*cheek-lifter"),
    ("cheek-puff", "Cheek puffing is discouraged: "),
])
def test_an_unknown_or_discouraged_target_is_named_as_such(store: Store, target: str, message: str) -> None:
    pid = _profile(store)
    with store.transaction() as db, pytest.raises(CatalogError, match=message):
        start_practice(session=db, profile_id=pid, target=target)


def test_palsy_needs_explicit_acknowledgement_to_enrol_and_practise(store: Store) -> None:
    pid = _profile(store)
    with store.transaction() as db, pytest.raises(NotScreenedError):
        enrol(session=db, profile_id=pid, programme_id="twelve-week", start=date(2026, 3, 2),
              today=date(2026, 3, 1))
    with store.transaction() as db:
        palsy = {**NO, "facial-nerve-disorder": True}
        clearance = record_screening(session=db, profile_id=pid, answers=palsy)
    assert clearance.level is Level.CONSULT_FIRST
    with store.transaction() as db, pytest.raises(SafetyBlockError, match="clinician"):
        enrol(session=db, profile_id=pid, programme_id="twelve-week", start=date(2026, 3, 2),
              today=date(2026, 3, 1))
    with store.transaction() as db:
        refused = start_practice(session=db, profile_id=pid, target="daily-10")
    assert isinstance(refused, Refusal) and "consult a clinician" in refused.message
    assert refused.action is Action.CLINICIAN_CLEARANCE
    with store.transaction() as db:
        enrol(session=db, profile_id=pid, programme_id="twelve-week", start=date(2026, 3, 2),
              today=date(2026, 3, 1), consult_acknowledged=True)
        prepared = start_practice(session=db, profile_id=pid, target="daily-10")
    assert isinstance(prepared, PracticePlan) and prepared.routine is not None
    gentle = {"skin-prep", "warm-up-massage", "cool-down-tapping"}
    assert {s.exercise for s in prepared.routine.steps} <= gentle


def test_pain_event_blocks_until_acknowledged_and_asks_for_rescreen(store: Store) -> None:
    pid = _profile(store)
    with store.transaction() as db:
        record_screening(session=db, profile_id=pid, answers=NO)
        row = start_session(session=db, profile_id=pid, routine_id="daily-10")
        for payload in ({"kind": "pain", "exercise_id": "x"}, {"kind": "fatigue", "message": "m"}):
            record_event(session=db, session_id=row.id, kind="safety", payload=payload)
        finish_session(session=db, session_id=row.id, status="stopped", stop_reason="pain")
    with store.transaction() as db:
        pending = pending_safety_blocks(session=db, profile_id=pid)
        assert [e.kind for e in pending] == ["pain"]  # fatigue warns, never blocks
        refused = start_practice(session=db, profile_id=pid, target="daily-10")
        assert isinstance(refused, Refusal) and refused.action is Action.ACKNOWLEDGE_STOP
        assert [e.kind for e in refused.pending] == ["pain"] and "Stop for today" in refused.advice
    with store.transaction() as db:
        covered = acknowledge_safety(session=db, profile_id=pid, note="rested")
    assert [e.kind for e in covered] == ["pain"]
    with store.transaction() as db:
        status = safety_status(session=db, profile_id=pid)
        prepared = start_practice(session=db, profile_id=pid, target="daily-10")
    assert status.can_start and status.rescreen and "safety event" in status.rescreen
    assert isinstance(prepared, PracticePlan)
    assert any("screen again" in w.message and w.action is Action.SCREEN for w in prepared.warnings)


def test_flag_from_photos_blocks_too(store: Store) -> None:
    pid = _profile(store)
    with store.transaction() as db:
        report_safety_flag(session=db, profile_id=pid, kind="new-asymmetry", source="photos",
                           detail={"message": "mouth corner 2 mm lower on the left"},
                           now=datetime.now(UTC) + timedelta(seconds=1))
    with store.transaction() as db:
        assert [e.kind for e in pending_safety_blocks(session=db, profile_id=pid)] == ["new-asymmetry"]


def test_cli_screen_answers_file_and_ack(tmp_path: Path) -> None:
    runner = CliRunner()
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({**NO, "tmj": True}))
    result = runner.invoke(app, ["screen", "--answers", str(answers)])
    assert result.exit_code == 0, result.output
    assert "modified" in result.output and "Neck tightener" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**NO, "tmj": "sometimes"}))
    result = runner.invoke(app, ["screen", "--answers", str(bad)])
    assert isinstance(result.exception, ScreeningInputError) and result.exception.exit_code == 2
    assert "must be yes or no" in str(result.exception)
    result = runner.invoke(app, ["screen"], input="n\nY\nn\nn\nn\nn\nn\n")
    assert result.exit_code == 0, result.output
    assert "consult first" in result.output
    result = runner.invoke(app, ["enrol", "twelve-week"])
    assert isinstance(result.exception, SafetyBlockError)
    result = runner.invoke(app, ["ack", "--clinician-cleared"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["enrol", "twelve-week", "--days", "mon,tue,wed,thu,fri,sat"])
    assert result.exit_code == 0, result.output
    assert "68 practice days" in result.output
    result = runner.invoke(app, ["safety", "--json"])
    status = json.loads(result.output)
    assert status["clearance"] == "consult-first" and status["consult_acknowledged"] and status["can_start"]
