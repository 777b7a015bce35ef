"""A simulated 12 weeks of practice, written only through FaceFit's public Python API (no SQL).

The pattern is stated by hand so the expected numbers can be worked out on paper:
the twelve-week programme rests on days 4 and 7 in weeks 1-4 (5 days/week), on day 7 in weeks 5-8
(6 days/week) and never in weeks 9-12 (7 days/week). The person misses week 2 day 2, week 5 days 1-2
(and catches up on week 5 day 7, a rest day) and week 10 days 3-5; everything else is done, 10 minutes
a session. A pain stop happens in week 6 (acknowledged) and the coaching engine reports a twitch in
week 11 (acknowledged too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from facefit.coach.events import RepEvent, SafetyEvent
from facefit.habits.service import enrol, log_lifestyle
from facefit.safety.conditions import CONDITION_IDS
from facefit.safety.service import acknowledge_safety, record_screening
from facefit.store.db import Store
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import finish_session, record_event, record_step, start_session

START = date(2026, 1, 5)  # a Monday
REST = {w: ({4, 7} if w <= 4 else {7} if w <= 8 else set()) for w in range(1, 13)}
MISSED = {(2, 2), (5, 1), (5, 2), (10, 3), (10, 4), (10, 5)}
EXTRA = {(5, 7)}
SESSION_S = 600.0
"""Minutes of a session: all on its first set, so each session is 10 min whatever its sets."""
DAILY_10_SETS = [(1, "cheek-lifter", 2), (1, "cheek-lifter", 3)] + [
    (position, exercise_id, set_index) for position, exercise_id in ((2, "jawline-definition"),
                                                                       (3, "neck-tightener"))
    for set_index in (1, 2, 3)]
"""The sets a routine session writes besides its first: with it, every counted set of daily-10
(a day is practised when its routine's sets are done: facefit.habits.adherence)."""


def day_of(week: int, day: int) -> date:
    return START + timedelta(days=7 * (week - 1) + day - 1)


def at_noon(day: date) -> datetime:
    """Local noon of ``day`` as an aware datetime (the store keeps UTC; reports use local days)."""
    return datetime.combine(day, time(12, 0)).astimezone()


@dataclass(frozen=True)
class History:
    store: Store
    profile_id: int
    today: date


def practised_days() -> list[tuple[int, int]]:
    days = []
    for week in range(1, 13):
        for day in range(1, 8):
            planned = day not in REST[week]
            if (planned and (week, day) not in MISSED) or (week, day) in EXTRA:
                days.append((week, day))
    return days


def _session(
    store: Store, profile_id: int, when: datetime, *, kind: str = "routine", status: str = "completed",
    safety: dict[str, object] | None = None, reps: list[RepEvent] | None = None,
) -> None:
    with store.transaction() as db:
        row = start_session(session=db, profile_id=profile_id, kind=kind,
                            routine_id="daily-10" if kind == "routine" else None,
                            exercise_id="cheek-lifter" if kind == "coach" else None, source="simulation")
        row.started_at = when
        record_step(session=db, session_id=row.id, position=1, exercise_id="cheek-lifter", reps_target=10,
                    reps_done=10, hold_s=5, duration_s=SESSION_S)
        if kind == "routine":  # the rest of daily-10's counted sets (they cover starter and build too),
            for position, exercise_id, set_index in DAILY_10_SETS:  # so the day's routine is done
                record_step(session=db, session_id=row.id, position=position, exercise_id=exercise_id,
                            set_index=set_index, reps_target=10, reps_done=10, duration_s=0.0)
        for rep in reps or []:
            record_event(session=db, session_id=row.id, kind="rep", t_s=rep.t_s, payload=rep.to_dict())
        if safety is not None:
            event = record_event(session=db, session_id=row.id, kind="safety", payload=safety)
            event.created_at = when + timedelta(minutes=5)
        finish_session(session=db, session_id=row.id, status=status,
                       stop_reason=None if status == "completed" else "pain")
        row.ended_at = when + timedelta(seconds=SESSION_S)


def build(store: Store, *, screening: dict[str, bool] | None = None) -> History:
    """Screen, enrol, practise 12 weeks as described above, log some lifestyle days."""
    answers = screening or dict.fromkeys(CONDITION_IDS, False)
    with store.transaction() as db:
        profile_id = get_or_create_profile(session=db).id
        record_screening(session=db, profile_id=profile_id, answers=answers,
                         now=at_noon(START - timedelta(days=1)))
        enrol(session=db, profile_id=profile_id, programme_id="twelve-week", start=START,
              today=START - timedelta(days=1))
    for week, day in practised_days():
        when = at_noon(day_of(week, day))
        if (week, day) == (6, 3):
            _session(store, profile_id, when, status="stopped",
                     safety={"kind": "pain", "exercise_id": "cheek-lifter", "advice": "stop"})
            with store.transaction() as db:
                acknowledge_safety(session=db, profile_id=profile_id, now=when + timedelta(hours=2))
            continue
        _session(store, profile_id, when)
        if day == 1:  # one camera-coached session a week with form getting cleaner
            faulty = max(0, 5 - week // 2)
            reps = [RepEvent(t_s=float(i), index=i + 1, amplitude=0.1, symmetry=80.0 + week,
                             faults=("teeth-showing",) if i < faulty else ()) for i in range(10)]
            twitch = None
            if week == 11:
                twitch = SafetyEvent(t_s=9.0, safety="twitch", message="left cheek twitching").to_dict()
            _session(store, profile_id, when + timedelta(hours=1), kind="coach", reps=reps, safety=twitch)
            if twitch is not None:
                with store.transaction() as db:
                    acknowledge_safety(session=db, profile_id=profile_id, now=when + timedelta(hours=3))
    with store.transaction() as db:
        for i in range(14):
            log_lifestyle(session=db, profile_id=profile_id, day=day_of(11, 1) + timedelta(days=i), raw={
                "spf": i % 3 != 0, "sleep": f"{6 + (i % 4) * 0.75}h", "water": "1.8l",
                "calcium": f"{900 + 50 * i}mg", "vitamin_d": "800iu", "smoking": False, "moisturiser": True},
                today=START + timedelta(weeks=12))
    return History(store, profile_id, START + timedelta(weeks=12))
