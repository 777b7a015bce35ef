"""``facefit study analyze``: measure every visit photo, in one process or on Dask distributed.

- Each task measures a few visit photos (:func:`facefit.study.worker.measure_on_worker`, the same
  :func:`facefit.study.measure.measure_visit_photo` as in one process). On the LocalCluster the tasks
  carry the photos' paths (the workers share this machine's disk); on another cluster
  (``--scheduler tcp://HOST:PORT``) they carry the JPEG bytes, so a remote worker needs no access to the
  data directory or the database.
- The Face Landmarker and the age model are built once per worker by a worker plugin
  (:class:`facefit.study.worker.StudyModels`); the worker side lives in :mod:`facefit.study.worker`,
  which imports nothing of the store, so a worker starts with only what measuring needs.
- The LocalCluster's worker processes are forked from multiprocessing's fork server, which has
  imported what measuring needs once (:mod:`facefit.study.forkserver`), and they do not re-run the parent's
  ``__main__`` (for the ``facefit`` console script that is the whole CLI, ~1.2 s of CPU per worker):
  analyze sends them nothing defined there.
- Results are written by the client as they arrive (in small batches), each with an upsert on (visit
  photo, endpoint): a task that ran twice (its worker died after finishing it) or a re-run after a killed
  command leaves exactly one row per photo and endpoint, and a re-run only measures photos not yet
  measured.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from facefit.errors import FaceFitError
from facefit.store import study as db
from facefit.store.db import Store
from facefit.study.forkserver import FORK_SERVER, WORKER_ENV, start_fork_server
from facefit.study.lazy_drawing import defer_mediapipe_drawing
from facefit.study.measure import PhotoEndpoints, build_models, measure_one, read_photo

defer_mediapipe_drawing()  # the one-process mode builds its models here (see facefit/study/worker.py)
__all__ = ["analyze", "build_models", "connect", "pending_tasks"]
WRITE_EVERY = 8
CHUNK = 4
"""Photos per Dask task. Each task costs the command ~5 ms of CPU (scheduling, fetching its result) on
the cores the workers measure on: 108 photos one a task took 0.88 s of the command's CPU while they were
measured and 4.67 s in all, four a task 0.32 s and 3.68 s. The last task ends at most ~4 photos'
time after the other worker's (~0.25 s)."""
TAIL = 2 * CHUNK
"""The last photos, measured one a task (see _chunks)."""
QUIET_CLUSTER = {
    "distributed.worker.profile.enabled": False,  # samples every thread's stack 100 times a second
    "distributed.admin.tick.interval": "1s",  # event-loop health check, 50 times a second per process
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}
"""Dask settings for the command's own LocalCluster (they reach its workers through their nannies). With
Dask's defaults an idle 2-worker cluster used 12% of a core (parent 1.05 s + workers 0.7 s each in 20 s),
with these 1.7% (0.20 + 0.08 each; start a LocalCluster, sleep 20 s, compare ``os.times()`` of the parent
and, through ``client.run``, of the workers). That CPU is taken from the measuring, and it grows with the
wall time when other work slows the run down."""
LEAN_WORKERS: dict[str, Any] = {
    # Workers are forked from multiprocessing's fork server (facefit.study.forkserver says why and what it
    # imports); where there is none (Windows) they are spawned.
    "distributed.worker.multiprocessing-method": "forkserver" if FORK_SERVER else "spawn",
    "distributed.nanny.pre-spawn-environ": WORKER_ENV,
}
"""Dask settings for the command's own LocalCluster while it starts (the environment also holds for a
worker the nanny restarts later; such a worker is spawned unless the fork server settings still hold)."""
DONE_MARKER = "model_age"
"""A photo is measured once it has this endpoint (written with its metrics in one transaction; a metric
that cannot be measured on a photo, e.g. lines hidden by glasses, has no row). After an upgrade that adds
endpoints, ``--redo`` measures every photo again."""


class SchedulerUnreachableError(FaceFitError):
    """The Dask scheduler given with --scheduler did not answer."""


@dataclass(frozen=True)
class PhotoTask:
    visit_photo_id: int
    path: str


@dataclass
class AnalyzeResult:
    measured: int = 0
    skipped: int = 0
    failed: dict[int, str] = field(default_factory=dict)
    rows: int = 0
    workers: int = 0
    mode: str = "one process"


