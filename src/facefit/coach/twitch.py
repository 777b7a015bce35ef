"""Twitch watch: brief involuntary one-sided movements of a face at rest (a safety stop, not a fault).

A twitch is a jump of one side against the other (mouth corners, or brows with a wider margin: their
landmarks are noisier) lasting at most half a second, with the face quiet for half a second before and
0.4 s after. A blink is two-sided; talking moves the lips and an exercise moves its drive: none counts.
One-sidedness is judged against its own slow baseline, because head sway makes a slow, steady asymmetry
(perspective) while a twitch is a jump away from it. Two twitches within ten seconds stop the set.

Pure Python over the engine's feature rows, fed only while the engine is idle between reps.
"""

from __future__ import annotations

import math

from facefit.coach.features import FEATURE_INDEX

TWITCH_THRESHOLD_IPD = 0.02
TWITCH_BASELINE_TAU_S = 1.0
TWITCH_BROW_THRESHOLD_IPD = 0.04
TWITCH_MAX_S = 0.5
TWITCH_COUNT = 2
TWITCH_QUIET_IPD = 0.012
"""Lips (and 3x this for the jaw) must stay within this of rest for a blip to count as a twitch."""
TWITCH_QUIET_BEFORE_S = 0.5
TWITCH_QUIET_AFTER_S = 0.4
TWITCH_SETTLE_S = 0.5
"""After a rep the face is still settling back to rest (the mouth shape relaxing, the head returning):
no twitch is judged until it has."""
TWITCH_WINDOW_S = 10.0

_F = FEATURE_INDEX
_MOUTH, _JAW = _F["mouth_open"], _F["jaw_open"]
_SMILE_R, _SMILE_L = _F["smile_r"], _F["smile_l"]
_BROW_R, _BROW_L = _F["brow_r"], _F["brow_l"]
_JAW_QUIET_IPD = 3 * TWITCH_QUIET_IPD


class TwitchWatch:
    """State of the twitch watch over one set; ``watch`` says when a set must stop."""

    def __init__(self) -> None:
        self._start: float | None = None
        self._times: list[float] = []
        self._busy_t = -math.inf
        self._pending: float | None = None
        self._base: list[float] | None = None
        self._prev_t: float | None = None

    def rep_started(self) -> None:
        """A rep began: a blip in progress was the movement, not a twitch."""
        self._start = None

    def rep_ended(self, t_end: float) -> None:
        """A rep ended at ``t_end``: the face is busy until it has settled."""
        self._busy_t = max(self._busy_t, t_end + TWITCH_SETTLE_S)

    def watch(self, f: list[float], t_s: float, moving: bool) -> bool:
        """One idle frame's features; ``moving``: the exercise's drive is not at rest. True when this
        frame confirms the TWITCH_COUNT-th twitch within TWITCH_WINDOW_S."""
        if abs(f[_MOUTH]) > TWITCH_QUIET_IPD or abs(f[_JAW]) > _JAW_QUIET_IPD or moving:
            self._busy_t = t_s
            self._start = self._pending = self._base = self._prev_t = None
            return False
        d_smile, d_brow = f[_SMILE_R] - f[_SMILE_L], f[_BROW_R] - f[_BROW_L]
        if self._base is None:
            self._base = [d_smile, d_brow]
        base = self._base
        if abs(d_smile - base[0]) > TWITCH_THRESHOLD_IPD or abs(d_brow - base[1]) > TWITCH_BROW_THRESHOLD_IPD:
            if self._start is None:
                self._start = t_s
                self._pending = None  # a second blip right after the first: not a lone twitch
            return False
        dt = 0.0 if self._prev_t is None else t_s - self._prev_t
        if dt < 0.0:  # a clock that steps back counts as no time (max(dt, 0.0) without the call)
            dt = 0.0
        self._prev_t = t_s
        alpha = 1.0 - math.exp(-dt / TWITCH_BASELINE_TAU_S)
        base[0] += alpha * (d_smile - base[0])
        base[1] += alpha * (d_brow - base[1])
        if self._start is not None:
            start = self._start
            self._start = None
            if t_s - start <= TWITCH_MAX_S and start - self._busy_t >= TWITCH_QUIET_BEFORE_S:
                self._pending = t_s  # confirmed once the face has stayed quiet after it too
            return False
        if self._pending is None or t_s - self._pending < TWITCH_QUIET_AFTER_S:
            return False
        self._pending = None
        self._times = [t for t in self._times if t_s - t <= TWITCH_WINDOW_S] + [t_s]
        return len(self._times) >= TWITCH_COUNT
