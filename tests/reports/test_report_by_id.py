"""Reports read a profile by id (the web's account profile), never by a name that another profile may
share; the terminal still names its local profiles."""

from __future__ import annotations

from pathlib import Path

import pytest

from facefit.reports.build import build_report
from facefit.reports.data import gather
from facefit.store.db import open_store
from facefit.store.models import Profile
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import finish_session, record_step, start_session


def test_a_report_by_id_reads_that_profile_and_creates_none(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'r.db'}")
    with store.transaction() as db:
        mine = get_or_create_profile(session=db, name="account-7").id
        other = get_or_create_profile(session=db, name="me").id
        row = start_session(session=db, profile_id=mine, routine_id="daily-10")
        record_step(session=db, session_id=row.id, position=1, exercise_id="cheek-lifter", duration_s=60)
        finish_session(session=db, session_id=row.id, status="completed")
    data = gather(store, profile_id=mine, span="all")
    assert data.profile == "account-7" and len(data.sessions) == 1
    assert len(gather(store, profile_id=other, span="all").sessions) == 0
    out = tmp_path / "r.html"
    build_report(store, profile_id=mine, span="all", out=out)
    assert "account-7" in out.read_text(encoding="utf-8")
    with pytest.raises(LookupError, match="no profile with id 999"):
        gather(store, profile_id=999, span="all")
    with pytest.raises(ValueError, match="exactly one"):
        gather(store, profile="me", profile_id=mine, span="all")
    with store.transaction() as db:
        assert db.query(Profile).count() == 2  # nothing was created by the reads
    store.close()
