"""Session writes commit step by step; history reads them back with status, minutes and counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from facefit.errors import InputError
from facefit.store.db import open_store
from facefit.store.models import PracticeSession, Profile, SessionEvent
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import (
    finish_session,
    get_session,
    list_sessions,
    record_event,
    record_step,
    start_session,
)


def test_session_lifecycle_and_history(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            me = get_or_create_profile(session=db).id
            other = get_or_create_profile(session=db, name="other").id
            first = start_session(session=db, profile_id=me, routine_id="daily-10").id
        steps = [("skin-prep", False, 60.0), ("warm-up-massage", False, 120.0), ("cheek-lifter", True, 12.0)]
        for i, (exercise, skipped, seconds) in enumerate(steps, start=1):
            with store.transaction() as db:  # one commit per step, as the player does
                record_step(session=db, session_id=first, position=i, exercise_id=exercise,
                            duration_s=seconds, skipped=skipped,
                            reps_target=10 if exercise == "cheek-lifter" else None,
                            reps_done=2 if skipped else None)
        with store.transaction() as db:
            record_event(session=db, session_id=first, kind="safety", t_s=190.5,
                         payload={"kind": "pain", "exercise_id": "cheek-lifter"})
            finish_session(session=db, session_id=first, status="stopped", stop_reason="pain: stopped",
                           summary={"done": 2})
        with store.transaction() as db:
            second = start_session(session=db, profile_id=me, exercise_id="jawline-toner").id
            record_step(session=db, session_id=second, position=1, exercise_id="jawline-toner", duration_s=30)
            start_session(session=db, profile_id=other, routine_id="starter")

        with store.transaction() as db:
            rows = list_sessions(session=db, profile_id=me)
            assert [r.id for r in rows] == [second, first]  # newest first
            latest, stopped = rows
            assert latest.status == "interrupted" and latest.ended_at is None
            assert latest.exercise_id == "jawline-toner"
            assert stopped.status == "stopped" and stopped.stop_reason == "pain: stopped"
            assert (stopped.steps_done, stopped.steps_skipped) == (2, 1)
            assert stopped.minutes == pytest.approx(3.0)  # skipped steps do not count as exercise
            assert stopped.started_at.tzinfo is not None and stopped.ended_at is not None
            as_dict = stopped.to_dict()
            assert as_dict["status"] == "stopped" and as_dict["minutes"] == 3.0
            assert len(list_sessions(session=db)) == 3
            assert len(list_sessions(session=db, profile_id=me, limit=1)) == 1
            full = get_session(session=db, session_id=first)
            assert full is not None
            assert [s.exercise_id for s in full.steps] == ["skin-prep", "warm-up-massage", "cheek-lifter"]
            assert full.steps[2].reps_done == 2 and full.steps[2].skipped
            assert [(e.kind, e.payload["kind"], e.t_s) for e in full.events] == [("safety", "pain", 190.5)]
            assert full.summary == {"done": 2}
            assert get_session(session=db, session_id=9999) is None
    finally:
        store.close()


def test_bad_values_are_refused_and_nothing_is_half_written(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            me = get_or_create_profile(session=db).id
            sid = start_session(session=db, profile_id=me, routine_id="daily-10").id
        with pytest.raises(ValueError, match="kind"), store.transaction() as db:
            start_session(session=db, profile_id=me, kind="gym")
        with pytest.raises(ValueError, match="negative"), store.transaction() as db:
            record_event(session=db, session_id=sid, kind="progress", payload={"x": 1})
            record_step(session=db, session_id=sid, position=1, exercise_id="x", duration_s=-1)
        with pytest.raises(ValueError, match="ends as one of"), store.transaction() as db:
            finish_session(session=db, session_id=sid, status="running")
        with pytest.raises(LookupError), store.transaction() as db:
            finish_session(session=db, session_id=sid + 100, status="completed")
        with store.transaction() as db:
            assert db.scalars(select(SessionEvent)).all() == []  # rolled back with the failed step
            row = db.get(PracticeSession, sid)
            assert row is not None and row.status == "running" and row.ended_at is None
            assert db.scalars(select(PracticeSession)).all() == [row]
    finally:
        store.close()


def test_a_blank_or_too_long_profile_name_is_refused_and_nothing_is_stored(db_url: str) -> None:
    store = open_store(db_url)
    try:
        for name, message in ((" ", "must not be blank"), ("x" * 121, "at most 120 characters, got 121")):
            with pytest.raises(InputError, match=message), store.transaction() as db:
                get_or_create_profile(session=db, name=name)
        with store.transaction() as db:
            get_or_create_profile(session=db, name="x" * 120)
        with store.transaction() as db:
            assert db.scalars(select(Profile.name)).all() == ["x" * 120]
    finally:
        store.close()
