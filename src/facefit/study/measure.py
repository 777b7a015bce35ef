"""Every endpoint FaceFit measures on one visit photo: the photo metrics and the model's apparent age.

One function, :func:`measure_visit_photo`, used by the batch runner in every mode (one process, a
``LocalCluster``, a remote scheduler), so every mode gives the same numbers. It takes the JPEG bytes,
not a path, so a worker on another machine needs nothing but the task.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facefit.study.agemodel import MODEL_NAME, AgeModel

METRICS_METHOD = "FaceFit photo metrics (MediaPipe, photo+mirror)"


@dataclass(frozen=True)
class PhotoEndpoints:
    """What one photo yielded: ``values`` by endpoint name, and why nothing was measured if so."""

    visit_photo_id: int
    values: dict[str, float] = field(default_factory=dict)
    methods: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "visit_photo_id": self.visit_photo_id,
                "endpoint": name,
                "value": value,
                "method": self.methods[name],
            }
            for name, value in self.values.items()
        ]


def measure_visit_photo(
    visit_photo_id: int, jpeg: bytes, *, landmarker: Any, age_model: AgeModel
) -> PhotoEndpoints:
    """Decode, landmark (photo + mirror), compute the metrics and the apparent age of one visit photo."""
    from facefit.errors import InputError
    from facefit.photos.files import decode_photo
    from facefit.photos.measure import measure_photo

    try:
        rgb = decode_photo(jpeg, f"visit photo {visit_photo_id}").rgb
    except InputError as error:
        return PhotoEndpoints(visit_photo_id, problem=str(error))
    measured = measure_photo(rgb, landmarker)
    if not measured.present or measured.landmarks is None:
        return PhotoEndpoints(visit_photo_id, problem="no face found")
    values = {name: float(v) for name, v in measured.metrics.items() if np.isfinite(v)}
    methods = dict.fromkeys(values, METRICS_METHOD)
    reading = age_model.read(rgb, measured.landmarks)
    values["model_age"] = reading.value
    methods["model_age"] = MODEL_NAME
    return PhotoEndpoints(visit_photo_id, values, methods)


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


def read_photo(source: str | bytes) -> bytes | None:
    """The JPEG bytes of a photo given as bytes or as a path (None when the file cannot be read)."""
    if isinstance(source, bytes):
        return source
    try:
        with open(source, "rb") as handle:
            return handle.read()
    except OSError:
        return None


def measure_one(visit_photo_id: int, source: str | bytes, landmarker: Any, age_model: Any) -> PhotoEndpoints:
    data = read_photo(source)
    if data is None:
        return PhotoEndpoints(visit_photo_id, problem="photo file is missing")
    return measure_visit_photo(visit_photo_id, data, landmarker=landmarker, age_model=age_model)
