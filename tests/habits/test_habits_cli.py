"""The habits commands on the simulated 12 weeks: plan (JSON), today, remind --ics."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from facefit.cli import app
from facefit.errors import InputError
from facefit.habits.service import NotEnrolledError
from facefit.safety.conditions import CONDITION_IDS
from facefit.store.db import open_store

from .history import build


def test_plan_today_and_remind(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["remind", "--ics", str(tmp_path / "none.ics")])
    assert isinstance(missing.exception, NotEnrolledError)
    assert not (tmp_path / "none.ics").exists()

    store = open_store()
    build(store)
    store.close()

    result = runner.invoke(app, ["plan", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["programme"] == "twelve-week" and data["adherence"] == round(100 * 67 / 72, 1)
    assert [w["practised"] for w in data["weeks"]] == [5, 4, 5, 5, 5, 6, 6, 6, 7, 4, 7, 7]
    assert (data["streak"], data["longest"]) == (16, 32)

    today = runner.invoke(app, ["today"])
    assert today.exit_code == 0, today.output
    if date.today() > date(2026, 3, 29):
        assert "outside your twelve-week programme" in today.output

    out = tmp_path / "all.ics"
    result = runner.invoke(app, ["remind", "--ics", str(out), "--whole-programme", "--alarm", "20"])
    assert result.exit_code == 0, result.output
    events = Calendar.from_ical(out.read_bytes()).walk("VEVENT")
    assert len(events) == 72 and "wrote 72" in result.output
    assert all(len(e.walk("VALARM")) == 1 for e in events)


def test_bad_enrol_values_are_refused_before_anything_is_stored(tmp_path: Path) -> None:
    runner = CliRunner()
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps(dict.fromkeys(CONDITION_IDS, False)))
    assert runner.invoke(app, ["screen", "--answers", str(answers)]).exit_code == 0
    for args, fragment in [(["--time", "25:99"], "HH:MM"), (["--start", "1900-01-01"], "more than 366 days"),
                           (["--start", "9999-12-01"], "more than 366 days")]:
        result = runner.invoke(app, ["enrol", *args])
        assert isinstance(result.exception, InputError), (args, result.output)
        assert fragment in str(result.exception)
    assert isinstance(runner.invoke(app, ["plan"]).exception, NotEnrolledError)


def test_an_unwritable_export_path_is_one_clear_error_and_leaves_nothing_behind(tmp_path: Path) -> None:
    from facefit.fileio import write_atomic

    with pytest.raises(InputError, match=r"Cannot write .*folder\.ics: Is a directory"):
        (tmp_path / "folder.ics").mkdir()
        write_atomic(tmp_path / "folder.ics", b"new")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match=r"Cannot write .*file/x\.ics"):
        write_atomic(blocker / "x.ics", b"new")
    assert (tmp_path / "folder.ics").is_dir() and blocker.read_text() == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "folder.ics"]  # no temp file left
