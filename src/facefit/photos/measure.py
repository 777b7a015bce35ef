"""Measure one photo: the face, its pose, the light on it, its sharpness, and its metrics.

This is the only place in ``photos/`` that runs the Face Landmarker. It runs it twice, on the photo
and on its mirror image, because averaging the two cancels the model's left/right bias (see
:mod:`facefit.photos.metrics`). Everything the gate, the store and the views need is returned as
plain numbers in a :class:`PhotoMeasurement`. The line and fold indices (:mod:`facefit.photos.lines`)
are measured here too, since they need the pixels as well as both landmark sets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facefit.photos import landmarks as lm
from facefit.photos.lines import LineMeasurement, fold_with_expression, measure_lines
from facefit.photos.metrics import mirror_averaged, raw_metrics, to_millimetres
from facefit.vision.observation import BLENDSHAPE_NAMES, FaceObservation
from facefit.vision.pose import head_pose

SHARPNESS_IPD_PX = 100.0  # faces are resampled to this IPD before measuring sharpness
REST_SIGNALS: tuple[str, ...] = (
    "mouth_corner_lift_r",
    "mouth_corner_lift_l",
    "mouth_opening",
    "mouth_width",
    "brow_height_r",
    "brow_height_l",
)  # compared with the calibrated rest (facefit calibrate) by the neutral-expression check


def rest_signals(seen: FaceObservation, mirror: FaceObservation | None) -> dict[str, float]:
    """The :data:`REST_SIGNALS` of the photo, averaged with its mirror image like a photo calibration."""
    from facefit.signals.compute import mirror_values, signals_batch, signals_from_observation
    from facefit.signals.names import SIGNAL_INDEX

    if mirror is not None and mirror.present:  # both faces in one batch (row by row the same numbers)
        both = signals_batch(
            np.stack([seen.landmarks, mirror.landmarks]),
            seen.image_size,
            np.stack([seen.blendshapes, mirror.blendshapes]),
            np.stack([seen.transform, mirror.transform]),
        )
        values = 0.5 * (both[0] + mirror_values(both[1]))
    else:
        values = signals_from_observation(seen)
    return {name: float(values[SIGNAL_INDEX[name]]) for name in REST_SIGNALS}


@dataclass(frozen=True)
class PhotoMeasurement:
    """Everything measured on one photo. ``present`` is False when no face was found.

    Attributes:
        faces_found: faces the model saw (the largest one is measured).
        image_size: (width, height).
        pose: pitch, yaw, roll in degrees (FaceFit signs, see :mod:`facefit.vision.pose`), yaw and roll
            averaged with the mirror image's (sign-flipped) to cancel model bias.
        scale: IPD in pixels over image width: apparent face size, i.e. inverse distance.
        ipd_px, iris_px: pixel sizes (face resolution; millimetre conversion).
        luminance: mean luma (0-255) over the face oval.
        balance: darker half's mean luma over the brighter half's (1 = even light).
        darker_side: "right" or "left" (the person's side) that is darker.
        sharpness: variance of the Laplacian of the face resampled to a 100 px IPD.
        metrics: mirror-averaged metrics in IPD units / ratios / degrees.
        metrics_mm: the length metrics in millimetres (via the 11.7 mm iris).
        blendshapes: the photo's blendshape scores by name (not mirror-averaged).
        expression: the few numbers the neutral-expression check compares (see :func:`expression_features`).
        signals: the expression signals of :mod:`facefit.signals` (mirror-averaged), compared with the
            user's calibrated rest when there is one.
        landmarks: (478, 3) normalised landmarks of the photo (not mirrored), for alignment.
        lines: every line region's reading or why it is not measurable (its numbers are in ``metrics``).
    """

    faces_found: int
    image_size: tuple[int, int]
    pose: dict[str, float] = field(default_factory=dict)
    scale: float = float("nan")
    ipd_px: float = float("nan")
    iris_px: float = float("nan")
    luminance: float = float("nan")
    balance: float = float("nan")
    darker_side: str = "right"
    sharpness: float = float("nan")
    metrics: dict[str, float] = field(default_factory=dict)
    metrics_mm: dict[str, float] = field(default_factory=dict)
    blendshapes: dict[str, float] = field(default_factory=dict)
    expression: dict[str, float] = field(default_factory=dict)
    signals: dict[str, float] = field(default_factory=dict)
    landmarks: np.ndarray | None = field(default=None, repr=False)
    lines: LineMeasurement | None = field(default=None, repr=False)

    @property
    def present(self) -> bool:
        return self.faces_found > 0 and self.landmarks is not None

    def summary(self) -> dict[str, Any]:
        """JSON-ready numbers (no landmarks) for the gate's ``metrics`` field and the store."""
        return {
            "faces_found": self.faces_found,
            "image_size": list(self.image_size),
            "pose": {k: round(v, 3) for k, v in self.pose.items()},
            "scale": _r(self.scale),
            "ipd_px": _r(self.ipd_px),
            "iris_px": _r(self.iris_px),
            "mm_per_ipd": _r(self.ipd_px / self.iris_px * lm.IRIS_DIAMETER_MM) if self.iris_px > 0 else None,
            "luminance": _r(self.luminance),
            "balance": _r(self.balance),
            "sharpness": _r(self.sharpness),
            "face": {k: _r(v, 5) for k, v in self.metrics.items()},
            "face_mm": {k: _r(v, 3) for k, v in self.metrics_mm.items()},
            "expression": {k: _r(v, 4) for k, v in self.expression.items()},
            "signals": {k: _r(v, 4) for k, v in self.signals.items()},
            "lines": self.lines.to_dict() if self.lines is not None else None,
        }


def _r(value: float, digits: int = 4) -> float | None:
    return round(float(value), digits) if np.isfinite(value) else None


def face_mask(landmarks: np.ndarray, image_size: tuple[int, int]) -> np.ndarray:
    """Boolean (H, W) mask of the face oval polygon."""
    import cv2

    width, height = image_size
    polygon = (landmarks[list(lm.FACE_OVAL), :2] * np.array([width, height])).round().astype(np.int32)
    mask = np.zeros((height, width), dtype=np.uint8)
    cv2.fillPoly(mask, [polygon], 1)
    return mask.astype(bool)


def light_stats(rgb: np.ndarray, landmarks: np.ndarray) -> tuple[float, float, str]:
    """Mean face luma, darker/brighter half ratio, and the darker side (person's 'right' or 'left')."""
    height, width = rgb.shape[:2]
    px = landmarks[:, :2] * np.array([width, height])
    oval = px[list(lm.FACE_OVAL)]
    x0, y0 = np.maximum(np.floor(oval.min(axis=0)).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(oval.max(axis=0)).astype(int) + 1, [width, height])
    shifted = landmarks.copy()  # the face's box only: the mask and the pixels of a 12 MP photo stay small
    shifted[:, :2] = (px - [x0, y0]) / np.array([max(x1 - x0, 1), max(y1 - y0, 1)])
    mask = face_mask(shifted, (int(x1 - x0), int(y1 - y0)))
    right, left = px[lm.PUPIL_R] - [x0, y0], px[lm.PUPIL_L] - [x0, y0]
    mid, axis = (right + left) / 2.0, left - right
    sampled = mask[::2, ::2]  # every other row and column: the same means, a quarter of the work
    ys, xs = np.nonzero(sampled)
    ys, xs = 2 * ys, 2 * xs
    if xs.size < 50:
        return float("nan"), float("nan"), "right"
    side = (xs - mid[0]) * axis[0] + (ys - mid[1]) * axis[1]  # > 0: person's left half
    pixels = rgb[y0:y1:2, x0:x1:2][sampled].astype(np.float32)  # the same pixels, in the same order
    values = pixels @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    mean_left = float(values[side > 0].mean()) if np.any(side > 0) else float("nan")
    mean_right = float(values[side <= 0].mean()) if np.any(side <= 0) else float("nan")
    brighter = max(mean_left, mean_right)
    balance = min(mean_left, mean_right) / brighter if brighter > 0 else 0.0
    return float(values.mean()), float(balance), ("right" if mean_right < mean_left else "left")


def sharpness(rgb: np.ndarray, landmarks: np.ndarray, ipd_px: float) -> float:
    """Variance of the Laplacian inside the face, after resampling the face to a 100 px IPD and
    normalising its mean brightness to 128.

    Resampling makes the number comparable between a phone photo and a webcam frame; normalising keeps
    a dim photo from reading as a blurred one (the luminance check reports dimness).
    """
    import cv2

    height, width = rgb.shape[:2]
    px = landmarks[list(lm.FACE_OVAL), :2] * np.array([width, height])
    x0, y0 = np.floor(px.min(axis=0)).astype(int)
    x1, y1 = np.ceil(px.max(axis=0)).astype(int)
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 - x0 < 8 or y1 - y0 < 8:
        return float("nan")
    grey = cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY)
    factor = SHARPNESS_IPD_PX / ipd_px
    grey = cv2.resize(
        grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR
    )
    # The face oval filled in its box only, one pixel past the rounded corners unless the image ends
    # there: a fill clips its last row and column as a fill of the whole image would.
    mask = np.zeros((min(y1 + 1, height) - y0, min(x1 + 1, width) - x0), dtype=np.uint8)
    cv2.fillPoly(mask, [px.round().astype(np.int32) - np.array([x0, y0], dtype=np.int32)], 1)
    mask = mask[: y1 - y0, : x1 - x0]
    mask = cv2.resize(mask, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_NEAREST)
    mask = cv2.erode(mask, np.ones((5, 5), np.uint8)).astype(bool)
    grey = grey.astype(np.float64)
    mean = float(grey[mask].mean()) if mask.any() else 0.0
    if mean <= 1.0:
        return 0.0
    grey *= 128.0 / mean  # light level must not read as blur: normalise the face to mid-grey first
    lap = cv2.Laplacian(grey, cv2.CV_64F)
    return float(lap[mask].var()) if mask.sum() > 50 else float("nan")


