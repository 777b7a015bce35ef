"""Mouth decoupling for a drive the landmarker moves with the lips (spec ``decouple_mouth``).

Talking moves the brow landmarks by -0.07 to +0.01 of the lip opening depending on the face (eval's
talking clips). Per set, the slope of each drive feature on the lip opening is learned from idle frames
by ridge regression towards 0 (``MOUTH_RIDGE``: as if 30 idle frames with a 0.02 IPD opening had shown no
link, so a set with little talking keeps a slope near 0), clipped to ``MOUTH_SLOPE_MAX``, frozen during
a rep, and taken out of the features every frame."""

from __future__ import annotations

from collections.abc import Sequence

from facefit.coach.features import FEATURE_INDEX

MOUTH_RIDGE = 30 * 0.02**2
MOUTH_SLOPE_MAX = 0.15
"""Largest brow-on-mouth slope taken out (measured per face on the eval's talking clips: -0.07..+0.01)."""

_MOUTH = FEATURE_INDEX["mouth_open"]


class MouthDecoupler:
    """Per drive column (in the order given): the running sum of lip opening x column, and the slope."""

    def __init__(self, columns: Sequence[int]) -> None:
        self._cols = list(columns)
        self._xx = 0.0
        self._xy = [0.0] * len(self._cols)
        self._k = [0.0] * len(self._cols)

    def apply(self, f: list[float], *, learn: bool) -> None:
        """Take the lips' share out of ``f``'s drive columns (in place); ``learn`` on idle frames.

        Runs on every frame of a brow press: plain list indexing and comparisons, no calls."""
        x = f[_MOUTH]
        xy, slopes = self._xy, self._k
        if learn:
            self._xx += x * x
            ridge = self._xx + MOUTH_RIDGE
            for j, i in enumerate(self._cols):
                xy[j] += x * f[i]
                k = xy[j] / ridge
                k = k if k < MOUTH_SLOPE_MAX else MOUTH_SLOPE_MAX  # min(MAX, k), NaN giving MAX as min does
                slopes[j] = k if k > -MOUTH_SLOPE_MAX else -MOUTH_SLOPE_MAX  # then max(-MAX, k)
        for j, i in enumerate(self._cols):
            f[i] -= slopes[j] * x
