"""``facefit routine``, ``history`` and ``demo`` through the real CLI and a real SQLite store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.cli import routine as routine_cli
from facefit.errors import InputError
from facefit.routine.blocks import Block
from facefit.routine.player import BlockResult, StepContext, timed_step
from facefit.store.db import open_store
from facefit.store.sessions import get_session

runner = CliRunner()


def history(home: Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["history", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_routine_completes_and_history_shows_it_with_its_steps(facefit_home: Path) -> None:
    result = runner.invoke(app, ["routine", "daily-10", "--speed", "5000", "--no-input"])
    assert result.exit_code == 0, result.output
    assert "called 10 min, takes 17.1 min as specified" in result.stdout
    assert "13/13 Cool-down tapping, set 1/1: done" in result.stdout
    assert "Session completed: 13 set(s) done, 0 skipped" in result.stdout
    (row,) = history(facefit_home)
    assert row["routine_id"] == "daily-10" and row["status"] == "completed"
    assert row["steps_done"] == 13 and row["steps_skipped"] == 0
    assert row["minutes"] == pytest.approx(15.5, abs=0.1)  # exercise time, cues and rests excluded
    table = runner.invoke(app, ["history"])
    assert table.exit_code == 0 and "daily-10" in table.stdout and "completed" in table.stdout
    # run 5000x faster it was a try-out: kept, and said to be no practice (no streak, no adherence)
    assert "not counted as practice" in result.stdout and row["source"] == "demo"
    assert "(demo" in table.stdout  # "daily-10 (demo: not practice)", wrapped at 80 columns


def test_single_exercise_session_and_unknown_target(facefit_home: Path) -> None:
    result = runner.invoke(app, ["routine", "jawline-toner", "--speed", "5000", "--no-input"])
    assert result.exit_code == 0, result.output
    (row,) = history(facefit_home)
    assert row["exercise_id"] == "jawline-toner" and row["routine_id"] is None and row["steps_done"] == 1
    bad = runner.invoke(app, ["routine", "cheek-puf", "--no-input"])
    assert bad.exit_code != 0
    assert runner.invoke(app, ["routine", "daily-10", "--speed", "0"]).exit_code != 0


def test_empty_history_says_how_to_start() -> None:
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 0 and "No sessions yet" in result.stdout
    assert json.loads(runner.invoke(app, ["history", "--json"]).stdout) == []


def test_pain_stop_is_stored_with_the_safety_event(facefit_home: Path) -> None:
    """A replaced per-step function (the coaching seam) that reports pain on the fourth set."""

    def pain_on_fourth(block: Block, ctx: StepContext) -> BlockResult:
        if block.index == 3:
            return BlockResult(block, "stopped", 4, 40.0, 35.0, "stopped: pain")
        return timed_step(block, ctx)

    result = routine_cli.run_guided("daily-10", speed=5000, no_input=True, perform=pain_on_fourth)
    assert result.status == "stopped"
    (row,) = history(facefit_home)
    assert row["status"] == "stopped" and str(row["stop_reason"]).startswith("pain:")
    assert (row["steps_done"], row["steps_skipped"]) == (3, 1)
    store = open_store()
    with store.transaction() as db:
        session = get_session(session=db, session_id=int(row["id"]))  # type: ignore[arg-type]
        assert session is not None
        (event,) = session.events
        assert event.kind == "safety" and event.payload["kind"] == "pain"  # the one pain payload:
        assert event.payload["exercise_id"] == "cheek-lifter" and event.payload["set_index"] == 2
        assert event.payload["message"] == row["stop_reason"] and event.payload["reps_done"] == 4
        assert session.steps[-1].note == "stopped: pain" and session.steps[-1].reps_done == 4
    store.close()


def test_excluded_exercises_are_left_out_and_named(
    facefit_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = routine_cli.run_guided("daily-10", speed=5000, no_input=True,
                                    exclude={"neck-tightener": "TMJ disorder: no jaw glides"})
    assert result.status == "completed" and len(result.results) == 10
    assert "left out today: Neck tightener (TMJ disorder: no jaw glides)" in capsys.readouterr().out
    (row,) = history(facefit_home)
    assert row["steps_done"] == 10


def test_safety_gate_adapts_to_screening_and_blocks_after_pain(facefit_home: Path, tmp_path: Path) -> None:
    """The player runs behind the safety stage's gate: TMJ leaves the jaw glide out; pain pauses practice."""
    from facefit.catalog.models import CONDITION_IDS

    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({c: ("yes" if c == "tmj" else "no") for c in CONDITION_IDS}))
    assert runner.invoke(app, ["screen", "--answers", str(answers)]).exit_code == 0
    result = runner.invoke(app, ["routine", "daily-10", "--speed", "5000", "--no-input"])
    assert result.exit_code == 0, result.output
    assert "Neck tightener" not in result.stdout and "adapted to your screening" in result.stdout

    def pain_at_once(block: Block, ctx: StepContext) -> BlockResult:
        return BlockResult(block, "stopped", None, 1.0, 0.0, "stopped: pain")

    stopped = routine_cli.run_guided("daily-10", speed=5000, no_input=True, perform=pain_at_once)
    assert stopped.status == "stopped"
    blocked = runner.invoke(app, ["routine", "daily-10", "--speed", "5000", "--no-input"])
    from facefit.safety.errors import SafetyBlockError

    assert isinstance(blocked.exception, SafetyBlockError) and blocked.exception.exit_code == 4
    assert "facefit ack" in str(blocked.exception)
    assert [row["status"] for row in history(facefit_home)] == ["stopped", "completed"]  # nothing new started


