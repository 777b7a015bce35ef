"""The worker side of ``facefit study analyze``: everything a Dask worker process imports and runs.

Kept apart from :mod:`facefit.study.batch` (the client: the store, SQLAlchemy, the scheduler) because a
worker's start-up is part of the command's time: a worker unpickling its plugin and its tasks imports
this module and :mod:`facefit.study.measure` only, then MediaPipe and the age model when it builds them.

- The Face Landmarker and the age model hold native sessions that do not pickle, so neither is ever
  sent: the :class:`StudyModels` plugin (which pickles as its small settings) builds both once per
  worker, when the worker starts (a worker the nanny restarts after a crash builds its own again).
- One task measures a few photos (:func:`measure_on_worker`), each given as its path (a LocalCluster's
  workers read the files themselves) or its JPEG bytes (a remote cluster's workers need no access to the
  data folder). Results are keyed by visit photo, so a task run twice after its worker died gives the
  same rows again, which the client upserts.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from distributed import WorkerPlugin

from facefit.study.lazy_drawing import defer_mediapipe_drawing
from facefit.study.measure import PhotoEndpoints, build_models, measure_one

PLUGIN_NAME = "facefit-study-models"
defer_mediapipe_drawing()  # before anything here imports MediaPipe (saves ~0.6 s of CPU a process)


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
        if hasattr(self.age_model, "warm_up"):
            self.age_model.warm_up()

    def setup(self, worker: Any = None) -> None:
        self.build()

    def teardown(self, worker: Any = None) -> None:
        if self.landmarker is not None and hasattr(self.landmarker, "close"):
            self.landmarker.close()
        self.landmarker = self.age_model = None


def measure_on_worker(items: Sequence[tuple[int, str | bytes]]) -> list[PhotoEndpoints]:
    """The Dask task: measure ``(visit photo id, path or JPEG bytes)`` items with this worker's models."""
    from distributed import get_worker

    models = get_worker().plugins[PLUGIN_NAME]
    return [measure_one(key, source, models.landmarker, models.age_model) for key, source in items]
