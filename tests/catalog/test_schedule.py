"""The programme schedule: one dated day per programme day, rest days where the rules put them."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.catalog.durations import routine_seconds
from facefit.catalog.loader import load_catalog
from facefit.catalog.schedule import parse_weekdays, plan
from facefit.errors import CatalogError, InputError

MONDAY = date(2026, 11, 23)
PROGRAMMES = ["eight-week", "twelve-week", "study-20-week"]


@pytest.mark.parametrize("programme_id", PROGRAMMES)
def test_every_day_is_planned_once_in_order(programme_id: str) -> None:
    programme = load_catalog().programme(programme_id)
    days = plan(programme_id, MONDAY)
    assert len(days) == 7 * programme.weeks
    assert [d.date for d in days] == [MONDAY + timedelta(days=i) for i in range(len(days))]
    assert [d.day for d in days] == list(range(1, len(days) + 1))
    assert Counter(d.week for d in days) == {w: 7 for w in range(1, programme.weeks + 1)}
    for d in days:
        assert (d.planned_minutes == 0) == d.is_rest


def test_twelve_week_days_per_week_and_build_up() -> None:
    catalog = load_catalog()
    days = plan("twelve-week", MONDAY)
    per_week = Counter(d.week for d in days if not d.is_rest)
    assert [per_week[w] for w in range(1, 13)] == [5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7]
    first = days[0]
    assert first.routine_id == "starter"
    assert first.planned_minutes == pytest.approx(routine_seconds(catalog.routine("starter"), catalog) / 60)
    assert 5 <= first.planned_minutes <= 10
    weekly = [sum(d.planned_minutes for d in days if d.week == w) for w in range(1, 13)]
    assert weekly == sorted(weekly)


def test_rest_days_are_spread_not_bunched() -> None:
    week = plan("eight-week", MONDAY)[:7]
    rest = [i for i, d in enumerate(week) if d.is_rest]
    assert len(rest) == 2 and rest[1] - rest[0] > 1  # 5 of 7 days, rest days not back to back
    week3 = [d for d in plan("eight-week", MONDAY) if d.week == 3]
    assert sum(d.is_rest for d in week3) == 1


def test_study_protocol_daily_then_every_other_day() -> None:
    days = plan("study-20-week", MONDAY + timedelta(days=2))  # starts on a Wednesday: weeks follow the start
    first8 = [d for d in days if d.week <= 8]
    assert all(d.routine_id == "study-30" for d in first8)
    later = [d for d in days if d.week > 8]
    assert [d.is_rest for d in later[:6]] == [False, True, False, True, False, True]
    assert sum(not d.is_rest for d in later) == len(later) // 2
    assert 27 <= days[0].planned_minutes <= 33


def test_weekdays_restrict_practice() -> None:
    allowed = parse_weekdays("mon,wed,fri")
    days = plan("twelve-week", MONDAY + timedelta(days=3), allowed)  # a Thursday start
    assert all(d.date.weekday() in allowed for d in days if not d.is_rest)
    per_week = Counter(d.week for d in days if not d.is_rest)
    assert set(per_week.values()) == {3}  # fewer allowed days than asked: the plan follows the person
    six = plan("eight-week", MONDAY, parse_weekdays("0,1,2,3,4,5"))
    assert [d.is_rest for d in six[:7]] == [False] * 5 + [True, True]  # first 5 allowed days in week 1


def test_parse_weekdays_and_bad_input() -> None:
    assert parse_weekdays("Mon, tuesday,6") == {0, 1, 6}
    with pytest.raises(ValueError, match="unknown weekday 'funday'"):
        parse_weekdays("mon,funday")
    with pytest.raises(ValueError, match="no weekdays"):
        parse_weekdays(" , ")
    with pytest.raises(ValueError, match=r"subset of 0\.\.6"):
        plan("eight-week", MONDAY, {7})
    with pytest.raises(ValueError, match=r"subset of 0\.\.6"):
        plan("eight-week", MONDAY, set())
    with pytest.raises(CatalogError, match="Unknown programme"):
        plan("forty-week", MONDAY)


def test_a_programme_that_would_end_after_year_9999_is_an_input_error() -> None:
    weeks = load_catalog().programme("eight-week").weeks
    last_start = date.max - timedelta(days=7 * weeks - 1)
    assert plan("eight-week", last_start)[-1].date == date.max
    with pytest.raises(InputError, match="would run past 9999-12-31"):
        plan("eight-week", last_start + timedelta(days=1))


@given(
    st.sampled_from(PROGRAMMES),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.one_of(st.none(), st.sets(st.integers(0, 6), min_size=1)),
)
@settings(max_examples=60, deadline=None)
def test_schedule_properties(programme_id: str, start: date, weekdays: set[int] | None) -> None:
    programme = load_catalog().programme(programme_id)
    days = plan(programme, start, weekdays)
    assert days[0].date == start and days[-1].date == start + timedelta(days=7 * programme.weeks - 1)
    for week in range(1, programme.weeks + 1):
        phase = programme.phase_for_week(week)
        practice = [d for d in days if d.week == week and not d.is_rest]
        assert all(d.routine_id == phase.routine for d in practice)
        if weekdays is not None:
            assert all(d.date.weekday() in weekdays for d in practice)
        if phase.days_per_week is not None:
            cap = phase.days_per_week if weekdays is None else min(phase.days_per_week, len(weekdays))
            assert len(practice) == cap


def test_cli_plan_json_and_bad_input() -> None:
    from typer.testing import CliRunner

    from facefit.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["catalog", "plan", "eight-week", "--start", MONDAY.isoformat(),
                                 "--weekdays", "mon,wed,fri", "--json"])
    assert result.exit_code == 0, result.output
    days = json.loads(result.stdout)
    assert [d["date"] for d in days] == [d.date.isoformat() for d in plan("eight-week", MONDAY, {0, 2, 4})]
    assert {date.fromisoformat(d["date"]).weekday() for d in days if d["routine_id"]} <= {0, 2, 4}
    for args, message in [(["--weekdays", ""], "no weekdays given"),
                          (["--start", "2026-02-30"], "Bad --start"),
                          (["--start", "9999-12-01"], "would run past 9999-12-31")]:
        bad = runner.invoke(app, ["catalog", "plan", "eight-week", *args])
        assert isinstance(bad.exception, InputError) and message in str(bad.exception), bad.output
