"""The pupil-line frame that every photo metric is measured in (landmark indices: ``facefit.vision.mesh``).

Photo metrics must not depend on how large the face is in the frame or how the head is rolled, so
points are expressed in *pupil-line axes*: origin at the pupil midpoint, x along the line from the
person's right pupil (468) to the left pupil (473), y perpendicular and pointing down the face, and
lengths divided by the inter-pupil distance (IPD). Sides are the person's right (``_r``) and left (``_l``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# The landmark indices photo metrics read (defined once, in facefit.vision.mesh; re-exported for photos/).
from facefit.vision.mesh import (
    BROW_UPPER_L,
    BROW_UPPER_R,
    CHEEK_L,
    CHEEK_PROBE_L,
    CHEEK_PROBE_R,
    CHEEK_R,
    CHIN,
    FACE_OVAL,
    GONION_L,
    GONION_R,
    IRIS_DIAMETER_MM,
    IRIS_EDGES_L,
    IRIS_EDGES_R,
    LID_LOWER_L,
    LID_LOWER_R,
    LID_UPPER_L,
    LID_UPPER_R,
    LIP_INNER_LOWER,
    LIP_INNER_UPPER,
    MOUTH_CORNER_L,
    MOUTH_CORNER_R,
    NOSE_BASE,
    NOSE_BRIDGE,
    NOSE_TIP,
    PUPIL_L,
    PUPIL_R,
    STABLE_POINTS,
    SYMMETRIC_PAIRS,
)

__all__ = [
    "BROW_UPPER_L", "BROW_UPPER_R", "CHEEK_L", "CHEEK_PROBE_L", "CHEEK_PROBE_R", "CHEEK_R", "CHIN",
    "FACE_OVAL", "GONION_L", "GONION_R", "IRIS_DIAMETER_MM", "IRIS_EDGES_L", "IRIS_EDGES_R", "LID_LOWER_L",
    "LID_LOWER_R", "LID_UPPER_L", "LID_UPPER_R", "LIP_INNER_LOWER", "LIP_INNER_UPPER", "MOUTH_CORNER_L",
    "MOUTH_CORNER_R", "NOSE_BASE", "NOSE_BRIDGE", "NOSE_TIP", "PUPIL_L", "PUPIL_R", "STABLE_POINTS",
    "SYMMETRIC_PAIRS", "PupilFrame", "pupil_frame",
]


@dataclass(frozen=True)
class PupilFrame:
    """Landmarks in pupil-line axes (IPD units), plus the pixel scale facts needed to convert them.

    Attributes:
        u: (478, 2) points in pupil-line axes divided by IPD (x toward the person's left, y down).
        depth: (478,) model depth in IPD units (MediaPipe z scaled like x; smaller = nearer the camera).
        ipd_px: inter-pupil distance in pixels.
        iris_px: mean horizontal iris diameter in pixels (for millimetres).
        roll_deg: in-image angle of the pupil line (positive = counter-clockwise in the image).
    """

    u: np.ndarray
    depth: np.ndarray
    ipd_px: float
    iris_px: float
    roll_deg: float

    @property
    def mm_per_ipd(self) -> float:
        """Millimetres per IPD unit, from the iris diameter (11.7 mm on average)."""
        return self.ipd_px / self.iris_px * IRIS_DIAMETER_MM if self.iris_px > 0 else float("nan")


def pupil_frame(landmarks: np.ndarray, image_size: tuple[int, int]) -> PupilFrame:
    """Express normalised (478, 3) landmarks of an image of ``image_size`` (w, h) in pupil-line axes."""
    width, height = image_size
    px = landmarks[:, :2].astype(np.float64) * np.array([width, height], dtype=np.float64)
    right, left = px[PUPIL_R], px[PUPIL_L]
    axis = left - right
    ipd = float(np.hypot(*axis))
    if not np.isfinite(ipd) or ipd <= 0:
        raise ValueError("landmarks have no usable pupils (IPD is zero or NaN)")
    ex = axis / ipd
    ey = np.array([-ex[1], ex[0]])
    rel = px - (right + left) / 2.0
    u = np.stack([rel @ ex, rel @ ey], axis=1) / ipd
    depth = landmarks[:, 2].astype(np.float64) * width / ipd
    iris = 0.5 * (
        float(np.hypot(*(px[IRIS_EDGES_R[0]] - px[IRIS_EDGES_R[1]])))
        + float(np.hypot(*(px[IRIS_EDGES_L[0]] - px[IRIS_EDGES_L[1]])))
    )
    roll = float(np.degrees(np.arctan2(-axis[1], axis[0])))
    return PupilFrame(u=u, depth=depth, ipd_px=ipd, iris_px=iris, roll_deg=roll)
