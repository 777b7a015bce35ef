"""Visits: photos go through the real photo gate (real Face Landmarker), a visit completes at three
accepted photos, a rejected photo is one clear error with nothing stored, missed visits and follow-ups
outside their window are recorded, and adherence comes from the practice sessions in the store."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import T0, enrol, make_study

from facefit.photos.files import LoadedPhoto, load_photo
from facefit.photos.perturb import Perturbation, smile
from facefit.store import sessions as practice
from facefit.store import study as db
from facefit.store.db import open_store
from facefit.store.photos import list_photos
from facefit.study import service, visits

FACE = Path(__file__).resolve().parents[2] / "src/facefit/synth/assets/grace_hopper_480.jpg"


@pytest.fixture(scope="module")
def retakes(image_landmarker: Any) -> dict[str, list[np.ndarray]]:
    """Gate-passing re-takes of one neutral face (the photo perturbation model), and a smiling one."""
    from facefit.photos.measure import measure_photo

    rgb = load_photo(FACE).rgb
    landmarks = measure_photo(rgb, image_landmarker).landmarks
    rng = np.random.default_rng(17)
    takes = [rgb] + [Perturbation.draw(rng).apply(rgb, landmarks, rng) for _ in range(6)]
    return {"neutral": takes, "smiling": [smile(rgb, landmarks, 1.6)]}


def _add(store: Any, slug: str, code: str, visit: str, rgb: np.ndarray, landmarker: Any, day: int,
         randomised_day: int = 0) -> visits.VisitPhotoResult:
    return visits.add_visit_photo(store=store, slug=slug, code=code, visit=visit,
                                  photo=LoadedPhoto(rgb, None, False), landmarker=landmarker, actor="c",
                                  taken_at=T0 + timedelta(days=randomised_day + day),
                                  source_name=f"{visit}.jpg")


def test_visit_photos_pass_the_gate_and_complete_the_visit(
    retakes: dict[str, list[np.ndarray]], image_landmarker: Any, tmp_path: Path
) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'v.db'}")
    slug = make_study(store)
    code = enrol(store, slug, "ada").code
    neutral = retakes["neutral"]
    with pytest.raises(service.StudyError, match="not randomised yet: week-8 is a follow-up visit"):
        _add(store, slug, code, "week-8", neutral[0], image_landmarker, 0)
    first = _add(store, slug, code, "baseline", neutral[0], image_landmarker, 0)
    assert (first.position, first.complete) == (1, False)
    rejected = (r"^The photo baseline\.jpg did not pass the photo checks and was not added to the visit: "
                r"relax into .*\.$")
    with pytest.raises(visits.VisitPhotoRejected, match=rejected):
        _add(store, slug, code, "baseline", retakes["smiling"][0], image_landmarker, 0)
    duplicate = r"^The photo baseline\.jpg is already stored \(the same pixels as photo \d+\); take a new"
    with pytest.raises(visits.VisitPhotoRejected, match=duplicate):
        _add(store, slug, code, "baseline", neutral[0], image_landmarker, 0)
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        with pytest.raises(service.StudyError, match="baseline visit is not complete"):
            service.randomise(session=session, study=study, code=code, actor="c", now=T0)
    assert _add(store, slug, code, "baseline", neutral[1], image_landmarker, 0).position == 2
    assert _add(store, slug, code, "baseline", neutral[2], image_landmarker, 0).complete
    with pytest.raises(service.StudyError, match="already complete with 3 photos"):
        _add(store, slug, code, "baseline", neutral[3], image_landmarker, 0)
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        arm = service.randomise(session=session, study=study, code=code, actor="c", now=T0).arm
        row = service.participant(session=session, study=study, code=code)
        profile_id = row.profile_id
        # nothing the gate rejected was stored: three photos, all accepted
        assert [p.accepted for p in list_photos(session=session, profile_id=profile_id)] == [True] * 3
    late = _add(store, slug, code, "week-8", neutral[3], image_landmarker, 70)
    assert (late.day, late.outside_window) == (70, True)
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        row = service.participant(session=session, study=study, code=code)
        [deviation] = db.list_deviations(session=session, participant_ids=[row.id])
        assert (deviation.severity, deviation.visit) == ("minor", "week-8")
        assert "day 70, outside the visit window (days 49 to 63)" in deviation.description
        visits.mark_missed(session=session, study=study, code=code, visit="week-20", reason="moved abroad",
                           actor="c", now=T0 + timedelta(days=160))
        statuses = {s.visit: s.status for s in visits.visit_statuses(
            session=session, study=study, row=row, today=(T0 + timedelta(days=160)).date())}
        assert statuses == {"baseline": "complete", "week-8": "overdue", "week-20": "missed"}
        actions = [e.action for e in db.audit_entries(session=session, study_id=study.id)]
        assert actions.count("visit-photo") == 4 and actions.count("visit-complete") == 1
        assert "visit-missed" in actions and "deviation" in actions
    assert arm in ("exercise", "control")
    store.close()


def test_adherence_counts_practice_sessions_not_demo_ones(tmp_path: Path) -> None:
    from facefit.catalog.loader import load_catalog
    from facefit.habits.service import routine_requirements

    # A practice day is one whose routine's counted sets are all done (facefit.habits.adherence).
    study_30 = routine_requirements(load_catalog(), None)["study-30"]
    store = open_store(f"sqlite:///{tmp_path / 'a.db'}")
    slug = make_study(store)
    from helpers import baseline_done_without_photos

    codes = [enrol(store, slug, f"p{i}", age=52, sex="female").code for i in range(2)]
    for code in codes:
        baseline_done_without_photos(store, slug, code)
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        arms = {code: service.randomise(session=session, study=study, code=code, actor="c", now=T0).arm
                for code in codes}
    exercising = next(c for c, a in arms.items() if a == "exercise")
    waiting = next(c for c, a in arms.items() if a == "control")
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        row = service.participant(session=session, study=study, code=exercising)
        for day in range(10):  # 10 coached days out of the first 14, plus demo sessions that never count
            start = T0 + timedelta(days=day, hours=2)
            coached = practice.start_session(session=session, profile_id=row.profile_id, kind="coach",
                                             exercise_id="cheek-lifter", source="web")
            coached.started_at = start
            for position, (exercise_id, sets) in enumerate(study_30.items(), start=1):  # the day's routine
                for set_index in range(1, sets + 1):
                    practice.record_step(session=session, session_id=coached.id, position=position,
                                         exercise_id=exercise_id, set_index=set_index, reps_done=10,
                                         duration_s=120)
            practice.finish_session(session=session, session_id=coached.id, status="completed")
            demo = practice.start_session(session=session, profile_id=row.profile_id, kind="coach",
                                          exercise_id="cheek-lifter", source=practice.DEMO_SOURCE)
            demo.started_at = T0 + timedelta(days=10 + day % 4, hours=3)  # the 4 days without practice
            practice.finish_session(session=session, session_id=demo.id, status="completed")
        today = (T0 + timedelta(days=14)).date()
        result = visits.adherence(session=session, study=study, row=row, today=today)
        assert (result.planned_days, result.practised_days, result.sessions) == (14, 10, 10)
        assert result.percent == pytest.approx(100 * 10 / 14)
        control = visits.adherence(session=session, study=study,
                                   row=service.participant(session=session, study=study, code=waiting),
                                   today=today)
        assert control.percent is None and control.sessions == 0
    store.close()
