"""Pose watch: the head outside the operating range (``facefit.signals.pose_range``) stops counting.

Beyond the range the camera no longer sees the far side of the face well enough to measure it, so the
coach says once that the face must turn to the camera (``[pose_range] message`` in ``specs.toml``) and
counts nothing until it does, instead of silently missing reps or inventing them:

- a first-still-second rest outside the range is refused (the engine waits for one inside it; giving up
  on a still second, ``coach/rest.py`` prefers the quietest second inside the range);
- an idle head beyond the range plus ``SET_MARGIN_DEG`` for ``OUTSIDE_S`` seconds holds back rep starts
  until it is back. An exercise whose rep *is* a head tilt is not judged on pitch during the set.

Pure Python, fed by the engine with the absolute head angles (rest plus change from it).
"""

from __future__ import annotations

import math

import numpy as np

from facefit.signals.pose_range import (
    OUTSIDE_S,
    PITCH_LIMIT_DEG,
    SET_MARGIN_DEG,
    YAW_LIMIT_DEG,
    beyond,
    rest_pose_problem,
)


class PoseWatch:
    """State of the pose watch over one set."""

    def __init__(self, *, check_pitch: bool) -> None:
        self.check_pitch = check_pitch
        self._yaw_ok = YAW_LIMIT_DEG + SET_MARGIN_DEG
        self._pitch_ok = PITCH_LIMIT_DEG + SET_MARGIN_DEG if check_pitch else math.inf
        self.outside = False
        self._since: float | None = None
        self.rest_refused = False

    def rest_ok(self, rest: np.ndarray) -> bool:
        """Is a rest (K,) inside the range? (``rest_refused`` remembers a refusal, to say it once.)"""
        return rest_pose_problem(rest) is None

    def watch(self, yaw: float, pitch: float, t_s: float) -> bool:
        """One idle frame's absolute head angles (degrees); True on the frame the head is found outside."""
        if abs(yaw) <= self._yaw_ok and abs(pitch) <= self._pitch_ok:
            # well inside (every idle frame of a set facing the camera): what ``beyond`` says, without
            # its call; NaN and infinite angles fail these comparisons and are left to it
            self._since = None
            self.outside = False
            return False
        if not beyond(yaw, pitch, margin=SET_MARGIN_DEG, check_pitch=self.check_pitch):
            self._since = None
            self.outside = False
            return False
        if self._since is None:
            self._since = t_s
        if not self.outside and t_s - self._since >= OUTSIDE_S:
            self.outside = True
            return True
        return False