def test_catalog_commands(tmp_path: Path) -> None:
    listed = runner.invoke(app, ["catalog", "list", "--json"])
    assert listed.exit_code == 0
    data = json.loads(listed.stdout)
    assert {e["id"] for e in data["exercises"]} >= {"cheek-lifter", "cool-down-tapping"}
    daily = next(r for r in data["routines"] if r["id"] == "daily-10")
    assert daily["computed_minutes"] == pytest.approx(17.08, abs=0.01)
    table = runner.invoke(app, ["catalog", "list"])
    assert table.exit_code == 0 and "cheek-lifter" in table.stdout and "cheek-puff" in table.stdout
    card = runner.invoke(app, ["catalog", "show", "cheek-lifter"])
    assert card.exit_code == 0 and "Cheek lifter" in card.stdout and "Instructions" in card.stdout
    for item in ("daily-10", "twelve-week", "cheek-puff"):
        assert runner.invoke(app, ["catalog", "show", item]).exit_code == 0
    shown = json.loads(runner.invoke(app, ["catalog", "show", "neck-tightener", "--json"]).stdout)
    assert shown["jaw_glide"] is True and "tmj" in shown["contraindications"]
    assert runner.invoke(app, ["catalog", "show", "nothing"]).exit_code != 0
    guidance = runner.invoke(app, ["catalog", "guidance"])
    assert guidance.exit_code == 0 and "relaxed, not trained" in " ".join(guidance.stdout.split())
    planned = runner.invoke(app, ["catalog", "plan", "twelve-week", "--start", "2026-11-23",
                                  "--weekdays", "mon,wed,fri", "--json"])
    assert planned.exit_code == 0
    days = json.loads(planned.stdout)
    assert len(days) == 84 and days[0] == {"date": "2026-11-23", "week": 1, "day": 1, "routine_id": "starter",
                                           "planned_minutes": pytest.approx(7.0, abs=0.01)}
    assert runner.invoke(app, ["catalog", "plan", "twelve-week", "--start", "23/11/2026"]).exit_code != 0


def test_a_corrupt_database_is_one_clear_error_and_is_left_alone(facefit_home: Path) -> None:
    facefit_home.mkdir(parents=True, exist_ok=True)
    db = facefit_home / "facefit.db"
    db.write_bytes(b"not a database at all" * 100)
    for command in (["history"], ["routine", "daily-10", "--speed", "5000", "--no-input"]):
        result = runner.invoke(app, command)
        assert isinstance(result.exception, InputError), result.output
        assert "Cannot open the database" in str(result.exception) and "nothing was changed" in str(
            result.exception)
    assert db.read_bytes() == b"not a database at all" * 100


def test_history_limit_beyond_what_sqlite_holds_is_a_usage_error() -> None:
    result = runner.invoke(app, ["history", "--limit", str(10**23)])
    assert result.exit_code == 2 and not isinstance(result.exception, OverflowError), result.output
