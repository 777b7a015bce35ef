"""Overwork and fatigue warnings: caps from the programme, rest days, fading rep amplitude."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from facefit.coach.fatigue import fatigue
from facefit.habits.service import enrol
from facefit.practice.start import PracticePlan, start_practice
from facefit.safety.conditions import CONDITION_IDS
from facefit.safety.service import record_screening
from facefit.safety.volume import volume_warnings
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import finish_session, record_step, start_session


def test_volume_warnings() -> None:
    calm = volume_warnings(planned_today=True, day_cap_min=17, week_cap_min=102, done_today_min=0,
                           done_week_min=40, next_min=17)
    assert calm == []
    kinds = {w.kind for w in volume_warnings(planned_today=False, day_cap_min=17, week_cap_min=102,
                                             done_today_min=17, done_week_min=100, next_min=17)}
    assert kinds == {"rest-day", "daily-cap", "weekly-cap"}


def test_the_one_fatigue_rule() -> None:
    """coach/fatigue.py: the engine (a set) and the reports (a session) use it; holds must also drop 1 s."""
    assert fatigue([1.0, 1.0, 1.0, 0.9, 0.6, 0.5, 0.5], isometric=False) is not None
    assert fatigue([1.0, 0.95, 1.0, 0.97, 0.99, 0.96], isometric=False) is None
    assert fatigue([1.0, 0.2], isometric=False) is None  # too few reps to tell
    assert fatigue([1.7, 1.7, 1.7, 0.9, 0.9, 0.9], isometric=True) is None  # 0.8 s: within timing error
    found = fatigue([3.0, 3.0, 3.0, 1.5, 1.5, 1.5], isometric=True)
    assert found is not None and found.describe() == "holds got 50% shorter from the first reps to the last"


@given(st.lists(st.floats(min_value=0.01, max_value=10), min_size=6, max_size=40), st.booleans())
def test_non_decreasing_effort_is_never_fatigue(values: list[float], isometric: bool) -> None:
    assert fatigue(sorted(values), isometric=isometric) is None


def test_second_session_on_a_planned_day_warns_about_the_daily_cap(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'v.db'}")
    today = date.today()
    with store.transaction() as db:
        pid = get_or_create_profile(session=db).id
        record_screening(session=db, profile_id=pid, answers=dict.fromkeys(CONDITION_IDS, False))
        enrol(session=db, profile_id=pid, programme_id="twelve-week", start=today)
        first = start_practice(session=db, profile_id=pid, target="starter")
        assert isinstance(first, PracticePlan) and first.warnings == ()
        row = start_session(session=db, profile_id=pid, routine_id="starter")
        row.started_at = datetime.combine(today, time(0, 1)).astimezone()
        record_step(session=db, session_id=row.id, position=1, exercise_id="cheek-lifter", duration_s=400)
        finish_session(session=db, session_id=row.id, status="completed")
    with store.transaction() as db:
        second = start_practice(session=db, profile_id=pid, target="starter")
    store.close()
    assert isinstance(second, PracticePlan)
    assert any("one session a day is enough" in w.message for w in second.warnings)