def expression_features(
    frame: lm.PupilFrame, blendshapes: dict[str, float], metrics: dict[str, float]
) -> dict[str, float]:
    """Numbers that move with expression (IPD units or blendshape scores), compared with the baseline's.

    Geometry carries the comparison with the user's own rest face; blendshapes add an absolute floor
    (a broad smile is a smile whatever the baseline) but are not trusted alone.
    """
    u = frame.u
    lip_mid = 0.5 * (u[lm.LIP_INNER_UPPER] + u[lm.LIP_INNER_LOWER])
    return {
        "mouth_width": float(np.linalg.norm(u[lm.MOUTH_CORNER_L] - u[lm.MOUTH_CORNER_R])),
        "mouth_opening": float(u[lm.LIP_INNER_LOWER, 1] - u[lm.LIP_INNER_UPPER, 1]),
        "corner_lift": float(lip_mid[1] - 0.5 * (u[lm.MOUTH_CORNER_R, 1] + u[lm.MOUTH_CORNER_L, 1])),
        "brow_height": 0.5 * (metrics["brow_height_r"] + metrics["brow_height_l"]),
        "eye_aperture": 0.5 * (metrics["eye_aperture_r"] + metrics["eye_aperture_l"]),
        "smile": 0.5 * (blendshapes["mouthSmileLeft"] + blendshapes["mouthSmileRight"]),
        "jaw_open": blendshapes["jawOpen"],
        "brow_raise": blendshapes["browInnerUp"],
        "blink": max(blendshapes["eyeBlinkLeft"], blendshapes["eyeBlinkRight"]),
    }


