"""The MediaPipe Face Landmarker behind a small, typed interface. MediaPipe stops here.

One ``Landmarker`` per stream: IMAGE mode for independent photos, VIDEO mode for frames with strictly
increasing timestamps (the model tracks between frames, which is faster and steadier). Always close it,
or use it as a context manager; the native graph holds threads and ~180 MB.

**Recovery of a lost face (VIDEO mode).** The tracker drops a face it no longer trusts and then finds it
again only through the whole-frame face detector, which misses faces tilted back, rolled, partly covered
or in a dark, noisy image (the detector sees the frame at 128x128). When the tracker returns no face and a
face was seen within :data:`RECOVER_FOR_MS`, the same model is run once more, in IMAGE mode, on a square
crop around where that face last was (:data:`RECOVER_CROP` times its size, resized to
:data:`RECOVER_SIDE_PX`), and its landmarks are mapped back to the frame. The tracker itself is never fed
anything else, so every frame it finds a face on gives exactly the observation it gave without recovery;
only frames it returned empty can change. A recovered observation says so (``recovered``).
"""

from __future__ import annotations

import enum
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

import numpy as np

from facefit.vision.model import resolve_model_path
from facefit.vision.observation import N_BLENDSHAPES, FaceObservation


class RunningMode(enum.Enum):
    """IMAGE: every call is independent. VIDEO: frames of one stream, timestamps strictly increasing."""

    IMAGE = "image"
    VIDEO = "video"


NATIVE_LOGS_ENV = "FACEFIT_NATIVE_LOGS"
#: Recovery of a face the VIDEO tracker lost (module docstring): the crop's side over the last face's
#: larger side, the square size the crop is resized to, how long after the last face seen (tracked or
#: recovered) a frame is still searched, and the recovery model's detection and presence threshold (the
#: tracker's own). Chosen on ad-hoc renders of tuning plans (eval/README.md, session of 2026-12-07 morning).
RECOVER_CROP = 2.0
RECOVER_SIDE_PX = 256
RECOVER_FOR_MS = 2000
RECOVER_MIN_CONFIDENCE = 0.5
_STDERR_LOCK = threading.Lock()  # fd 2 is process-wide: two threads swapping it must not interleave


@contextmanager
def _native_stderr_silenced() -> Iterator[None]:
    """Hide the dozen lines MediaPipe's C++ graph prints to file descriptor 2 while it starts.

    They are informational (XNNPACK delegate, feedback tensors), GLOG_minloglevel does not stop them,
    and they would bury FaceFit's one-line messages. Errors still surface as Python exceptions. Set
    ``FACEFIT_NATIVE_LOGS=1`` to see them.
    """
    if os.environ.get(NATIVE_LOGS_ENV) == "1":
        yield
        return
    with _STDERR_LOCK:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no real fd 2 (embedded interpreters): nothing to hide
            yield
            return
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 2)
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            os.close(devnull)


def _face_area(points: np.ndarray) -> float:
    span = np.nanmax(points[:, :2], axis=0) - np.nanmin(points[:, :2], axis=0)
    return float(span[0] * span[1])


