"""Expression lines a warp cannot make: forehead furrows of a brow raise, frown lines of a frown.

Raising the brows (frontalis) folds the forehead skin into horizontal furrows; drawing them down and
together (corrugator) folds the skin between the brows into vertical lines. A landmark warp moves the
skin but cannot fold it, just as it cannot open a dark mouth (``facefit.synth.paint``), so the folds
are painted: soft dark curves whose contrast grows with the expression's strength, placed from the
posed landmarks in the face's own axes. They exist so the photo line indices can be checked on a face
whose dynamic lines are known (``facefit.photos.lines``); exercise clips do not use them.

:func:`paint_crease` is also the ground truth for painted creases of known length and contrast
(``facefit.photos.perturb.paint_region_creases``).
"""

from __future__ import annotations

import numpy as np

from facefit.synth.face import PreparedFace
from facefit.synth.poses import FaceRig, PoseState
from facefit.synth.warp import Warper
from facefit.vision import mesh

FOREHEAD_LINES = 3
"""Furrows of a full brow raise, spread between the brows and the top of the forehead ..."""
RAISE_CONTRAST = 0.22
"""... each up to 22% darker at its centre at full strength ..."""
FIRST_FURROW_IPD = 0.14
FURROW_SPACING_IPD = 0.12
"""... the lowest 0.14 IPD above the mean upper brow edge, the others 0.12 IPD (~8 mm) apart."""
FROWN_LINES = 2
FROWN_CONTRAST = 0.25
LINE_WIDTH_IPD = 0.018
"""Gaussian half-width of a painted crease (~1.1 mm at a 63 mm IPD)."""


def paint_crease(frame: np.ndarray, polyline: np.ndarray, contrast: float, width_px: float) -> float:
    """Darken ``frame`` (RGB uint8, in place) along ``polyline`` (N, 2 px): a crease of Gaussian
    cross-profile, ``contrast`` darker at its centre line. Returns the painted length in pixels."""
    import cv2

    points = np.asarray(polyline, dtype=np.float64)
    if len(points) < 2 or contrast <= 0:
        return 0.0
    height, width = frame.shape[:2]
    margin = 4.0 * width_px + 2.0
    x0, y0 = np.maximum(np.floor(points.min(axis=0) - margin).astype(int), 0)
    x1, y1 = np.minimum(np.ceil(points.max(axis=0) + margin).astype(int) + 1, [width, height])
    if x1 <= x0 or y1 <= y0:
        return 0.0
    shift = 4  # sub-pixel line positions
    line = np.full((y1 - y0, x1 - x0), 255, dtype=np.uint8)
    fixed = np.round((points - [x0, y0]) * 2**shift).astype(np.int32)
    cv2.polylines(line, [fixed], False, 0, 1, cv2.LINE_8, shift)
    distance = cv2.distanceTransform(line, cv2.DIST_L2, 5)
    shade = 1.0 - contrast * np.exp(-0.5 * (distance / width_px) ** 2)
    roi = frame[y0:y1, x0:x1].astype(np.float32)
    frame[y0:y1, x0:x1] = np.clip(roi * shade[..., None], 0, 255).astype(np.uint8)
    return float(np.linalg.norm(np.diff(points, axis=0), axis=1).sum())


def _arc(
    centre: np.ndarray, along: np.ndarray, bow: np.ndarray, half_length: float, sag: float
) -> np.ndarray:
    """A gentle arc: ``half_length`` each way along ``along`` from ``centre``, bowed ``sag`` along ``bow``."""
    t = np.linspace(-1.0, 1.0, 25)[:, None]
    return centre + t * half_length * along + (1.0 - t**2) * sag * bow


def expression_polylines(points: np.ndarray, state: PoseState) -> list[tuple[np.ndarray, float]]:
    """The creases an expression makes on posed landmarks ``points`` (478, 2 px): (polyline, contrast)."""
    right, left = points[mesh.PUPIL_R], points[mesh.PUPIL_L]
    ipd = float(np.linalg.norm(left - right))
    ex = (left - right) / ipd
    ey = np.array([-ex[1], ex[0]])
    if float((points[mesh.CHIN] - right) @ ey) < 0:
        ey = -ey
    out: list[tuple[np.ndarray, float]] = []
    raise_ = max(0.0, 0.5 * (state.brow_r + state.brow_l))
    if raise_ > 0:
        brow_top = points[list(mesh.BROW_TOP_R + mesh.BROW_TOP_L)].mean(axis=0)
        for k in range(FOREHEAD_LINES):
            centre = brow_top - ey * ipd * (FIRST_FURROW_IPD + FURROW_SPACING_IPD * k)
            line = _arc(centre, ex, -ey, ipd * (0.5 - 0.05 * k), 0.04 * ipd)
            out.append((line, RAISE_CONTRAST * raise_))
    if state.frown > 0:
        inner_r, inner_l = points[mesh.BROW_TOP_R[-1]], points[mesh.BROW_TOP_L[-1]]
        middle = 0.5 * (inner_r + inner_l)
        gap = float((inner_l - inner_r) @ ex)
        for side in (-1.0, 1.0):
            for k in range(FROWN_LINES):
                offset = side * (0.12 + 0.2 * k) * 0.5 * gap
                centre = middle + ex * offset + ey * 0.02 * ipd
                line = _arc(centre, ey, ex * side, 0.12 * ipd, 0.01 * ipd)
                out.append((line, FROWN_CONTRAST * state.frown * (1.0 - 0.3 * k)))
    return out


def render_pose(
    face: PreparedFace, state: PoseState, *, expression_lines: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """One frame of ``face`` in ``state`` (RGB uint8) and where its landmarks are drawn (478, 2 px),
    with the expression's creases painted unless ``expression_lines`` is False."""
    warper = Warper(FaceRig(face), face.size)
    backward, destination = warper.map_for(state)
    frame = warper.warp(face.rgb, backward)
    if expression_lines:
        width = LINE_WIDTH_IPD * face.ipd
        for polyline, contrast in expression_polylines(destination, state):
            paint_crease(frame, polyline, contrast, width)
    return frame, destination
