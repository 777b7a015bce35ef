"""Head pose (pitch, yaw, roll in degrees) and a distance proxy from the facial transformation matrix.

The raw Euler angles of ``R = M[:3, :3]`` (pitch = atan2(R21, R22), yaw = atan2(-R20, hypot(R00, R10)),
roll = atan2(R10, R00)) have signs that were measured on these photos (tests/vision/test_pose.py):

- raw pitch is NEGATIVE when the head tilts back, so FaceFit reports ``pitch = -raw``:
  **positive pitch = chin up / head tilted back**, negative = chin down.
- raw yaw is positive when the nose points to the image's right, which in a camera (unmirrored) image
  is the person turning to **their left**: positive yaw = turned to the person's left.
- raw roll is positive when the face rotates **counter-clockwise in the image**; in an unmirrored image
  that is the head tilting toward the person's right shoulder. FaceFit keeps the raw sign.

A mirrored image flips yaw and roll and leaves pitch unchanged. Angles come from the model's fit of a
canonical face, so expressions leak into them (a closed-lip smile adds ~5 deg of pitch): compare with
the user's calibrated rest, not with zero.

The translation is in cm under an assumed 63 deg field of view, so it is only meaningful relative to
the user's own baseline: :func:`distance_ratio` gives current distance / baseline distance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class HeadPose:
    """Head orientation in degrees (signs in the module docstring) and translation in model cm."""

    pitch: float
    yaw: float
    roll: float
    translation_cm: tuple[float, float, float] = (float("nan"), float("nan"), float("nan"))

    @property
    def distance_cm(self) -> float:
        """Model distance from the camera (cm, assumed field of view): compare only with a baseline."""
        return float(-self.translation_cm[2])

    def to_dict(self) -> dict[str, float]:
        return {"pitch": self.pitch, "yaw": self.yaw, "roll": self.roll, "distance_cm": self.distance_cm}


def pose_angles(transforms: np.ndarray) -> np.ndarray:
    """(..., 4, 4) transformation matrices -> (..., 3) [pitch, yaw, roll] degrees in FaceFit signs.

    Vectorised so a whole video costs one call; NaN matrices give NaN angles.
    """
    m = np.asarray(transforms, dtype=np.float64)
    if m.shape[-2:] != (4, 4):
        raise ValueError(f"transforms: expected (..., 4, 4), got {m.shape}")
    r = m[..., :3, :3]
    raw_pitch = np.arctan2(r[..., 2, 1], r[..., 2, 2])
    yaw = np.arctan2(-r[..., 2, 0], np.hypot(r[..., 0, 0], r[..., 1, 0]))
    roll = np.arctan2(r[..., 1, 0], r[..., 0, 0])
    return np.degrees(np.stack([-raw_pitch, yaw, roll], axis=-1))


_SIGNS = np.outer([1.0, -1.0, -1.0], [1.0, -1.0, -1.0])


def image_rotation(transforms: np.ndarray) -> np.ndarray:
    """(..., 4, 4) transformation matrices -> (..., 3, 3) head rotations in the *landmarks'* axes.

    The matrix maps the canonical face into a camera frame with y up and z toward the viewer; landmarks
    are x right, y down, z away from the camera, so the rotation there is ``F R F`` with ``F = diag(1,
    -1, -1)`` (any scale in ``R`` is divided out). Row-vector landmark pixels ``p`` (x, y, z, all three
    in pixels) rotate into the face's own frontal frame as ``p @ image_rotation(m)``: the inverse of the
    head rotation, so a turned or tilted face is measured as if it faced the camera. A matrix that is
    not finite gives NaN.
    """
    m = np.asarray(transforms, dtype=np.float64)
    if m.shape[-2:] != (4, 4):
        raise ValueError(f"transforms: expected (..., 4, 4), got {m.shape}")
    r = m[..., :3, :3] * _SIGNS  # F R F: flip the signs of rows and columns 1 and 2
    with np.errstate(invalid="ignore", divide="ignore"):
        scale = np.sqrt(np.einsum("...k,...k->...", r[..., 0, :], r[..., 0, :]))  # a row's length
        return r / scale[..., None, None]


def head_pose(transform: np.ndarray) -> HeadPose:
    """The :class:`HeadPose` of one (4, 4) facial transformation matrix."""
    m = np.asarray(transform, dtype=np.float64)
    if m.shape != (4, 4):
        raise ValueError(f"transform: expected (4, 4), got {m.shape}")
    pitch, yaw, roll = (float(v) for v in pose_angles(m))
    tx, ty, tz = (float(v) for v in m[:3, 3])
    return HeadPose(pitch=pitch, yaw=yaw, roll=roll, translation_cm=(tx, ty, tz))


def distance_ratio(scale: float | np.ndarray, baseline_scale: float) -> float | np.ndarray:
    """Current distance over baseline distance from the ``scale`` signal (IPD px / image width).

    Apparent size is inversely proportional to distance, so 1.05 means 5% farther than the baseline.
    """
    if not baseline_scale > 0:
        raise ValueError(f"baseline_scale must be > 0, got {baseline_scale}")
    return baseline_scale / np.asarray(scale, dtype=np.float64) if np.ndim(scale) else baseline_scale / scale
