"""Acceptance: a simulated 12 weeks gives the adherence, streaks and weekly frequency worked out by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from facefit.habits.adherence import overall_adherence, streaks, week_stats
from facefit.habits.catchup import catch_up
from facefit.habits.service import practice_by_day, records
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import DEMO_SOURCE, finish_session, record_step, start_session

from .history import START, History, build, day_of, practised_days

# Worked out from the pattern in history.py (planned, practised) per programme week.
EXPECTED_WEEKS = {1: (5, 5), 2: (5, 4), 3: (5, 5), 4: (5, 5), 5: (6, 5), 6: (6, 6), 7: (6, 6), 8: (6, 6),
                  9: (7, 7), 10: (7, 4), 11: (7, 7), 12: (7, 7)}


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('h') / 'twelve.db'}")
    yield build(store)
    store.close()


def test_weekly_adherence_and_frequency(history: History) -> None:
    with history.store.transaction() as db:
        _, recs = records(session=db, profile_id=history.profile_id, today=history.today)
    weeks = week_stats(recs, history.today)
    assert [(w.planned, w.practised) for w in weeks] == [EXPECTED_WEEKS[w] for w in range(1, 13)]
    assert [round(w.adherence, 2) for w in weeks] == [
        100, 80, 100, 100, round(500 / 6, 2), 100, 100, 100, 100, round(400 / 7, 2), 100, 100]
    assert [w.week for w in weeks if not w.frequency_ok] == [2, 10]
    assert round(overall_adherence(weeks), 2) == round(100 * 67 / 72, 2)
    assert weeks[4].extra == 1 and weeks[4].done_as_planned == 4
    # 10 min a practised day, plus the weekly 10-min camera-coached session on day 1 (missed in week 5):
    # coached practice is facial work like a routine
    coached = [10.0 * ((w, 1) in practised_days()) for w in range(1, 13)]
    assert [w.minutes for w in weeks] == [
        10.0 * EXPECTED_WEEKS[w][1] + coached[w - 1] for w in range(1, 13)]


def test_streaks_rest_days_do_not_break_them(history: History) -> None:
    with history.store.transaction() as db:
        _, recs = records(session=db, profile_id=history.profile_id, today=history.today)
    runs = streaks(recs)
    assert (runs.current, runs.longest) == (16, 32)


def test_mid_programme_view_and_catch_up(history: History) -> None:
    today = day_of(5, 4)  # after missing week 5 days 1-2, before the catch-up
    with history.store.transaction() as db:
        _, recs = records(session=db, profile_id=history.profile_id, today=today)
    statuses = {r.date: r.status for r in recs}
    assert statuses[day_of(5, 1)] == statuses[day_of(5, 2)] == "missed"
    assert statuses[day_of(5, 4)] == "done"  # practised at noon that day in the simulation
    tips = catch_up(recs, today)
    dated = [t for t in tips if t.date is not None]
    assert [t.date for t in dated] == [day_of(5, 7)]  # the one free rest day of week 5
    assert all(t.date > today or t.date == today for t in dated)


def test_icalendar_export_has_one_event_per_practice_day(history: History, tmp_path: Path) -> None:
    from icalendar import Calendar

    from facefit.catalog.loader import load_catalog
    from facefit.fileio import write_atomic
    from facefit.habits.ics import build_calendar
    from facefit.habits.service import current_enrolment, enrolment_plan

    with history.store.transaction() as db:
        enrolment = current_enrolment(session=db, profile_id=history.profile_id)
    assert enrolment is not None
    plan = enrolment_plan(enrolment)
    out = tmp_path / "plan.ics"
    write_atomic(out, build_calendar(plan, programme_id="twelve-week", programme_name="12-week programme",
                                     reminder_time="07:30", alarm_minutes=10,
                                     routine_names={k: r.name for k, r in load_catalog().routines.items()})
                 .to_ical())
    parsed = Calendar.from_ical(out.read_bytes())
    events = parsed.walk("VEVENT")
    assert len(events) == 72 == sum(1 for d in plan if d.routine_id)
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts[0].date() == START and starts[0].hour == 7 and starts[0].minute == 30
    assert len({str(e["uid"]) for e in events}) == 72
    for event in events:
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and alarms[0].decoded("trigger") == timedelta(minutes=-10)
    rest_day = day_of(1, 4)
    assert rest_day not in {s.date() for s in starts}


def test_same_numbers_on_every_backend(db_url: str) -> None:
    """The store edge gives the same adherence on SQLite and PostgreSQL (dates, JSON weekdays, joins)."""
    store = open_store(db_url)
    try:
        history = build(store)
        with store.transaction() as db:
            _, recs = records(session=db, profile_id=history.profile_id, today=history.today)
    finally:
        store.close()
    weeks = week_stats(recs, history.today)
    assert [(w.planned, w.practised) for w in weeks] == [EXPECTED_WEEKS[w] for w in range(1, 13)]
    assert (streaks(recs).current, streaks(recs).longest) == (16, 32)


def test_demo_sessions_are_history_not_practice(tmp_path: Path) -> None:
    """`facefit demo` coaches a synthetic face: it must not make a streak day or use up the volume caps."""
    store = open_store(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with store.transaction() as db:
            profile_id = get_or_create_profile(session=db).id
            for source in (DEMO_SOURCE, "web"):
                row = start_session(session=db, profile_id=profile_id, kind="coach",
                                    exercise_id="cheek-lifter", source=source)
                record_step(session=db, session_id=row.id, position=1, exercise_id="cheek-lifter",
                            reps_target=2, reps_done=2, hold_s=4.0, duration_s=120.0)
                finish_session(session=db, session_id=row.id, status="completed")
        with store.transaction() as db:
            days = practice_by_day(session=db, profile_id=profile_id)
        assert len(days) == 1
        (day,) = days.values()
        assert (day.sessions, day.completed, day.minutes, day.reps) == (1, 1, 2.0, 2)  # the web one only
    finally:
        store.close()


def test_a_new_screening_judges_days_from_then_on_not_the_days_before(tmp_path: Path) -> None:
    """A day's routine is done by the sets the screening of that day asked for. Screened with an active
    skin condition (daily-10 without the cheek lifter) on day 1, the person does the jaw and neck sets;
    screened clear on day 2, they do the same sets again: day 1 stays done, day 2 is not (it now needs
    the cheek lifter too), and day 3 with every set is done."""
    from facefit.safety.conditions import CONDITION_IDS
    from facefit.safety.service import record_screening

    from .history import at_noon

    store = open_store(f"sqlite:///{tmp_path / 'rescreen.db'}")
    days = [START + timedelta(days=n) for n in range(3)]
    skin = {**dict.fromkeys(CONDITION_IDS, False), "active-skin-condition": True}
    clear = dict.fromkeys(CONDITION_IDS, False)
    jaw_and_neck = [("jawline-definition", 3), ("neck-tightener", 3)]
    try:
        with store.transaction() as db:
            profile_id = get_or_create_profile(session=db).id
        for day, answers, sets in ((days[0], skin, jaw_and_neck), (days[1], clear, jaw_and_neck),
                                   (days[2], None, [("cheek-lifter", 3), *jaw_and_neck])):
            with store.transaction() as db:
                if answers is not None:
                    record_screening(session=db, profile_id=profile_id, answers=answers,
                                     now=at_noon(day) - timedelta(hours=1))
                row = start_session(session=db, profile_id=profile_id, kind="routine", routine_id="daily-10",
                                    source="simulation")
                row.started_at = at_noon(day)
                position = 0
                for exercise_id, count in sets:
                    for set_index in range(1, count + 1):
                        position += 1
                        record_step(session=db, session_id=row.id, position=position, exercise_id=exercise_id,
                                    set_index=set_index, reps_target=10, reps_done=10, duration_s=60.0)
                finish_session(session=db, session_id=row.id, status="completed")
        with store.transaction() as db:
            by_day = practice_by_day(session=db, profile_id=profile_id)
        assert ["daily-10" in by_day[day].routines_done for day in days] == [True, False, True]
    finally:
        store.close()
