"""The named, scale-free face signals: the contract between perception and the coaching engine.

A stream of frames becomes a :class:`SignalSeries`: ``t_ms`` (N,) and ``values`` (N, K) float64, one
column per name in :data:`SIGNAL_NAMES`. Geometry columns are in inter-pupil-distance (IPD) units,
measured in the face's own frame along the pupil line (pose-corrected); angles are in degrees. Frames
without a face are rows of NaN with ``face_present`` = 0. Sides are the *person's* right/left (``_r`` /
``_l``).

Signs (so specs can be written without looking at images; checked in tests/signals and tests/vision):
- brow_height_*: pupil-to-brow distance (mean of three upper-brow points); larger = brows raised.
  The pupil moves with gaze and blinks, so this is the photo metric, not the coaching one.
- brow_lift_*: eye-corner (canthi 33/133, 263/362) midpoint to brow line (ten upper and lower brow
  contour points) distance; larger = brows raised. The canthi are fixed to the skull, so gaze and blinks
  do not move it; the coaching engine's brow features read this (on synth brow presses its hold-vs-rest
  contrast over rest noise is ~1.3x the pupil-based one's).
- eye_aperture_*: lower-to-upper lid distance; larger = eyes more open.
- mouth_corner_lift_*: corner height above the inner-lip midpoint (13-14); larger = corners up (smile).
- mouth_opening: inner lip gap (13-14); larger = lips apart (teeth may show).
- mouth_width: corner-to-corner distance (61-291). mouth_roundness: outer lip height (0-17) / width
  ("O" is high, "I"/"ee" is low).
- jaw_opening: chin (152) to nose base (2) distance along the face's vertical; larger = jaw dropped.
- jaw_forward: chin (152) depth in front of the nose base (2), measured along the normal of the upper
  face (pupils, nose bridge 168), so head pitch does not masquerade as jaw glide; larger = jaw glided
  forward. Landmark depth is the model's estimate and moves little: experimental, pair it with
  ``bs_jawForward``. Measured on synth frames: it drifts ~0.0025 IPD per degree of pitch and does not
  follow the synth's jaw glide (a pure depth move a 2-D warp cannot show), so it is not validated.
- Geometry is measured in the face's own frame when the head transform is known (the landmarks rotated
  by the inverse head rotation, ``facefit.signals.compute.face_frame``): roll and scale cancel, and yaw
  and pitch to first order (the model's depth is an estimate). The brows (``brow_*``) stay in the
  image's pupil-line axes, where the rotation's jitter does not reach them; a head turned or tilted
  from the calibrated rest still moves them a little, so read change from a rest at a similar pose.
  Within the operating range (``facefit.signals.pose_range``) the coaching is validated.
- head_pitch: degrees, positive = chin up / head tilted back. head_yaw: positive = turned to the
  person's left (nose toward the image's right in a camera image). head_roll: positive = face rotated
  counter-clockwise in the image (toward the person's right shoulder in an unmirrored camera image).
  See facefit.vision.pose.
- scale: IPD in pixels / image width, for distance relative to a baseline (larger = closer).

Sides come from the model's landmark numbering, which follows the *image*: in a mirrored image the
``_r`` columns describe the person's left. :func:`facefit.signals.compute.mirror_values` swaps them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from facefit.vision.observation import BLENDSHAPE_NAMES

GEOMETRY_SIGNALS: tuple[str, ...] = (
    "brow_height_r",
    "brow_height_l",
    "eye_aperture_r",
    "eye_aperture_l",
    "mouth_corner_lift_r",
    "mouth_corner_lift_l",
    "mouth_opening",
    "mouth_width",
    "mouth_roundness",
    "jaw_opening",
    "jaw_forward",
    "brow_lift_r",
    "brow_lift_l",
)
POSE_SIGNALS: tuple[str, ...] = ("head_pitch", "head_yaw", "head_roll", "scale")
BLENDSHAPE_SIGNALS: tuple[str, ...] = tuple(f"bs_{name}" for name in BLENDSHAPE_NAMES[1:])
SIGNAL_NAMES: tuple[str, ...] = ("face_present", *GEOMETRY_SIGNALS, *POSE_SIGNALS, *BLENDSHAPE_SIGNALS)

Signal = enum.IntEnum("Signal", {name.upper(): i for i, name in enumerate(SIGNAL_NAMES)})  # type: ignore[misc]
"""Column index of each signal: ``values[:, Signal.MOUTH_OPENING]``."""

SIGNAL_INDEX: dict[str, int] = {name: i for i, name in enumerate(SIGNAL_NAMES)}


@dataclass(frozen=True)
class SignalSeries:
    """Signals of consecutive frames. Arrays inside; :meth:`to_rows` gives a tidy table at the edge."""

    t_ms: np.ndarray
    values: np.ndarray

    def __post_init__(self) -> None:
        if self.t_ms.ndim != 1:
            raise ValueError(f"t_ms: expected 1-D, got shape {self.t_ms.shape}")
        if self.values.shape != (self.t_ms.shape[0], len(SIGNAL_NAMES)):
            raise ValueError(
                f"values: expected ({self.t_ms.shape[0]}, {len(SIGNAL_NAMES)}), got {self.values.shape}"
            )

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])

    def column(self, name: str) -> np.ndarray:
        """One signal over time (KeyError names the unknown signal)."""
        return self.values[:, SIGNAL_INDEX[name]]

    def to_rows(self) -> list[dict[str, float]]:
        """One dict per frame: ``t_ms`` then every signal (NaN where no face)."""
        return [
            {"t_ms": float(t), **{name: float(v) for name, v in zip(SIGNAL_NAMES, row, strict=True)}}
            for t, row in zip(self.t_ms, self.values, strict=True)
        ]
