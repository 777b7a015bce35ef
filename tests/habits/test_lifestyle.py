"""Lifestyle input is validated (units, ranges, unknown fields) and bad input saves nothing."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from facefit.cli import app
from facefit.habits.lifestyle import LifestyleInputError, load_file, parse_pairs, validate, weekly_summary
from facefit.habits.service import lifestyle_days, log_lifestyle
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile


def test_units_convert_to_canonical_values() -> None:
    values = parse_pairs(["sleep=450min", "water=1500ml", "calcium=1.1g", "vitamin_d=20ug", "spf=yes",
                          "smoked=no", "moisturizer=true"])
    assert values == {"sleep_h": 7.5, "water_l": 1.5, "calcium_mg": 1100.0, "vitamin_d_iu": 800.0,
                      "spf": True, "smoking": False, "moisturiser": True}


@pytest.mark.parametrize(
    ("pairs", "fragment"),
    [
        (["sleep=30h"], "Sleep 30 h is out of range"),
        (["calcium=-5"], "Calcium -5 mg is out of range"),
        (["caffeine=2"], "Unknown lifestyle field 'caffeine'"),
        (["sleep=7parsecs"], "unknown unit 'parsecs'"),
        (["spf=maybe"], "SPF applied must be yes or no"),
        (["sleep"], "Expected field=value"),
        (["sleep=7", "sleep=8"], "given twice"),
    ],
)
def test_bad_values_get_one_clear_error(pairs: list[str], fragment: str) -> None:
    with pytest.raises(LifestyleInputError, match=fragment):
        parse_pairs(pairs)


@given(st.floats(allow_nan=True, allow_infinity=True))
def test_sleep_outside_0_24_is_always_rejected(hours: float) -> None:
    if 0 <= hours <= 24:
        assert validate({"sleep": hours})["sleep_h"] == hours
    else:
        with pytest.raises(LifestyleInputError):
            validate({"sleep": hours})


def test_json_file_unknown_field_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "day.json"
    path.write_text(json.dumps({"sleep": "7h", "mood": "great"}))
    with pytest.raises(LifestyleInputError, match="Unknown lifestyle field 'mood'"):
        load_file(path)
    path.write_text("[1, 2]")
    with pytest.raises(LifestyleInputError, match="JSON object"):
        load_file(path)


def test_bad_input_saves_nothing_and_keeps_what_was_saved(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'l.db'}")
    day = date(2026, 3, 2)
    with store.transaction() as db:
        pid = get_or_create_profile(session=db).id
        log_lifestyle(session=db, profile_id=pid, day=day, raw={"sleep": "8h", "spf": True}, today=day)
    for bad in ({"sleep": 30}, {"calcium": -5}, {"spf": False, "unknown": 1}):
        with pytest.raises(LifestyleInputError), store.transaction() as db:
            log_lifestyle(session=db, profile_id=pid, day=day, raw=bad, today=day)
    for when, fragment in ((day + timedelta(days=1), "in the future"),
                           (date(2025, 2, 28), "more than 366 days ago")):
        with pytest.raises(LifestyleInputError, match=fragment), store.transaction() as db:
            log_lifestyle(session=db, profile_id=pid, day=when, raw={"sleep": "7h"}, today=day)
    with store.transaction() as db:
        saved = lifestyle_days(session=db, profile_id=pid)
    assert saved[day]["sleep_h"] == 8.0 and saved[day]["spf"] is True and saved[day]["calcium_mg"] is None
    store.close()


def test_cli_log_rejects_bad_input_without_saving() -> None:
    runner = CliRunner()
    for args in (["log", "sleep=30h"], ["log", "calcium=-5"], ["log", "sleep=7h", "colour=blue"],
                 ["log", "sleep=7h", "--date", "2999-01-01"], ["log", "sleep=7h", "--date", "1900-01-01"]):
        result = runner.invoke(app, args)
        assert result.exit_code != 0
        assert isinstance(result.exception, LifestyleInputError)
    store = open_store()
    with store.transaction() as db:
        assert lifestyle_days(session=db, profile_id=get_or_create_profile(session=db).id) == {}
    recent = date.today() - timedelta(days=3)
    ok = runner.invoke(app, ["log", "sleep=7.5h", "calcium=1100mg", "--date", recent.isoformat()])
    assert ok.exit_code == 0, ok.output
    assert "7-9 h sleep" in ok.output
    with store.transaction() as db:
        saved = lifestyle_days(session=db, profile_id=get_or_create_profile(session=db).id)
    assert saved[recent]["calcium_mg"] == 1100.0
    store.close()


def test_weekly_summary_counts_days_on_target() -> None:
    days = {
        date(2026, 3, 2): {"calcium_mg": 1100.0, "vitamin_d_iu": 400.0, "smoking": False},
        date(2026, 3, 3): {"calcium_mg": 1400.0, "vitamin_d_iu": 600.0, "smoking": True},
        date(2026, 3, 4): {"calcium_mg": 1000.0},
        date(2026, 3, 12): {"calcium_mg": 1100.0},  # outside the week
    }
    summary = {t.field: (t.met, t.logged) for t in weekly_summary(days, date(2026, 3, 2), date(2026, 3, 8))}
    assert summary["calcium_mg"] == (2, 3)
    assert summary["vitamin_d_iu"] == (1, 2)
    assert summary["smoking"] == (1, 2)
    assert summary["spf"] == (0, 0)
