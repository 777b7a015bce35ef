"""The live session opener's batched rows (web/live/writer.py ``open_sessions``, two multi-row INSERTs) are
the rows ``store.sessions.start_session`` and ``store.live.save_live_session`` make, with the ids in the
order asked, on both backends."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from facefit.practice.recorder import SessionInfo
from facefit.practice.sets import SetPlan
from facefit.store import live
from facefit.store import sessions as practice
from facefit.store.models import PracticeSession
from facefit.store.web import get_account_by_email
from facefit.web.live.writer import ResumeAt, open_sessions

SKIP = {"id", "session_id", "started_at", "updated_at"}


def _columns(row: Any) -> dict[str, Any]:
    return {c.key: getattr(row, c.key) for c in row.__table__.columns if c.key not in SKIP}


def test_batched_rows_are_the_store_functions_rows_in_the_order_asked(app: FastAPI, make_user: Any) -> None:
    store = app.state.store
    emails = [f"open{i}@example.org" for i in range(3)]
    for email in emails:
        make_user(email)
    with store.transaction() as db:
        profiles = [get_account_by_email(session=db, email=email).profile_id for email in emails]
    plan = SetPlan(exercise_id="cheek-lifter", sets=3, reps_target=10, hold_s=2.0, set_s=60.0, rest_s=30.0,
                   name="Cheek lifter", cue="lift")
    requests = [(SessionInfo(profiles[2], "coach", None, "cheek-lifter", "web"), plan, ResumeAt(1, None)),
                (SessionInfo(profiles[0], "coach", None, "cheek-lifter", "web" * 80), plan,
                 ResumeAt(2, [0.5, None, -1.25])),
                (SessionInfo(profiles[1], "routine", "starter", None, "web"), plan, ResumeAt(1, None))]
    ids = open_sessions(store, requests)
    with store.transaction() as db:  # the same requests through the store's own functions
        expected = []
        for info, set_plan, resume in requests:
            row = practice.start_session(session=db, **asdict(info))
            state = live.save_live_session(session=db, session_id=row.id, profile_id=info.profile_id,
                                           exercise_id=set_plan.exercise_id, plan=asdict(set_plan),
                                           next_set=resume.next_set, rest=resume.rest)
            expected.append((_columns(row), _columns(state)))
    assert len(set(ids)) == 3
    with store.transaction() as db:
        for session_id, (info, _plan, _resume), (row, state) in zip(ids, requests, expected, strict=True):
            made = db.get(PracticeSession, session_id)
            assert made is not None and made.profile_id == info.profile_id  # in the order asked
            assert _columns(made) == row
            made_state = db.scalar(select(live.LiveSession).where(live.LiveSession.session_id == session_id))
            assert made_state is not None and _columns(made_state) == state
            assert made.started_at is not None and made_state.updated_at is not None
    with pytest.raises(ValueError, match="session kind"):
        open_sessions(store, [(SessionInfo(profiles[0], "nap"), plan, ResumeAt(1, None))])
    assert open_sessions(store, []) == []
