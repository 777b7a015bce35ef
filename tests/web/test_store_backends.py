"""The store on both backends: every stage's migration runs on SQLite and on a real PostgreSQL, the
migrated schema matches the ORM tables, and writes are transactional (PostgreSQL via db_url)."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import select

from facefit.store import web as accounts
from facefit.store.db import alembic_config, current_revision, open_store
from facefit.store.models import PracticeSession, Profile
from facefit.store.schema import metadata


def test_migrations_reach_head_and_match_the_tables(db_url: str) -> None:
    from alembic.script import ScriptDirectory

    store = open_store(db_url)
    try:
        head = ScriptDirectory.from_config(alembic_config(db_url)).get_current_head()
        assert current_revision(store.engine) == head
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            kinds = ("add_table", "remove_table", "add_column", "remove_column")
            diff = [d for d in compare_metadata(context, metadata) if d[0] in kinds]
        assert diff == [], f"migrations and ORM tables disagree: {diff}"
        open_store(db_url).close()  # reopening an up-to-date store is a no-op
    finally:
        store.close()


def test_an_email_longer_than_a_profile_name_still_gets_an_account(db_url: str) -> None:
    email = "a" * 240 + "@example.org"  # 252 characters: a valid email, longer than profiles.name (120)
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            account = accounts.create_account(session=db, email=email, password_hash="x")
        with store.transaction() as db:
            assert accounts.get_account_by_email(session=db, email=email).id == account.id
            name = db.get(Profile, account.profile_id).name
            assert name.startswith("web:sha256:") and len(name) <= 120
    finally:
        store.close()


def test_accounts_and_sessions_round_trip_and_roll_back(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            account = accounts.create_account(session=db, email=" Eve@Example.org ", password_hash="x")
            db.add(PracticeSession(profile_id=account.profile_id, kind="coach", exercise_id="cheek-lifter"))
        with pytest.raises(RuntimeError), store.transaction() as db:
            accounts.create_account(session=db, email="ghost@example.org", password_hash="x")
            raise RuntimeError("crash mid-write")
        with store.transaction() as db:
            assert [a.email for a in accounts.list_accounts(session=db)] == ["eve@example.org"]
            assert db.scalars(select(Profile.name)).all() == ["web:eve@example.org"]
            eve = accounts.get_account_by_email(session=db, email="EVE@example.org")
            assert eve is not None
            assert len(accounts.list_sessions(session=db, profile_id=eve.profile_id)) == 1
            assert accounts.list_sessions(session=db, profile_id=eve.profile_id + 1) == []
    finally:
        store.close()