def pending_tasks(*, store: Store, slug: str, redo: bool = False) -> tuple[list[PhotoTask], int]:
    """Visit photos of the study not measured yet (all of them with ``redo``), and how many were."""
    from sqlalchemy import select

    from facefit.photos.library import photo_path
    from facefit.store.photos import Photo
    from facefit.study.service import load

    with store.transaction() as session:
        study = load(session=session, slug=slug)
        participants = db.list_participants(session=session, study_id=study.id)
        visits = db.list_visits(session=session, participant_ids=[p.id for p in participants])
        links = db.visit_photos(session=session, visit_ids=[v.id for v in visits])
        done = set() if redo else _measured(session, [link.id for link in links])
        todo = [link for link in links if link.id not in done]
        # the file name only: a Photo row also holds its landmarks and checks as JSON, and decoding them
        # was most of the time spent finding the work (0.5 s of ~0.9 s for 360 photos, py-spy)
        query = select(Photo.id, Photo.file_name).where(Photo.id.in_({link.photo_id for link in todo}))
        files: dict[int, str] = {row[0]: row[1] for row in session.execute(query)}
        tasks = [
            PhotoTask(link.id, str(photo_path(files[link.photo_id])))
            for link in todo
            if link.photo_id in files
        ]
        return tasks, len(links) - len(todo)


def _measured(session: Any, visit_photo_ids: list[int]) -> set[int]:
    """The visit photos that have the done marker (ids only: loading every measurement row was the
    slowest part of finding the work)."""
    from sqlalchemy import select

    if not visit_photo_ids:
        return set()
    row = db.StudyMeasurement
    query = select(row.visit_photo_id).where(
        row.visit_photo_id.in_(visit_photo_ids), row.endpoint == DONE_MARKER
    )
    return set(session.scalars(query))


# --- client side -----------------------------------------------------------------------------------------


class _Writer:
    """Upserts results in small batches (one transaction per ``every`` photos, and at the end): a killed
    run loses at most the unwritten batch, which the next run measures again."""

    def __init__(self, store: Store, outcome: AnalyzeResult, every: int = WRITE_EVERY) -> None:
        self.store, self.outcome, self.every = store, outcome, every
        self.pending: list[PhotoEndpoints] = []

    def add(self, result: PhotoEndpoints) -> None:
        if result.problem is not None:
            self.outcome.failed[result.visit_photo_id] = result.problem
            return
        self.pending.append(result)
        if len(self.pending) >= self.every:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        rows = [row for result in self.pending for row in result.rows()]
        with self.store.transaction() as session:
            self.outcome.rows += db.upsert_measurements(session=session, rows=rows)
        self.outcome.measured += len(self.pending)
        self.pending = []


def _serial(
    tasks: list[PhotoTask],
    store: Store,
    outcome: AnalyzeResult,
    models: tuple[Any, Any] | None,
    on_result: Callable[[PhotoEndpoints], None],
) -> None:
    landmarker, age_model = models if models is not None else build_models()
    writer = _Writer(store, outcome)
    try:
        for task in tasks:
            result = measure_one(task.visit_photo_id, task.path, landmarker, age_model)
            writer.add(result)
            on_result(result)
    finally:
        writer.flush()
        if models is None and hasattr(landmarker, "close"):
            landmarker.close()


@contextmanager
def _spawn_without_main() -> Iterator[None]:
    """While worker processes are spawned, hide this process's ``__main__`` from multiprocessing.

    A spawned child (and one forked from the fork server) re-runs the parent's main module so that
    functions defined there unpickle; for the ``facefit`` console script that is the whole CLI (Typer,
    Rich, every command module: ~1.2 s of CPU per worker, measured with ``PYTHONPROFILEIMPORTTIME=1``).
    The workers run only functions from :mod:`facefit.study.worker`, so they need none of it. A worker
    the nanny restarts later imports the main module as usual (slower to start, same results)."""
    main = sys.modules.get("__main__")
    if main is None:
        yield
        return
    saved = {name: main.__dict__[name] for name in ("__file__", "__spec__") if name in main.__dict__}
    main.__dict__.pop("__file__", None)
    main.__spec__ = None
    try:
        yield
    finally:
        main.__dict__.pop("__spec__", None)
        main.__dict__.update(saved)


def connect(scheduler: str | None, workers: int, *, cache_dir: str | None = None) -> tuple[Any, Any]:
    """A Dask client on ``scheduler`` or on a new LocalCluster of ``workers`` single-threaded processes,
    with the models plugin registered (so every worker, and every restarted one, builds its models)."""
    from distributed import Client, LocalCluster

    from facefit.study.worker import PLUGIN_NAME, StudyModels

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise SchedulerUnreachableError(
                f"Cannot reach the Dask scheduler at {scheduler}: {error}; start one "
                "with `dask scheduler` or leave out --scheduler."
            ) from None
    else:
        import dask

        start_fork_server()
        with dask.config.set({**QUIET_CLUSTER, **LEAN_WORKERS}), _spawn_without_main():
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,
                # each worker (and one its nanny restarts) builds its models as it starts, before it
                # joins the scheduler, while this process is still starting the cluster
                plugins=(StudyModels(cache_dir=cache_dir),),
            )
            client = Client(cluster)
        return client, cluster
    client.register_plugin(StudyModels(cache_dir=cache_dir), name=PLUGIN_NAME)
    return client, cluster


