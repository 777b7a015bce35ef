"""The hand-written 0006 migration creates exactly what store/study.py declares; the audit log is
append-only in the database itself, on both backends."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, text, update
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


def test_measurements_upsert_one_row_per_photo_and_endpoint_and_tasks_name_the_files(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``facefit study analyze``'s writes and its work list, on both backends: a photo measured twice
    (a re-run, or a task run again after its worker died) keeps one row per endpoint with the newer
    value; the work list names each visit photo's file and leaves out photos measured already."""
    from tests.study.helpers import enrol, make_study

    from facefit.store.photos import Photo
    from facefit.store.study import (
        StudyMeasurement,
        StudyParticipant,
        StudyVisit,
        StudyVisitPhoto,
        upsert_measurements,
    )
    from facefit.study.batch import DONE_MARKER, pending_tasks

    monkeypatch.setenv("FACEFIT_HOME", str(tmp_path))
    store = open_store(db_url)
    slug = make_study(store)
    code = enrol(store, slug, "ada").code
    with store.transaction() as session:
        participant = session.scalars(select(StudyParticipant).where(StudyParticipant.code == code)).one()
        visit = StudyVisit(participant_id=participant.id, visit="baseline")
        session.add(visit)
        session.flush()
        links = []
        for n in range(2):
            photo = Photo(profile_id=participant.profile_id, sha256=f"{n:064d}",
                          file_name=f"photos/p1/{n}.jpg", landmarks=[[0.5, 0.5]] * 478)
            session.add(photo)
            session.flush()
            link = StudyVisitPhoto(visit_id=visit.id, photo_id=photo.id, position=n + 1)
            session.add(link)
            session.flush()
            links.append(link.id)
    rows = [{"visit_photo_id": links[0], "endpoint": name, "value": value, "method": "m"}
            for name, value in ((DONE_MARKER, 41.0), ("jaw_width", 0.9))]
    for value in (41.0, 43.5):  # measured, then measured again
        rows[0]["value"] = value
        with store.transaction() as session:
            assert upsert_measurements(session=session, rows=rows) == 2
    with store.transaction() as session:
        stored = {(m.visit_photo_id, m.endpoint): m.value for m in session.scalars(select(StudyMeasurement))}
    assert stored == {(links[0], DONE_MARKER): 43.5, (links[0], "jaw_width"): 0.9}
    tasks, done = pending_tasks(store=store, slug=slug)
    assert done == 1
    expected = [(links[1], str(tmp_path / "photos/p1/1.jpg"))]
    assert [(task.visit_photo_id, task.path) for task in tasks] == expected
    assert len(pending_tasks(store=store, slug=slug, redo=True)[0]) == 2
    store.close()