class Landmarker:
    """Runs the Face Landmarker on RGB uint8 frames and returns :class:`FaceObservation` objects.

    Several faces: the largest (by landmark bounding box) is returned and ``faces_found`` says how many
    were seen, so callers can warn. ``max_faces`` bounds how many the model looks for. ``recover`` (VIDEO
    mode only): look for a face the tracker lost in a crop around its last place (module docstring);
    ``recover=False`` gives the tracker alone.
    """

    def __init__(
        self,
        mode: RunningMode = RunningMode.VIDEO,
        *,
        model_path: str | os.PathLike[str] | None = None,
        max_faces: int = 4,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        recover: bool = True,
    ) -> None:
        if max_faces < 1:
            raise ValueError(f"max_faces must be >= 1, got {max_faces}")
        from mediapipe.tasks.python import BaseOptions, vision  # heavy import kept out of module load

        self.mode = mode
        self.max_faces = max_faces
        self.model_path = resolve_model_path(model_path)
        options = vision.FaceLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=str(self.model_path)),
            running_mode=vision.RunningMode.VIDEO if mode is RunningMode.VIDEO else vision.RunningMode.IMAGE,
            num_faces=max_faces,
            min_face_detection_confidence=min_detection_confidence,
            min_face_presence_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            output_face_blendshapes=True,
            output_facial_transformation_matrixes=True,
        )
        with _native_stderr_silenced():
            self._task = vision.FaceLandmarker.create_from_options(options)
        self._last_t_ms: int | None = None
        #: VIDEO mode only: look for a lost face in a crop around its last place (module docstring).
        self.recover = recover and mode is RunningMode.VIDEO
        self._finder: Landmarker | None = None  # the IMAGE-mode model recovery runs, made on first use
        self._last_face: FaceObservation | None = None

    @property
    def smoothed(self) -> bool:
        """Whether the landmarks come smoothed over time: MediaPipe's video graph smooths the landmarks of a
        face it tracks alone (VIDEO mode asked for one face), and the coach then reads their noise
        accordingly (``coach.engine.Engine``, signals/stillness.py NOISE_LAG_S)."""
        return self.mode is RunningMode.VIDEO and self.max_faces == 1

    def __enter__(self) -> Landmarker:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the native graph; safe to call twice."""
        if self._task is not None:
            self._task.close()
            self._task = None
        if self._finder is not None:
            self._finder.close()
            self._finder = None

    def detect(self, rgb: np.ndarray, t_ms: int = 0) -> FaceObservation:
        """Landmarks of the largest face in ``rgb`` (H, W, 3 uint8). In VIDEO mode ``t_ms`` must increase."""
        import mediapipe as mp

        if self._task is None:
            raise RuntimeError("Landmarker is closed")
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"expected an RGB uint8 image (H, W, 3), got {rgb.dtype} {rgb.shape}")
        height, width = rgb.shape[:2]
        image = mp.Image(image_format=mp.ImageFormat.SRGB, data=np.ascontiguousarray(rgb))
        if self.mode is RunningMode.VIDEO:
            if self._last_t_ms is not None and t_ms <= self._last_t_ms:
                raise ValueError(f"VIDEO mode needs increasing timestamps: {t_ms} after {self._last_t_ms}")
            self._last_t_ms = t_ms
            result = self._task.detect_for_video(image, int(t_ms))
        else:
            result = self._task.detect(image)
        observation = _to_observation(result, int(t_ms), (width, height))
        if not self.recover:
            return observation
        if observation.present:
            self._last_face = observation
            return observation
        last = self._last_face
        if last is None or t_ms - last.t_ms > RECOVER_FOR_MS:
            return observation
        found = self._recovered(rgb, int(t_ms), last)
        if found is None:
            return observation
        self._last_face = found
        return found

    def _recovered(self, rgb: np.ndarray, t_ms: int, last: FaceObservation) -> FaceObservation | None:
        """The face in a square crop around ``last`` (IMAGE mode), in the frame's coordinates, or None."""
        import cv2

        height, width = rgb.shape[:2]
        points = last.pixels().astype(np.float64)
        low, high = np.nanmin(points, axis=0), np.nanmax(points, axis=0)
        side = float(np.max(high - low)) * RECOVER_CROP
        if not side >= 16.0:
            return None
        scale = RECOVER_SIDE_PX / side
        centre = (low + high) / 2.0
        # frame -> crop: scale about the last face's centre, which lands on the crop's centre
        to_crop = np.array([[scale, 0.0, RECOVER_SIDE_PX / 2.0 - scale * centre[0]],
                            [0.0, scale, RECOVER_SIDE_PX / 2.0 - scale * centre[1]]])
        crop = cv2.warpAffine(rgb, to_crop, (RECOVER_SIDE_PX, RECOVER_SIDE_PX), flags=cv2.INTER_LINEAR,
                              borderMode=cv2.BORDER_CONSTANT)
        if self._finder is None:
            self._finder = Landmarker(RunningMode.IMAGE, model_path=self.model_path, max_faces=1,
                                      min_detection_confidence=RECOVER_MIN_CONFIDENCE)
        seen = self._finder.detect(crop)
        if not seen.present:
            return None
        crop_points = seen.landmarks.astype(np.float64) * RECOVER_SIDE_PX  # x, y and z in crop pixels
        landmarks = np.empty_like(crop_points)
        landmarks[:, 0] = (centre[0] + (crop_points[:, 0] - RECOVER_SIDE_PX / 2.0) / scale) / width
        landmarks[:, 1] = (centre[1] + (crop_points[:, 1] - RECOVER_SIDE_PX / 2.0) / scale) / height
        landmarks[:, 2] = crop_points[:, 2] / scale / width  # z is scaled like x
        return FaceObservation(
            t_ms=t_ms,
            image_size=(width, height),
            landmarks=landmarks.astype(np.float32),
            blendshapes=seen.blendshapes,
            transform=seen.transform,
            faces_found=1,
            recovered=True,
        )


def _points(face: list[object]) -> np.ndarray:
    """MediaPipe's per-landmark objects -> (478, 3) float32 (fromiter: ~40% faster than a list of tuples)."""
    flat = np.fromiter(
        (value for p in face for value in (p.x, p.y, p.z)),  # type: ignore[attr-defined]
        dtype=np.float32,
        count=3 * len(face),
    )
    return flat.reshape(-1, 3)


def _to_observation(result: object, t_ms: int, size: tuple[int, int]) -> FaceObservation:
    faces = getattr(result, "face_landmarks", None) or []
    if not faces:
        return FaceObservation.empty(t_ms, size)
    points = [_points(face) for face in faces]
    order = sorted(range(len(points)), key=lambda i: _face_area(points[i]), reverse=True)
    best = order[0]
    blend = np.zeros(N_BLENDSHAPES, dtype=np.float32)
    blend_lists = getattr(result, "face_blendshapes", None) or []
    if best < len(blend_lists):
        for category in blend_lists[best]:
            if 0 <= category.index < N_BLENDSHAPES:
                blend[category.index] = category.score
    transforms = getattr(result, "facial_transformation_matrixes", None) or []
    transform = (
        np.asarray(transforms[best], dtype=np.float32).reshape(4, 4)
        if best < len(transforms)
        else np.full((4, 4), np.nan, dtype=np.float32)
    )
    return FaceObservation(
        t_ms=t_ms,
        image_size=size,
        landmarks=points[best],
        blendshapes=blend,
        transform=transform,
        faces_found=len(points),
        other_faces=tuple(points[i] for i in order[1:]),
    )
