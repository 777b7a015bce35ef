"""The head-pose operating range: where FaceFit's measurements are validated, and what lies outside it.

The signals are measured in the face's own frame (``signals.compute.face_frame``), but a 2-D camera
still loses the far side of a turned face, and the evaluation (``eval/evaluate.py --wide``) validates
coaching for rest poses within **yaw +/-20 deg and pitch +/-15 deg** of facing the camera, as the
landmarker measures them (``facefit.vision.pose`` signs). Outside that range:

- calibration refuses the rest ("turn to face the camera"), and so does the coach's first-still-second
  rest (it waits for a still second inside the range; when none is still within 5 s it takes the quietest
  second inside the range, ``coach/rest.py``);
- during a set, an idle head more than ``SET_MARGIN_DEG`` beyond the range for ``OUTSIDE_S`` seconds
  makes the coach say once that it needs the face turned to the camera, and no rep starts until the
  head is back inside. Exercises that move the head on purpose (a head tilt drives the rep) are not
  judged on that axis during the set.
"""

from __future__ import annotations

import math

import numpy as np

from facefit.signals.names import SIGNAL_INDEX

YAW_LIMIT_DEG = 20.0
"""Largest rest yaw (either side) the coaching is validated for."""
PITCH_LIMIT_DEG = 15.0
"""Largest rest pitch (camera below or above the eyes) the coaching is validated for."""
SET_MARGIN_DEG = 5.0
"""During a set the idle head may drift this much past the range (sway, a glance) before it counts."""
OUTSIDE_S = 1.0
"""Seconds beyond the range (plus margin) before the coach says so."""

_YAW, _PITCH = SIGNAL_INDEX["head_yaw"], SIGNAL_INDEX["head_pitch"]


def beyond(yaw: float, pitch: float, *, margin: float = 0.0, check_pitch: bool = True) -> bool:
    """True when a pose (degrees) is outside the range widened by ``margin``; unknown (NaN) is inside."""
    if math.isfinite(yaw) and abs(yaw) > YAW_LIMIT_DEG + margin:
        return True
    return check_pitch and math.isfinite(pitch) and abs(pitch) > PITCH_LIMIT_DEG + margin


def rest_pose_problem(values: np.ndarray) -> str | None:
    """Why a (K,) rest is outside the operating range, as a fix the user can follow; None inside it."""
    yaw, pitch = float(values[_YAW]), float(values[_PITCH])
    if math.isfinite(yaw) and abs(yaw) > YAW_LIMIT_DEG:
        side = "left" if yaw > 0 else "right"
        return (f"your head is turned {abs(yaw):.0f} deg to your {side} (up to {YAW_LIMIT_DEG:.0f} works); "
                "turn to face the camera")
    if math.isfinite(pitch) and abs(pitch) > PITCH_LIMIT_DEG:
        where = ("up (or the camera is below your eyes)" if pitch > 0
                 else "down (or the camera is above your eyes)")
        return (f"your head is tilted {abs(pitch):.0f} deg {where}, up to {PITCH_LIMIT_DEG:.0f} works; "
                "bring the camera to eye level and face it")
    return None
