"""One shared IMAGE-mode Face Landmarker for photo uploads (created on first use, used under a lock).

MediaPipe tasks are not thread-safe and sync routes run in a thread pool, so uploads take turns; a
photo takes ~15 ms, far less than the upload itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_LOCK = threading.Lock()


@contextmanager
def image_landmarker(state: Any) -> Iterator[Any]:
    with _LOCK:
        landmarker = getattr(state, "image_landmarker", None)
        if landmarker is None:
            from facefit.vision.landmarker import Landmarker, RunningMode

            landmarker = Landmarker(RunningMode.IMAGE, model_path=state.settings.model_path)
            landmarker.__enter__()
            state.image_landmarker = landmarker
        yield landmarker


def close(state: Any) -> None:
    with _LOCK:
        landmarker = getattr(state, "image_landmarker", None)
        if landmarker is not None:
            landmarker.__exit__(None, None, None)
            state.image_landmarker = None
