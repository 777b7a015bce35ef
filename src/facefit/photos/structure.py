"""Structure of the eyes, midface and jawline from landmarks: what bone and fat loss are said to change.

Claimed signs of facial ageing that a frontal photo can show: the eye openings get wider and the brows
sit lower on the orbit, the cheekbones (malar fat) descend, the jawline loses its angle and jowls form
below it. Each is measured here in the pupil-line frame of :mod:`facefit.photos.landmarks` (IPD units or
degrees; sides are the person's), so head roll and camera distance do not enter, and every number is
averaged with the mirror image's like the other photo metrics.

What a frontal photo cannot see is measured on what it does: the *bony* orbit is under skin, so the
orbit metrics describe the visible eye opening and its frame (canthi, lids, lower brow edge); the gonial
angle of a skull is a profile angle, so :func:`gonial_angle` is its frontal projection (the angle the
face contour makes below the ear). The malar projection reads MediaPipe's depth, a model estimate, and
is EXPERIMENTAL like the cheek projection.
"""

from __future__ import annotations

import math

import numpy as np

from facefit.photos.landmarks import PupilFrame
from facefit.vision import mesh

SIDES = {"r": "right", "l": "left"}


def _mean(points: np.ndarray, indices: tuple[int, ...]) -> np.ndarray:
    return points[list(indices)].mean(axis=0)


def _direction(points: np.ndarray) -> np.ndarray:
    """Unit direction of the least-squares line through ``points`` (N, 2), pointing from first to last.

    The principal axis of the points' 2x2 scatter matrix, in closed form (the first right singular
    vector of the centred points, without an SVD call: this runs four times a photo)."""
    centred = points - points.mean(axis=0)
    (sxx, sxy), (_, syy) = (centred.T @ centred).tolist()
    angle = 0.5 * math.atan2(2.0 * sxy, sxx - syy)
    direction = np.array([math.cos(angle), math.sin(angle)])
    if float(direction @ (points[-1] - points[0])) < 0:
        direction = -direction
    return direction


def gonial_angle(ramus: np.ndarray, body: np.ndarray) -> float:
    """Angle in degrees between the contour below the ear (fitted line, ear to jaw angle) and the jaw's
    lower border (fitted line, jaw angle to chin): ~180 for a face contour with no angle, smaller for a
    marked jaw angle. Fitted lines, not three points, so one landmark's jitter moves it little."""
    down = _direction(ramus)
    along = _direction(body)
    cos = float(np.clip(-down @ along, -1.0, 1.0))
    return float(np.degrees(np.arccos(cos)))


def jowl_sag(body: np.ndarray) -> float:
    """How far the jaw's lower border bulges below the straight line from the jaw angle to the chin
    (IPD, the largest perpendicular distance; 0 for a straight jawline)."""
    start, end = body[0], body[-1]
    chord = (end - start) / np.linalg.norm(end - start)
    normal = np.array([-chord[1], chord[0]])
    if normal[1] < 0:  # point down the face
        normal = -normal
    return float(max(0.0, float(((body - start) @ normal).max())))


def structure_metrics(frame: PupilFrame) -> dict[str, float]:
    """The structure metrics of one face as seen (no mirror averaging), from its pupil-line frame."""
    u, depth = frame.u, frame.depth
    y = u[:, 1]
    out: dict[str, float] = {
        "midface_height": float(y[mesh.NOSE_BASE] - y[mesh.NOSE_BRIDGE]),
    }
    sides = {
        "r": (
            mesh.CANTHUS_OUTER_R,
            mesh.CANTHUS_INNER_R,
            mesh.BROW_LOWER_R,
            mesh.UPPER_LID_R,
            mesh.LOWER_LID_R,
            mesh.MALAR_R,
            mesh.RAMUS_R,
            mesh.JAW_BODY_R,
            -1.0,
        ),
        "l": (
            mesh.CANTHUS_OUTER_L,
            mesh.CANTHUS_INNER_L,
            mesh.BROW_LOWER_L,
            mesh.UPPER_LID_L,
            mesh.LOWER_LID_L,
            mesh.MALAR_L,
            mesh.RAMUS_L,
            mesh.JAW_BODY_L,
            1.0,
        ),
    }
    for side, (outer, inner, brow, upper, lower, malar, ramus, body, lateral) in sides.items():
        brow_y = float(_mean(u, brow)[1])
        upper_lid = float(y[list(upper[1:-1])].min())  # the highest point of the upper lid margin
        lower_lid = float(y[list(lower[1:-1])].max())  # the lowest point of the lower lid margin
        rise = y[inner] - y[outer]  # outer corner above the inner one: positive tilt
        run = lateral * (u[outer, 0] - u[inner, 0])
        malar_point = _mean(u, malar)
        out[f"orbit_width_{side}"] = float(np.linalg.norm(u[outer] - u[inner]))
        out[f"orbit_height_{side}"] = lower_lid - brow_y
        out[f"canthal_tilt_{side}"] = float(np.degrees(np.arctan2(rise, run)))
        out[f"brow_lid_{side}"] = upper_lid - brow_y
        out[f"malar_height_{side}"] = float(malar_point[1])
        out[f"malar_width_{side}"] = float(lateral * malar_point[0])
        out[f"malar_projection_{side}"] = float(
            0.5 * (depth[outer] + depth[inner]) - depth[list(malar)].mean()
        )
        out[f"gonial_angle_{side}"] = gonial_angle(u[list(ramus)], u[list(body)])
        out[f"jowl_sag_{side}"] = jowl_sag(u[list(body)])
    return out
