"""``facefit study analyze``: measure every visit photo, in one process or on Dask distributed.

- Each task is one visit photo: its id and JPEG bytes in, its endpoint values out
  (:func:`facefit.study.measure.measure_visit_photo`). Tasks carry the bytes, so a worker on another
  machine (``--scheduler tcp://HOST:PORT``) needs no access to the data directory or the database.
- The Face Landmarker and the age model hold native sessions that do not pickle, so neither is ever
  sent: a :class:`StudyModels` worker plugin (which pickles as its small settings) builds both once per
  worker when the worker starts, including a worker the nanny restarts after a crash.
- Results are written by the client as they arrive (in small batches), each with an upsert on (visit
  photo, endpoint): a task that ran twice (its worker died after finishing it) or a re-run after a killed
  command leaves exactly one row per photo and endpoint, and a re-run only measures photos not yet
  measured.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from distributed import WorkerPlugin

from facefit.errors import FaceFitError
from facefit.store import study as db
from facefit.store.db import Store
from facefit.study.measure import PhotoEndpoints, measure_visit_photo

PLUGIN_NAME = "facefit-study-models"
WRITE_EVERY = 8
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
    from facefit.photos.library import photo_path
    from facefit.store.photos import Photo
    from facefit.study.service import load

    with store.transaction() as session:
        study = load(session=session, slug=slug)
        participants = db.list_participants(session=session, study_id=study.id)
        visits = db.list_visits(session=session, participant_ids=[p.id for p in participants])
        links = db.visit_photos(session=session, visit_ids=[v.id for v in visits])
        have: dict[int, set[str]] = {}
        for row in db.measurements(session=session, visit_photo_ids=[link.id for link in links]):
            have.setdefault(row.visit_photo_id, set()).add(row.endpoint)
        tasks, done = [], 0
        for link in links:
            if not redo and DONE_MARKER in have.get(link.id, set()):
                done += 1
                continue
            photo = session.get(Photo, link.photo_id)
            if photo is not None:
                tasks.append(PhotoTask(link.id, str(photo_path(photo))))
        return tasks, done


# --- worker side ---------------------------------------------------------------------------------------


class StudyModels(WorkerPlugin):
    """Dask worker plugin: builds the landmarker and the age model once per worker.

    Only ``model_path`` and ``cache_dir`` travel to the worker (the plugin pickles as those); the models
    are created in :meth:`setup` on the worker and closed in :meth:`teardown`.
    """

    name = PLUGIN_NAME

    def __init__(self, model_path: str | None = None, cache_dir: str | None = None) -> None:
        self.model_path = model_path
        self.cache_dir = cache_dir
        self.landmarker: Any = None
        self.age_model: Any = None

    def __getstate__(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "cache_dir": self.cache_dir}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def build(self) -> None:
        os.environ.setdefault("GLOG_minloglevel", "2")
        self.landmarker, self.age_model = build_models(self.model_path, self.cache_dir)

    def setup(self, worker: Any = None) -> None:
        self.build()

    def teardown(self, worker: Any = None) -> None:
        if self.landmarker is not None and hasattr(self.landmarker, "close"):
            self.landmarker.close()
        self.landmarker = self.age_model = None


def build_models(model_path: str | None = None, cache_dir: str | None = None) -> tuple[Any, Any]:
    """The IMAGE-mode landmarker and the age model (wrapped in the disk cache when ``cache_dir``)."""
    from facefit.study.agemodel import AgeModel
    from facefit.vision.landmarker import Landmarker, RunningMode

    if cache_dir:
        from facefit.study.cache import CachedAgeModel, CachedLandmarker, DiskCache

        cache = DiskCache(cache_dir)
        return (
            CachedLandmarker(cache, lambda: Landmarker(RunningMode.IMAGE, model_path=model_path)),
            CachedAgeModel(cache),
        )
    return Landmarker(RunningMode.IMAGE, model_path=model_path), AgeModel()


def measure_on_worker(visit_photo_id: int, jpeg: bytes) -> PhotoEndpoints:
    """The Dask task: measure one photo with this worker's models (built by the plugin)."""
    from distributed import get_worker

    models = get_worker().plugins[PLUGIN_NAME]
    return measure_visit_photo(visit_photo_id, jpeg, landmarker=models.landmarker, age_model=models.age_model)


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
        with self.store.transaction() as session:
            for result in self.pending:
                self.outcome.rows += db.upsert_measurements(session=session, rows=result.rows())
        self.outcome.measured += len(self.pending)
        self.pending = []


def _read(task: PhotoTask) -> bytes | None:
    try:
        with open(task.path, "rb") as handle:
            return handle.read()
    except OSError:
        return None


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
            data = _read(task)
            result = (
                PhotoEndpoints(task.visit_photo_id, problem="photo file is missing")
                if data is None
                else measure_visit_photo(
                    task.visit_photo_id, data, landmarker=landmarker, age_model=age_model
                )
            )
            writer.add(result)
            on_result(result)
    finally:
        writer.flush()
        if models is None and hasattr(landmarker, "close"):
            landmarker.close()


def connect(scheduler: str | None, workers: int, *, cache_dir: str | None = None) -> tuple[Any, Any]:
    """A Dask client on ``scheduler`` or on a new LocalCluster of ``workers`` single-threaded processes,
    with the models plugin registered (so every worker, and every restarted one, builds its models)."""
    from distributed import Client, LocalCluster

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except (OSError, TimeoutError) as error:
            raise SchedulerUnreachableError(
                f"cannot reach the Dask scheduler at {scheduler}: {error}; start one "
                "with `dask scheduler` or leave out --scheduler"
            ) from None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None, silence_logs=40
        )
        client = Client(cluster)
    client.register_plugin(StudyModels(cache_dir=cache_dir), name=PLUGIN_NAME)
    return client, cluster


def _distributed(
    tasks: list[PhotoTask],
    store: Store,
    outcome: AnalyzeResult,
    client: Any,
    on_result: Callable[[PhotoEndpoints], None],
) -> None:
    from distributed import as_completed

    futures = []
    for task in tasks:
        data = _read(task)
        if data is None:
            outcome.failed[task.visit_photo_id] = "photo file is missing"
            continue
        futures.append(
            client.submit(
                measure_on_worker,
                task.visit_photo_id,
                data,
                pure=False,
                key=f"measure-visit-photo-{task.visit_photo_id}-{os.urandom(4).hex()}",
            )
        )
    outcome.workers = len(client.scheduler_info().get("workers", {}))
    writer = _Writer(store, outcome)
    try:
        for future in as_completed(futures):
            result = future.result()
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
    ``scheduler``, or on a new LocalCluster of ``workers`` processes.
    """
    tasks, done = pending_tasks(store=store, slug=slug, redo=redo)
    outcome = AnalyzeResult(skipped=done)
    if on_start is not None:
        on_start(len(tasks))
    callback = on_result or (lambda _result: None)
    if not tasks:
        return outcome
    if workers == 0 and client is None and scheduler is None:
        _serial(tasks, store, outcome, models, callback)
        return outcome
    own = client is None
    cluster = None
    if own:
        client, cluster = connect(scheduler, workers, cache_dir=cache_dir)
    outcome.mode = f"Dask at {scheduler}" if scheduler else "Dask LocalCluster"
    try:
        _distributed(tasks, store, outcome, client, callback)
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    return outcome


def measured_ids(rows: Iterable[db.StudyMeasurement]) -> set[int]:
    return {row.visit_photo_id for row in rows}
