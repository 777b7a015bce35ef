"""Named MediaPipe mesh indices and the pupil-line frame that every photo metric is measured in.

Photo metrics must not depend on how large the face is in the frame or how the head is rolled, so
points are expressed in *pupil-line axes*: origin at the pupil midpoint, x along the line from the
person's right pupil (468) to the left pupil (473), y perpendicular and pointing down the face, and
lengths divided by the inter-pupil distance (IPD). Sides are the person's right (``_r``) and left (``_l``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PUPIL_R, PUPIL_L = 468, 473
IRIS_R = (469, 471)  # horizontal iris edge points, right eye
IRIS_L = (474, 476)
IRIS_DIAMETER_MM = 11.7  # population mean horizontal visible iris diameter (Emotrics uses 11.77)

BROW_R, BROW_L = 105, 334
EYE_UPPER_R, EYE_LOWER_R = 159, 145
EYE_UPPER_L, EYE_LOWER_L = 386, 374
MOUTH_CORNER_R, MOUTH_CORNER_L = 61, 291
LIP_INNER_UPPER, LIP_INNER_LOWER = 13, 14
CHIN = 152
NOSE_BASE = 2
NOSE_TIP = 1
NOSE_BRIDGE = 168
GONION_R, GONION_L = 172, 397
CHEEK_R, CHEEK_L = 234, 454  # widest points of the face (zygomatic level)
CHEEK_PROBE_R, CHEEK_PROBE_L = 50, 280  # mid-cheek surface points for the experimental projection proxy

# Points that move little with expression, used to align photos (similarity transform).
STABLE_POINTS: tuple[int, ...] = (33, 133, 362, 263, 168, 6, 468, 473)

# The face oval, in order: its polygon is the face region for light, balance and sharpness checks.
FACE_OVAL: tuple[int, ...] = (
    10,
    338,
    297,
    332,
    284,
    251,
    389,
    356,
    454,
    323,
    361,
    288,
    397,
    365,
    379,
    378,
    400,
    377,
    152,
    148,
    176,
    149,
    150,
    136,
    172,
    58,
    132,
    93,
    234,
    127,
    162,
    21,
    54,
    103,
    67,
    109,
)

# Person-right / person-left landmark pairs by region, for the mirror asymmetry index.
SYMMETRIC_PAIRS: dict[str, tuple[tuple[int, int], ...]] = {
    "brows": ((70, 300), (63, 293), (105, 334), (66, 296), (107, 336), (46, 276), (53, 283), (52, 282)),
    "eyes": ((33, 263), (133, 362), (159, 386), (145, 374), (160, 387), (144, 373), (158, 385), (153, 380)),
    "mouth": ((61, 291), (40, 270), (37, 267), (39, 269), (91, 321), (84, 314), (181, 405), (146, 375)),
    "jaw": ((172, 397), (136, 365), (150, 379), (149, 378), (176, 400), (148, 377), (58, 288), (132, 361)),
    "cheeks": ((50, 280), (205, 425), (187, 411), (123, 352), (116, 345), (117, 346), (118, 347), (36, 266)),
}


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
        float(np.hypot(*(px[IRIS_R[0]] - px[IRIS_R[1]]))) + float(np.hypot(*(px[IRIS_L[0]] - px[IRIS_L[1]])))
    )
    roll = float(np.degrees(np.arctan2(-axis[1], axis[0])))
    return PupilFrame(u=u, depth=depth, ipd_px=ipd, iris_px=iris, roll_deg=roll)
