"""The hand-written 0006 migration creates exactly what store/study.py declares; the audit log is
append-only in the database itself, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from facefit.store.db import open_store
from facefit.store.schema import metadata
from facefit.store.study import (
    StudyAudit,
    add_study,
    append_audit,
    audit_chain_intact,
    audit_entries,
)

OUR_TABLES = {"studies", "study_staff", "study_staff_accounts", "study_allocations", "study_participants",
              "study_visits", "study_visit_photos", "study_measurements", "study_ratings",
              "study_deviations", "study_audit"}


def _touches_our_tables(diff: object) -> bool:
    text_ = repr(diff)
    return any(f"'{name}'" in text_ or f"Table('{name}'" in text_ for name in OUR_TABLES)


def test_migration_matches_models(db_url: str) -> None:
    store = open_store(db_url)
    with store.engine.connect() as connection:
        diffs = compare_metadata(MigrationContext.configure(connection), metadata)
        names = set(store.engine.dialect.get_table_names(connection))
    assert [d for d in diffs if _touches_our_tables(d)] == []
    assert names >= OUR_TABLES
    store.close()


def test_audit_log_is_append_only_and_chained(db_url: str) -> None:
    store = open_store(db_url)
    with store.transaction() as db:
        study = add_study(session=db, slug="s", title="t", definition={}, definition_sha256="a" * 64,
                          schedule_sha256="b" * 64, created_by="test")
        for action in ("created", "enrolled", "randomised"):
            append_audit(session=db, study_id=study.id, actor="test", action=action, participant_code="P0001",
                         detail={"n": 1})
        study_id = study.id
    for statement in (update(StudyAudit).values(actor="someone else"), delete(StudyAudit)):
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as db:
            db.execute(statement)
    if store.engine.dialect.name == "postgresql":
        with pytest.raises(DBAPIError, match="append-only"), store.transaction() as db:
            db.execute(text("TRUNCATE study_audit"))
    with store.transaction() as db:
        entries = audit_entries(session=db, study_id=study_id)
        assert [e.action for e in entries] == ["created", "enrolled", "randomised"]
        assert audit_chain_intact(entries)
        entries[1].detail = {"n": 2}  # an edit in memory (the database would refuse to store it)
        assert not audit_chain_intact(entries)
        db.expunge_all()
    store.close()
