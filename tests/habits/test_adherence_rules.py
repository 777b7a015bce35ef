"""Pure adherence rules on generated histories: streak and catch-up invariants (hypothesis)."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.catalog.schedule import PlannedDay
from facefit.habits.adherence import PracticeDay, day_records, routines_covered, streaks, week_stats
from facefit.habits.catchup import MAX_CATCH_UP, catch_up

START = date(2026, 6, 1)


def done_day(minutes: float = 0.0) -> PracticeDay:
    """A day whose sets covered daily-10 (``habits.adherence.routines_covered``)."""
    return PracticeDay(sessions=1, completed=1, minutes=minutes, routines_done=frozenset({"daily-10"}))


def make_plan(rest_pattern: list[bool]) -> list[PlannedDay]:
    return [PlannedDay(START + timedelta(days=i), i // 7 + 1, i + 1, None if rest else "daily-10",
                       0.0 if rest else 17.0) for i, rest in enumerate(rest_pattern)]


histories = st.integers(min_value=1, max_value=6).flatmap(
    lambda weeks: st.tuples(st.lists(st.booleans(), min_size=7 * weeks, max_size=7 * weeks),
                            st.lists(st.booleans(), min_size=7 * weeks, max_size=7 * weeks),
                            st.integers(min_value=0, max_value=7 * weeks - 1)))


@settings(max_examples=150, deadline=None)
@given(histories)
def test_catch_up_never_doubles_and_stays_in_the_week(history: tuple[list[bool], list[bool], int]) -> None:
    rest, done, today_index = history
    plan = make_plan(rest)
    today = START + timedelta(days=today_index)
    practice = {d.date: done_day(minutes=10)
                for d, x in zip(plan, done, strict=True) if x and d.date <= today}
    records = day_records(plan, practice, today)
    tips = catch_up(records, today)
    by_date = {r.date: r for r in records}
    week = by_date[today].week
    missed = sum(1 for r in records if r.week == week and r.status == "missed")
    dated = [t for t in tips if t.date is not None]
    assert len(dated) <= min(missed, MAX_CATCH_UP)
    assert len({t.date for t in dated}) == len(dated)  # at most one suggestion per day
    for tip in dated:
        slot = by_date[tip.date]
        assert slot.week == week and tip.date >= today
        # a free rest day: one session there, never two in a day
        assert slot.routine_id is None and slot.practice.sessions == 0
    if missed == 0:
        assert tips == []


@settings(max_examples=150, deadline=None)
@given(histories)
def test_streak_and_adherence_bounds(history: tuple[list[bool], list[bool], int]) -> None:
    rest, done, today_index = history
    plan = make_plan(rest)
    today = START + timedelta(days=today_index)
    practice = {d.date: done_day() for d, x in zip(plan, done, strict=True) if x}
    records = day_records(plan, practice, today)
    runs = streaks(records)
    practised = sum(1 for r in records if r.practised)
    assert 0 <= runs.current <= runs.longest <= practised
    for week in week_stats(records, today):
        assert 0 <= week.adherence <= 100
    # Making every planned day practised can never lower the longest streak.
    full = {d.date: done_day() for d in plan if d.routine_id or d.date in practice}
    assert streaks(day_records(plan, full, today)).longest >= runs.longest


def test_rest_days_do_not_break_a_streak_but_a_missed_day_does() -> None:
    plan = make_plan([False, True, False, False, True, False, False])
    today = START + timedelta(days=6)
    done = {START, START + timedelta(days=2), START + timedelta(days=5)}
    records = day_records(plan, {d: done_day() for d in done}, today)
    assert [r.status for r in records] == ["done", "rest", "done", "missed", "rest", "done", "today"]
    assert streaks(records) == streaks(records).__class__(current=1, longest=2)
    # A session stopped by a safety rule counts; an interrupted one does not.
    stopped = {START + timedelta(days=3): PracticeDay(sessions=1, stopped=1, safety_stopped=1)}
    interrupted = {START + timedelta(days=3): PracticeDay(sessions=1, stopped=1)}
    assert day_records(plan, stopped, today)[3].status == "done"
    assert day_records(plan, interrupted, today)[3].status == "missed"
    # Practice that covers another routine (one exercise of daily-10 covers none) is not the day's.
    partial = {START + timedelta(days=3): PracticeDay(sessions=1, completed=1, routines_done=frozenset())}
    other = {START + timedelta(days=3): PracticeDay(sessions=2, completed=2,
                                                    routines_done=frozenset({"starter"}))}
    assert day_records(plan, partial, today)[3].status == "missed"
    assert day_records(plan, other, today)[3].status == "missed"


def test_a_routine_is_covered_only_by_all_its_sets() -> None:
    need = {"starter": {"cheek-lifter": 1, "jawline-definition": 1},
            "daily-10": {"cheek-lifter": 3, "jawline-definition": 3, "neck-tightener": 3}, "none": {}}
    assert routines_covered({"cheek-lifter": 1}, need) == frozenset()
    assert routines_covered({"cheek-lifter": 3, "jawline-definition": 1}, need) == {"starter"}
    assert routines_covered({"cheek-lifter": 3, "jawline-definition": 3, "neck-tightener": 3}, need) == {
        "starter", "daily-10"}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(["eight-week", "twelve-week", "study-20-week"]),
       st.sets(st.integers(min_value=0, max_value=6), min_size=1),
       st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)))
def test_ics_has_one_event_with_alarm_per_practice_day(
    programme: str, weekdays: set[int], start: date
) -> None:
    from icalendar import Calendar

    from facefit.catalog.schedule import plan
    from facefit.habits.ics import build_calendar

    days = plan(programme, start, weekdays)
    cal = Calendar.from_ical(build_calendar(days, programme_id=programme, programme_name=programme).to_ical())
    events = cal.walk("VEVENT")
    practice = [d.date for d in days if d.routine_id]
    assert sorted(e.decoded("dtstart").date() for e in events) == practice
    assert all(e.walk("VALARM") for e in events)
