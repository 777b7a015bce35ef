"""The hand-written 0004 migration creates exactly what the ORM classes in store/safety_habits.py declare."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from facefit.store.db import open_store
from facefit.store.schema import metadata

OUR_TABLES = {"screenings", "safety_flags", "safety_acks", "enrolments", "lifestyle_days"}


def _touches_our_tables(diff: object) -> bool:
    text = repr(diff)
    return any(f"'{name}'" in text or f"Table('{name}'" in text for name in OUR_TABLES)


def test_migration_matches_models(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 's.db'}")
    with store.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
    ours = [d for d in diffs if _touches_our_tables(d)]
    assert ours == []
    with store.engine.connect() as connection:
        names = set(store.engine.dialect.get_table_names(connection))
    assert names >= OUR_TABLES
