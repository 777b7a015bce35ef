"""Shared by the study tests: a study in a real store, screened profiles, a baseline marked done."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from facefit.safety.conditions import CONDITION_IDS
from facefit.safety.service import record_screening
from facefit.store import study as db
from facefit.store.db import Store
from facefit.store.profiles import get_or_create_profile
from facefit.study import service
from facefit.study.definition import EXAMPLE_PATH, StudyDefinition, load_study

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)


def example() -> StudyDefinition:
    return load_study(EXAMPLE_PATH)


def screened_profile(db_session: Any, name: str, *, conditions: tuple[str, ...] = ()) -> int:
    profile = get_or_create_profile(session=db_session, name=name)
    record_screening(session=db_session, profile_id=profile.id,
                     answers={c: c in conditions for c in CONDITION_IDS}, now=T0)
    return profile.id


def make_study(store: Store, *, seed: int = 7, definition: StudyDefinition | None = None) -> str:
    with store.transaction() as session:
        study, _ = service.create_study(session=session, definition=definition or example(), seed=seed,
                                        actor="coordinator@test", now=T0)
        return study.slug


def baseline_done_without_photos(store: Store, slug: str, code: str, when: datetime = T0) -> None:
    """Mark a baseline visit complete directly in the store (allocation tests do not need photos;
    the photo path has its own tests)."""
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        row = service.participant(session=session, study=study, code=code)
        visit = db.open_visit(session=session, participant_id=row.id, visit="baseline", at=when)
        visit.status, visit.completed_at = "complete", when


def enrol(store: Store, slug: str, name: str, *, age: int = 52, sex: str = "female",
          conditions: tuple[str, ...] = ()) -> service.EnrolmentOutcome:
    with store.transaction() as session:
        profile_id = screened_profile(session, name, conditions=conditions)
        study = service.load(session=session, slug=slug)
        return service.enrol(session=session, study=study, profile_id=profile_id, age=age, sex=sex,
                             actor="coordinator@test", now=T0)