def _blendshape_dict(obs: FaceObservation) -> dict[str, float]:
    return {name: round(float(obs.blendshapes[i]), 4) for i, name in enumerate(BLENDSHAPE_NAMES) if i > 0}


def measure_observations(
    rgb: np.ndarray, seen: FaceObservation, mirror: FaceObservation | None
) -> PhotoMeasurement:
    """Build the measurement from the photo's observation and (optionally) its mirror image's."""
    size = (int(rgb.shape[1]), int(rgb.shape[0]))
    if not seen.present:
        return PhotoMeasurement(faces_found=0, image_size=size)
    frame = lm.pupil_frame(seen.landmarks, size)
    metrics = raw_metrics(frame)
    pose = head_pose(seen.transform)
    pitch, yaw, roll = pose.pitch, pose.yaw, pose.roll
    if mirror is not None and mirror.present:
        mirror_frame = lm.pupil_frame(mirror.landmarks, size)
        metrics = mirror_averaged(metrics, raw_metrics(mirror_frame))
        mirror_pose = head_pose(mirror.transform)
        pitch = 0.5 * (pitch + mirror_pose.pitch)
        yaw = 0.5 * (yaw - mirror_pose.yaw)
        roll = 0.5 * (roll - mirror_pose.roll)
    luminance, balance, darker = light_stats(rgb, seen.landmarks)
    blendshapes = _blendshape_dict(seen)
    mirror_points = mirror.landmarks if mirror is not None and mirror.present else None
    smile = 0.5 * (blendshapes["mouthSmileLeft"] + blendshapes["mouthSmileRight"])
    lines = fold_with_expression(measure_lines(rgb, seen.landmarks, mirror_points), smile=smile)
    metrics = {**metrics, **lines.metrics}
    return PhotoMeasurement(
        faces_found=seen.faces_found,
        image_size=size,
        pose={"pitch": pitch, "yaw": yaw, "roll": roll, "distance_cm": pose.distance_cm},
        scale=frame.ipd_px / size[0],
        ipd_px=frame.ipd_px,
        iris_px=frame.iris_px,
        luminance=luminance,
        balance=balance,
        darker_side=darker,
        sharpness=sharpness(rgb, seen.landmarks, frame.ipd_px),
        metrics=metrics,
        metrics_mm=to_millimetres(metrics, frame.mm_per_ipd),
        blendshapes=blendshapes,
        expression=expression_features(frame, blendshapes, metrics),
        signals=rest_signals(seen, mirror if mirror is not None and mirror.present else None),
        landmarks=np.asarray(seen.landmarks, dtype=np.float32),
        lines=lines,
    )


