"""Ground truth for the line indices: creases of known length and contrast painted into one region.

A real photo rarely comes with a twin that differs by one wrinkle, so the tests (and anyone checking
the indices on their own photo) paint one: ``count`` soft dark curves, each ``length_ipd`` long and
``contrast`` darker at its centre, running the way that region's lines run, spread across the region
as it is placed by :mod:`facefit.photos.lines` on the photo's landmarks. The painter itself is
``facefit.synth.expression_lines.paint_crease`` (the synthetic expression lines use it too).
"""

from __future__ import annotations

import math

import numpy as np

from facefit.photos.lines import REGIONS_BY_NAME, region_polygons
from facefit.synth.expression_lines import LINE_WIDTH_IPD, paint_crease
from facefit.vision import mesh


def _axis(region: str, points: np.ndarray) -> np.ndarray:
    """Unit direction the region's lines run in (image pixels)."""
    right, left = points[mesh.PUPIL_R], points[mesh.PUPIL_L]
    ex = (left - right) / np.linalg.norm(left - right)
    ey = np.array([-ex[1], ex[0]])
    axis = REGIONS_BY_NAME[region].axis
    if axis == "across":
        return ex
    if axis is None or axis == "down":
        return ey
    start, end = axis
    vector = points[list(end)].mean(axis=0) - points[list(start)].mean(axis=0)
    return vector / np.linalg.norm(vector)


SPACING_IPD = 0.12
"""Parallel painted creases are this far apart (~8 mm), so the filter sees them as separate lines."""


def _chord(polygon: np.ndarray, through: np.ndarray, direction: np.ndarray) -> tuple[float, float]:
    """Where the line ``through + s * direction`` enters and leaves ``polygon``: (s_min, s_max)."""
    hits = []
    for a, b in zip(polygon, np.roll(polygon, -1, axis=0), strict=True):
        edge = b - a
        matrix = np.array([direction, -edge]).T
        if abs(np.linalg.det(matrix)) < 1e-9:
            continue
        s, t = np.linalg.solve(matrix, a - through)
        if 0.0 <= t <= 1.0:
            hits.append(float(s))
    return (min(hits), max(hits)) if len(hits) >= 2 else (0.0, 0.0)


def paint_region_creases(
    rgb: np.ndarray,
    landmarks: np.ndarray,
    region: str,
    *,
    length_ipd: float,
    contrast: float,
    width_ipd: float = LINE_WIDTH_IPD,
) -> tuple[np.ndarray, float]:
    """A copy of ``rgb`` with creases of total length ``length_ipd`` painted in ``region`` (normalised
    (478, 2+) ``landmarks``), and the length actually painted (IPD units).

    The creases run along the region's line direction through its middle, each at most 80% of the
    region's extent that way; a longer total is split over parallel creases :data:`SPACING_IPD` apart,
    as many as fit across the region (beyond that the total is capped).
    """
    height, width = rgb.shape[:2]
    points = np.asarray(landmarks, dtype=np.float64)[:, :2] * np.array([width, height])
    ipd = float(np.linalg.norm(points[mesh.PUPIL_L] - points[mesh.PUPIL_R]))
    polygon = region_polygons(points)[region][0]
    axis = _axis(region, points)
    normal = np.array([-axis[1], axis[0]])
    along = polygon @ axis
    middle = 0.5 * (float(along.min()) + float(along.max()))
    low, high = _chord(polygon, middle * axis, normal)  # the region across its middle (it may be an arch)
    centre = middle * axis + 0.5 * (low + high) * normal
    reach = float(min(middle - along.min(), along.max() - middle))
    longest = 1.6 * reach / ipd
    room = int(0.6 * (high - low) / ipd / SPACING_IPD) + 1
    count = min(max(1, math.ceil(length_ipd / longest)), room) if length_ipd > 0 else 0
    each = min(length_ipd / count, longest) if count else 0.0
    out = rgb.copy()
    painted = 0.0
    for k in range(count):
        offset = (k - 0.5 * (count - 1)) * SPACING_IPD * ipd
        t = np.linspace(-1.0, 1.0, 25)[:, None]
        curve = centre + offset * normal + t * 0.5 * each * ipd * axis + (1.0 - t**2) * 0.02 * ipd * normal
        painted += paint_crease(out, curve, contrast, width_ipd * ipd)
    return out, painted / ipd
