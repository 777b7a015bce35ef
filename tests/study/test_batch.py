"""`facefit study analyze` on Dask: a worker killed mid-run (SIGKILL, its nanny restarts it and the plugin
builds its models again) and the run still completes with every photo measured exactly once; the
in-process mode gives the same numbers; a re-run measures nothing new."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest

from facefit.store import study as db
from facefit.store.db import open_store
from facefit.study.batch import analyze, connect
from facefit.study.cache import CachedLandmarker, DiskCache
from facefit.study.simulate import TrialSpec, simulate_trial, start_faces

pytestmark = pytest.mark.slow
SMALL = TrialSpec(
    participants=4,
    seed=5,
    withdraw_after_baseline=0,
    withdraw_after_week8=0,
    miss_week8=0,
    ineligible=0,
    raters=0,
)


@pytest.fixture
def small_study(request: pytest.FixtureRequest, real_data: Path, tmp_path: Path) -> tuple[Any, str, int]:
    cache = DiskCache(request.config.cache.mkdir("facefit-study-sim"))
    landmarker = CachedLandmarker(cache)
    store = open_store(f"sqlite:///{tmp_path / 'small.db'}")
    sim = simulate_trial(
        store=store,
        faces=start_faces(landmarker, real_dir=real_data),
        landmarker=landmarker,
        cache=cache,
        spec=SMALL,
    )
    landmarker.close()
    return store, sim.slug, sim.photos


def _rows(store: Any, slug: str) -> list[tuple[int, str]]:
    with store.transaction() as session:
        study = db.get_study(session=session, slug=slug)
        assert study is not None
        people = db.list_participants(session=session, study_id=study.id)
        visits = db.list_visits(session=session, participant_ids=[p.id for p in people])
        links = db.visit_photos(session=session, visit_ids=[v.id for v in visits])
        return [
            (m.visit_photo_id, m.endpoint)
            for m in db.measurements(session=session, visit_photo_ids=[x.id for x in links])
        ]


def test_killed_worker_run_completes_with_each_photo_once(small_study: tuple[Any, str, int]) -> None:
    store, slug, photos = small_study
    client, cluster = connect(None, 2)
    seen: list[int] = []
    killed: list[int] = []

    def kill_one_worker_early(result: Any) -> None:
        seen.append(result.visit_photo_id)
        if len(seen) == 3 and not killed:
            busy = {addr: tasks for addr, tasks in client.processing().items() if tasks}
            pids = client.run(os.getpid, workers=list(busy) or None)
            address, pid = next(iter(pids.items()))
            killed.append(pid)
            os.kill(pid, signal.SIGKILL)
            del address

    try:
        outcome = analyze(store=store, slug=slug, client=client, on_result=kill_one_worker_early)
        after = client.run(os.getpid)
    finally:
        client.close()
        cluster.close()
    assert killed and killed[0] not in after.values(), "the killed worker should have been replaced"
    assert outcome.failed == {}
    assert sorted(seen) == sorted(set(seen)) and len(seen) == photos == outcome.measured
    rows = _rows(store, slug)
    assert len(rows) == len(set(rows)), "a photo/endpoint pair was written twice"
    assert len({photo for photo, _ in rows}) == photos
    again = analyze(store=store, slug=slug, workers=0)  # nothing missing: nothing measured, no model built
    assert (again.measured, again.skipped) == (0, photos)
    store.close()


def _left(store: Any, slug: str, marker: str | None) -> bool:
    with store.transaction() as session:
        study = db.get_study(session=session, slug=slug)
        assert study is not None
        return db.has_visit_photo(session=session, study_id=study.id, without_endpoint=marker)


def test_one_process_and_cluster_give_the_same_numbers(
    small_study: tuple[Any, str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from facefit.study import batch

    store, slug, photos = small_study
    assert _left(store, slug, batch.DONE_MARKER) and _left(store, slug, None)
    first = analyze(store=store, slug=slug, workers=0)
    assert first.measured == photos
    assert not _left(store, slug, batch.DONE_MARKER) and _left(store, slug, None)

    def no_cluster(*_args: Any) -> Any:
        raise AssertionError("a cluster was started with nothing left to measure")

    with monkeypatch.context() as patch:  # nothing left: no LocalCluster started (it cost ~4 s)
        patch.setattr(batch, "_start_local", no_cluster)
        idle = analyze(store=store, slug=slug, workers=2)
    assert (idle.measured, idle.skipped, idle.mode) == (0, photos, "one process")
    with store.transaction() as session:
        values = {(m.visit_photo_id, m.endpoint): m.value for m in session.query(db.StudyMeasurement)}
    client, cluster = connect(None, 1)
    try:
        second = analyze(store=store, slug=slug, client=client, redo=True)
    finally:
        client.close()
        cluster.close()
    assert second.measured == photos
    with store.transaction() as session:
        again = {(m.visit_photo_id, m.endpoint): m.value for m in session.query(db.StudyMeasurement)}
    assert again.keys() == values.keys()
    assert all(again[k] == pytest.approx(values[k], abs=1e-9) for k in values)
    store.close()


def test_tasks_end_one_photo_each_so_the_workers_finish_together() -> None:
    """Four photos a task, then the last ``tail`` one a task: every photo once, in order."""
    from facefit.study.batch import PhotoTask, _chunks

    tasks = [PhotoTask(n, f"p{n}.jpg") for n in range(21)]
    groups = list(_chunks(tasks, 4, tail=8))
    assert [len(group) for group in groups] == [4, 4, 4, 1, 1, 1, 1, 1, 1, 1, 1, 1]
    assert [task for group in groups for task in group] == tasks
    assert [len(group) for group in _chunks(tasks[:5], 4, tail=8)] == [1] * 5
