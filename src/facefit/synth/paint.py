"""What a warp cannot invent: the dark mouth interior when the lips part, a light band of teeth.

Stretching a closed mouth opens a gap filled with smeared lip texture; real open mouths are dark inside,
and the model reads that darkness. The interior is the polygon of the inner lip contour at its
destination; teeth are a band hanging from the upper inner lip, clipped to that polygon.
"""

from __future__ import annotations

import numpy as np

from facefit.vision.mesh import LIP_INNER_LOWER, LIP_INNER_UPPER, LOWER_INNER_LIP, UPPER_INNER_LIP

INTERIOR_RGB = np.array([42, 16, 20], dtype=np.float32)
TEETH_RGB = np.array([226, 222, 208], dtype=np.float32)
TEETH_DEPTH = 0.6  # share of the opening covered by the upper teeth when fully shown


def paint_mouth(frame: np.ndarray, points: np.ndarray, teeth: float, rest_opening: float = 0.0) -> None:
    """Paint the open mouth in place; ``points`` are destination (478, 2) pixel positions.

    Darkness grows with the opening beyond ``rest_opening`` (px the photo's own lips are already apart):
    a photo that already shows teeth keeps them for small openings instead of turning them black.
    """
    import cv2

    upper = points[list(UPPER_INNER_LIP)]
    lower = points[list(LOWER_INNER_LIP)]
    opening = float(np.linalg.norm(points[LIP_INNER_LOWER] - points[LIP_INNER_UPPER])) - rest_opening
    alpha = float(np.clip((opening - 1.0) / 3.0, 0.0, 1.0))
    if alpha <= 0.0:
        return
    polygon = np.concatenate([upper, lower[::-1][1:-1]])
    x0, y0 = np.floor(polygon.min(axis=0)).astype(int) - 3
    x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + 4
    height, width = frame.shape[:2]
    x0, y0, x1, y1 = max(x0, 0), max(y0, 0), min(x1, width), min(y1, height)
    if x1 <= x0 or y1 <= y0:
        return
    shift = 4  # fixed-point subpixel polygons
    offset = np.array([x0, y0])
    mask = np.zeros((y1 - y0, x1 - x0), dtype=np.uint8)
    cv2.fillPoly(mask, [np.round((polygon - offset) * 2**shift).astype(np.int32)], 255, cv2.LINE_AA, shift)
    interior = mask.astype(np.float32) / 255.0
    roi = frame[y0:y1, x0:x1].astype(np.float32)
    colour = np.broadcast_to(INTERIOR_RGB, roi.shape).copy()
    if teeth > 0:
        depth = TEETH_DEPTH * (lower - upper)
        band = np.concatenate([upper, (upper + depth)[::-1]])
        band_mask = np.zeros_like(mask)
        band_px = np.round((band - offset) * 2**shift).astype(np.int32)
        cv2.fillPoly(band_mask, [band_px], 255, cv2.LINE_AA, shift)
        weight = (band_mask.astype(np.float32) / 255.0 * min(teeth, 1.0))[..., None]
        colour = colour * (1 - weight) + TEETH_RGB * weight
    weight = cv2.GaussianBlur(interior, (3, 3), 0)[..., None] * alpha
    frame[y0:y1, x0:x1] = np.clip(roi * (1 - weight) + colour * weight, 0, 255).astype(np.uint8)
