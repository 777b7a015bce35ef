"""Profiles created by processes starting at the same moment (two `facefit photo add` runs at once)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from facefit.store.db import open_store
from facefit.store.models import Profile
from facefit.store.profiles import get_or_create_profile

RACER = """
import sys, time
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile
store = open_store(sys.argv[1])
time.sleep(max(0.0, float(sys.argv[2]) - time.time()))  # everyone starts at the same instant
with store.transaction() as session:
    print(get_or_create_profile(session=session, name="shared").id)
"""


def test_processes_creating_the_same_profile_at_once_all_get_the_one_row(db_url: str) -> None:
    open_store(db_url).close()  # migrated once, before the race
    start_at = time.time() + 3.0
    racers = [subprocess.Popen([sys.executable, "-c", RACER, db_url, str(start_at)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(6)]
    results = [racer.communicate(timeout=120) for racer in racers]
    assert [r.returncode for r in racers] == [0] * 6, [err[-500:] for _out, err in results]
    ids = {out.strip() for out, _err in results}
    assert len(ids) == 1
    store = open_store(db_url)
    try:
        with store.transaction() as session:
            count = select(func.count()).select_from(Profile).where(Profile.name == "shared")
            assert session.scalar(count) == 1
            again = get_or_create_profile(session=session, name="shared")
            assert str(again.id) == ids.pop() and again.created_at is not None
    finally:
        store.close()


def test_a_new_profile_is_created_once_in_one_session(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    try:
        with store.transaction() as session:
            first = get_or_create_profile(session=session, name="ann")
            assert get_or_create_profile(session=session, name="ann").id == first.id
            assert get_or_create_profile(session=session, name="bob").id != first.id
    finally:
        store.close()