def _same_face(seen: FaceObservation, mirror: FaceObservation) -> bool:
    """Whether the mirror image's chosen face is the photo's face (with several faces it may not be)."""
    if not mirror.present:
        return False
    width = seen.image_size[0]
    nose_seen = seen.landmarks[lm.NOSE_TIP, :2] * np.array([width, seen.image_size[1]])
    nose_mirror = mirror.landmarks[lm.NOSE_TIP, :2] * np.array([width, seen.image_size[1]])
    nose_mirror[0] = width - nose_mirror[0]
    ipd = float(np.linalg.norm(seen.pixels()[lm.PUPIL_L] - seen.pixels()[lm.PUPIL_R]))
    return float(np.linalg.norm(nose_seen - nose_mirror)) < 0.5 * ipd


def mirrored(rgb: np.ndarray) -> np.ndarray:
    """The photo's mirror image, contiguous: ``rgb[:, ::-1]`` copied by OpenCV, ~4x faster than numpy
    copies a reversed view of 3-byte pixels (2.6 vs 0.6 ms CPU for grace_hopper.jpg's 512x600)."""
    import cv2

    return cv2.flip(np.ascontiguousarray(rgb), 1)


def measure_photo(
    rgb: np.ndarray, landmarker: Any, *, seen: FaceObservation | None = None
) -> PhotoMeasurement:
    """Run ``landmarker`` (a :class:`facefit.vision.landmarker.Landmarker` in IMAGE mode) on the photo and
    its mirror image and measure the result (the mirror is used only if it found the same face).

    ``seen`` is the photo's own observation when the caller already has it (photo capture reads the
    camera through :class:`facefit.signals.stream.SignalStream`, which detects every frame): then only
    the mirror image is run through the model."""
    if seen is None:
        seen = landmarker.detect(rgb)
    mirror = landmarker.detect(mirrored(rgb)) if seen.present else None
    if mirror is not None and not _same_face(seen, mirror):
        mirror = None
    return measure_observations(rgb, seen, mirror)