def _on_this_machine(client: Any) -> bool:
    """Whether the client's workers are a LocalCluster's (they can read the photo files themselves)."""
    from distributed import LocalCluster

    return isinstance(getattr(client, "cluster", None), LocalCluster)


def _chunks(tasks: list[PhotoTask], size: int, tail: int = TAIL) -> Iterator[list[PhotoTask]]:
    """``size`` photos a task, and the last ``tail`` photos one a task: tasks run in the order they
    are submitted, so the workers finish within about one photo of each other instead of four."""
    head = max(0, len(tasks) - tail)
    for start in range(0, head, size):
        yield tasks[start : min(start + size, head)]
    for task in tasks[head:]:
        yield [task]


def _distributed(
    tasks: list[PhotoTask],
    store: Store,
    outcome: AnalyzeResult,
    client: Any,
    on_result: Callable[[PhotoEndpoints], None],
    chunk: int = CHUNK,
) -> None:
    from distributed import as_completed

    from facefit.study.worker import measure_on_worker

    local = _on_this_machine(client)
    futures = []
    for group in _chunks(tasks, chunk):
        items: list[tuple[int, str | bytes]] = []
        for task in group:
            data = task.path if local else read_photo(task.path)
            if data is None:
                outcome.failed[task.visit_photo_id] = "photo file is missing"
            else:
                items.append((task.visit_photo_id, data))
        if items:
            key = f"measure-visit-photos-{items[0][0]}-{os.urandom(4).hex()}"
            futures.append(client.submit(measure_on_worker, items, pure=False, key=key))
    outcome.workers = len(client.scheduler_info().get("workers", {}))
    writer = _Writer(store, outcome)
    try:
        for future in as_completed(futures):
            for result in future.result():
                writer.add(result)
                on_result(result)
            future.release()
    finally:
        writer.flush()


def analyze(
    *,
    store: Store,
    slug: str,
    workers: int = 2,
    scheduler: str | None = None,
    redo: bool = False,
    models: tuple[Any, Any] | None = None,
    client: Any = None,
    cache_dir: str | None = None,
    on_start: Callable[[int], None] | None = None,
    on_result: Callable[[PhotoEndpoints], None] | None = None,
) -> AnalyzeResult:
    """Measure the study's visit photos not measured yet (every one with ``redo``).

    ``workers=0`` runs in this process (with ``models`` if given); otherwise on ``client``, on
    ``scheduler``, or on a new LocalCluster of ``workers`` processes, which starts (and its workers build
    their models) while this process reads the study's photos.
    """
    local = client is None and scheduler is None and workers > 0
    starting = _start_local(workers, cache_dir) if local and _anything_to_measure(store, slug, redo) else None
    try:
        tasks, done = pending_tasks(store=store, slug=slug, redo=redo)
    except BaseException:
        _close_started(starting)
        raise
    outcome = AnalyzeResult(skipped=done)
    if on_start is not None:
        on_start(len(tasks))
    callback = on_result or (lambda _result: None)
    if not tasks:
        _close_started(starting)
        return outcome
    if workers == 0 and client is None and scheduler is None:
        _serial(tasks, store, outcome, models, callback)
        return outcome
    own = client is None
    cluster = None
    if starting is not None:
        client, cluster = starting.result()
    elif own:
        client, cluster = connect(scheduler, workers, cache_dir=cache_dir)
    outcome.mode = f"Dask at {scheduler}" if scheduler else "Dask LocalCluster"
    try:
        _distributed(tasks, store, outcome, client, callback)
    finally:
        if own:
            _close(client, cluster)
    return outcome


def _anything_to_measure(store: Store, slug: str, redo: bool) -> bool:
    """Whether a visit photo is left to measure (any with ``redo``), found by one query before the
    cluster starts: with nothing left, starting and closing the cluster was ~4 s of nothing. An unknown
    study raises here, before a cluster is started too."""
    from facefit.study.service import load

    with store.transaction() as session:
        study = load(session=session, slug=slug)
        marker = None if redo else DONE_MARKER
        return db.has_visit_photo(session=session, study_id=study.id, without_endpoint=marker)


def _start_local(workers: int, cache_dir: str | None) -> Future[tuple[Any, Any]]:
    """Start the LocalCluster in a thread: the fork server imports, the workers fork from it and build
    their models (on the other core) while this process reads the work from the database."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="facefit-cluster")
    starting = pool.submit(connect, None, workers, cache_dir=cache_dir)
    pool.shutdown(wait=False)
    return starting


def _close_started(starting: Future[tuple[Any, Any]] | None) -> None:
    """Close a cluster started for work that turned out to be nothing (or an error)."""
    if starting is None:
        return
    with suppress(Exception):  # the caller's outcome or error is what matters here
        _close(*starting.result())


def _close(client: Any, cluster: Any) -> None:
    client.close()
    if cluster is not None:
        cluster.close()


def measured_ids(rows: Iterable[db.StudyMeasurement]) -> set[int]:
    return {row.visit_photo_id for row in rows}
