"""The store migrates a new database to head and upgrades an older one without losing rows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from facefit.store.db import SCHEMA_HEAD, alembic_config, current_revision, make_engine, open_store, upgrade
from facefit.store.models import PracticeSession, Profile, SessionStep


def test_new_database_is_migrated_to_head(tmp_path: Path) -> None:
    from alembic.script import ScriptDirectory

    url = f"sqlite:///{tmp_path / 'a.db'}"
    store = open_store(url)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head == SCHEMA_HEAD, "update store.db.SCHEMA_HEAD when adding a migration"
    assert current_revision(store.engine) == head


def test_old_database_is_upgraded_and_keeps_its_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, url, "0001")
    assert current_revision(engine) == "0001"
    store = open_store(url, migrate=False)
    with store.transaction() as db:
        profile = Profile(name="me")
        session = PracticeSession(profile=profile, kind="routine", routine_id="daily-10")
        session.steps.append(SessionStep(position=1, exercise_id="skin-prep", duration_s=60))
        db.add(session)
    reopened = open_store(url)
    assert current_revision(reopened.engine) != "0001"
    with reopened.transaction() as db:
        steps = db.scalars(select(SessionStep)).all()
        assert [(s.exercise_id, s.duration_s) for s in steps] == [("skin-prep", 60.0)]


def test_failed_transaction_saves_nothing(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'b.db'}")
    with pytest.raises(RuntimeError, match="crash mid-write"), store.transaction() as db:
        db.add(Profile(name="ghost"))
        db.flush()
        raise RuntimeError("crash mid-write")
    with store.transaction() as db:
        assert db.scalars(select(Profile)).all() == []


def test_sqlite_writers_take_turns_and_a_failed_write_hands_the_turn_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """store/db.py's writer queue: a second thread's write waits for the first one's commit (it does not
    poll the file's lock), and a write that failed (rolled back) or committed gives the turn back at once:
    a turn kept would make the next writer sit out the whole queue wait."""
    import threading
    import time

    import facefit.store.db as db_module

    monkeypatch.setattr(db_module, "QUEUE_WAIT_S", 5.0)
    store = open_store(f"sqlite:///{tmp_path / 'q.db'}")
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.add(Profile(name="rolled back"))
        db.flush()
        raise RuntimeError("crash mid-write")
    order: list[str] = []
    first_writing = threading.Event()

    def first() -> None:
        with store.transaction() as db:
            db.add(Profile(name="first"))
            db.flush()
            first_writing.set()
            time.sleep(0.3)
            order.append("first commits")

    def second() -> None:
        first_writing.wait()
        with store.transaction() as db:
            db.add(Profile(name="second"))
            db.flush()
            order.append("second writes")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order == ["first commits", "second writes"]
    assert time.monotonic() - began < 4.0  # no turn was left held by the rolled-back write
    with store.transaction() as db:
        assert sorted(p.name for p in db.scalars(select(Profile))) == ["first", "second"]
