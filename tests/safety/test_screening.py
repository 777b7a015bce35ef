"""Screening answers become the right clearance; bad answers files get one clear error."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from facefit.safety.conditions import CONDITION_IDS, RULES_BY_ID, Level
from facefit.safety.errors import ScreeningInputError
from facefit.safety.screening import evaluate, load_answers, parse_answers, rescreen_reason

NO = dict.fromkeys(CONDITION_IDS, False)


def test_no_conditions_is_ok() -> None:
    clearance = evaluate(NO)
    assert clearance.level is Level.OK and clearance.conditions == ()
    assert not clearance.needs_acknowledgement


def test_tmj_is_modified() -> None:
    clearance = evaluate({**NO, "tmj": True})
    assert clearance.level is Level.MODIFIED
    assert clearance.conditions == ("tmj",)
    assert "TMJ" in clearance.summary()


def test_facial_palsy_is_consult_first_and_needs_acknowledgement() -> None:
    clearance = evaluate({**NO, "facial-nerve-disorder": True, "tmj": True})
    assert clearance.level is Level.CONSULT_FIRST
    assert clearance.needs_acknowledgement
    cleared = evaluate({**NO, "facial-nerve-disorder": True}, consult_acknowledged=True)
    assert not cleared.needs_acknowledgement


@given(st.dictionaries(st.sampled_from(CONDITION_IDS), st.booleans()))
def test_level_is_the_strictest_condition(partial: dict[str, bool]) -> None:
    answers = {**NO, **partial}
    clearance = evaluate(answers)
    yes = [c for c in CONDITION_IDS if answers[c]]
    expected = max((RULES_BY_ID[c].level.rank for c in yes), default=0)
    assert clearance.level.rank == expected
    assert list(clearance.conditions) == yes


def test_answers_accept_yes_no_strings() -> None:
    answers = parse_answers({**{c: "no" for c in CONDITION_IDS}, "tmj": "Yes"})
    assert answers["tmj"] is True and answers["pregnancy"] is False


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ({**NO, "tmjj": True}, "Unknown screening question"),
        ({c: False for c in CONDITION_IDS if c != "pregnancy"}, "missing: pregnancy"),
        ({**NO, "tmj": "maybe"}, "must be yes or no"),
        ([1, 2], "JSON object"),
    ],
)
def test_bad_answers_are_rejected(raw: object, fragment: str) -> None:
    with pytest.raises(ScreeningInputError, match=fragment):
        parse_answers(raw)


def test_answers_file_errors_name_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "a.json"
    bad.write_text("{not json")
    with pytest.raises(ScreeningInputError, match=r"a\.json is not valid JSON"):
        load_answers(bad)
    with pytest.raises(ScreeningInputError, match="Cannot read"):
        load_answers(tmp_path / "missing.json")
    binary = tmp_path / "c.json"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ScreeningInputError, match=r"c\.json is not UTF-8"):
        load_answers(binary)
    good = tmp_path / "b.json"
    good.write_text(json.dumps({**NO, "rosacea-sensitive-skin": True}))
    assert load_answers(good)["rosacea-sensitive-skin"] is True


def test_rescreen_after_12_weeks_or_a_safety_event() -> None:
    screened = datetime(2026, 1, 1, tzinfo=UTC)
    clearance = evaluate(NO, screened_at=screened)
    assert rescreen_reason(clearance, now=screened + timedelta(weeks=11), safety_event_times=[]) is None
    later = screened + timedelta(weeks=12)
    assert "12 weeks" in str(rescreen_reason(clearance, now=later, safety_event_times=[]))
    event = screened + timedelta(days=3)
    reason = rescreen_reason(clearance, now=event + timedelta(days=1), safety_event_times=[event])
    assert "safety event" in str(reason)
    assert rescreen_reason(None, now=screened, safety_event_times=[]) is not None
