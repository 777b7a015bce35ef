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
