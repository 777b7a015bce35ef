"""Twitch watch: brief involuntary one-sided movements of a face at rest (a safety stop, not a fault).

A twitch is a jump of one side against the other (mouth corners, or brows with a wider margin: their
landmarks are noisier) lasting at most half a second and coming back to where it started, with the face
quiet for half a second before and 0.4 s after. The jump must clear a fixed floor and 5x the camera's own
jitter of that difference (measured over the rest second and followed while idle), so a dark or compressed
webcam's noise is not taken for twitches. A blink is two-sided (and the engine tells the watch about it);
talking moves the lips and an exercise moves its drive: none counts. One-sidedness is judged against its
own slow baseline, because head sway makes a slow, steady asymmetry (perspective) while a twitch is a jump
away from it. Two twitches within ten seconds stop the set.

Pure Python over the engine's feature rows, fed only while the engine is idle between reps.
"""

from __future__ import annotations

import math

from facefit.coach.features import FEATURE_INDEX

TWITCH_THRESHOLD_IPD = 0.015
TWITCH_BROW_THRESHOLD_IPD = 0.04
TWITCH_NOISE_K = 5.0
"""A blip is a jump of one side against the other of at least the threshold (mouth corners 0.015 IPD, brows
0.04) and of ``TWITCH_NOISE_K`` x that difference's per-frame noise SD over the rest second
(:meth:`TwitchWatch.set_noise`). Through a clean camera the mouth corners' difference jitters ~0.001-0.002
IPD and a half-strength synthetic twitch jumps 0.015-0.036 (the fixed 0.02 missed the smaller ones); in low
light it jitters up to ~0.008 and the fixed step stopped sets for twitches that were noise (wide seed 4001,
eval/README.md). At 5 SD a still face's noise passes once in ~1.7 million frames."""
TWITCH_TURNED_SHARE = 0.6
"""With the rest turned (the engine's TURNED_YAW_DEG, 10 deg, or more) the mouth corners' fixed floor is this
share of TWITCH_THRESHOLD_IPD (0.009 IPD); the noise rule is unchanged. The landmarker reads a turned face's
far side low (symmetric smiles at 15 deg of yaw read 54-98% even): tuning seed 4108's astronaut at yaw
-14.7, 320x240, had its far corner's half-strength twitches read 0.009-0.013 IPD against the near corner's
0.032-0.035; one near twitch fell in the settling after a rep, the far ones under 0.015, and the set was not
stopped. Lowering the floor (0.012 and 0.009 tried) stopped no other set of tuning seeds 4107/4108 (152
clips, 20 distractors)."""
TWITCH_NOISE_TAU_S = 5.0
TWITCH_STEP_MAX_DT_S = 0.2
"""The noise is also followed while the face is idle: a running mean (time constant 5 s) of the
differences' absolute frame-to-frame steps between quiet frames at most 0.2 s apart; the larger of it and
the rest second's estimate counts. One rest second underestimated a compressed 30 fps clip's later
jitter by a third (wide seed 4001: a set stopped for two "twitches" of 0.016-0.018 IPD that were noise)."""
_STEP_PER_SD = 2.0 / math.sqrt(math.pi)
"""Mean absolute step of white noise per SD (sqrt(2) x sqrt(2/pi))."""
_K_PER_MEAN_STEP = TWITCH_NOISE_K / _STEP_PER_SD
TWITCH_RETURN_SHARE = 0.5
"""... and it ends only when the difference is back within this share of the threshold of where it was: a
head starting to move steps the difference by a threshold and leaves it half-way there (perspective),
which is no twitch (wide seed 4001, a neck tightener at 30 fps)."""
TWITCH_BASELINE_TAU_S = 1.0
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

    def __init__(self, *, turned: bool = False) -> None:
        """``turned``: the set's rest is turned TURNED_YAW_DEG or more (a stored calibration's rest is known
        from the start; a first-still-second rest tells :meth:`set_turned` once it is found)."""
        self._start: float | None = None
        self._times: list[float] = []
        self._busy_t = -math.inf
        self._pending: float | None = None
        self._base: list[float] | None = None
        self._prev_t: float | None = None
        self._turned = turned
        self._smile_sd = 0.0
        self._brow_floor = self._brow_step = TWITCH_BROW_THRESHOLD_IPD
        self._set_smile_floor()
        self._smile_mean = self._brow_mean = 0.0  # running mean |frame step| of the differences while idle
        self._last_t: float | None = None  # the previous quiet idle frame: its time and differences
        self._last_smile = self._last_brow = 0.0

    def _set_smile_floor(self) -> None:
        """The mouth corners' blip threshold from the turn and the noise known now: the larger of the fixed
        floor (TWITCH_THRESHOLD_IPD, lowered when the rest is turned) and TWITCH_NOISE_K x the noise SD."""
        fixed = TWITCH_THRESHOLD_IPD * (TWITCH_TURNED_SHARE if self._turned else 1.0)
        self._smile_floor = self._smile_step = max(fixed, TWITCH_NOISE_K * self._smile_sd)

    def set_turned(self, turned: bool) -> None:
        """Whether the rest just found is turned (see ``__init__``), told before any idle frame is watched;
        the noise rule is kept."""
        self._turned = turned
        self._set_smile_floor()

    def set_noise(self, smile_sd: float, brow_sd: float) -> None:
        """The per-frame noise SD of the right-minus-left mouth-corner and brow differences at rest: each
        blip threshold becomes at least ``TWITCH_NOISE_K`` times it (module docstring)."""
        self._smile_sd = smile_sd
        self._set_smile_floor()
        self._brow_floor = self._brow_step = max(TWITCH_BROW_THRESHOLD_IPD, TWITCH_NOISE_K * brow_sd)
        self._smile_mean, self._brow_mean = _STEP_PER_SD * smile_sd, _STEP_PER_SD * brow_sd

    def rest_changed(self) -> None:
        """The set's rest is being learned again: a blip in progress was measured from the old one. Confirmed
        twitches are kept (they happened); the noise and turn are told again with the new rest."""
        self._start = self._pending = self._base = self._prev_t = self._last_t = None

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
            self._start = self._pending = self._base = self._prev_t = self._last_t = None
            return False
        d_smile, d_brow = f[_SMILE_R] - f[_SMILE_L], f[_BROW_R] - f[_BROW_L]
        # Follow the differences' frame-to-frame jitter while idle (TWITCH_NOISE_TAU_S): the rest second is a
        # second's worth of frames, and compression noise changes with the face. Inline plain float
        # arithmetic (a first-order step for the exponential: dt is a frame, tau 5 s): every idle frame.
        last_t = self._last_t
        if last_t is not None and 0.0 < t_s - last_t <= TWITCH_STEP_MAX_DT_S:
            alpha = (t_s - last_t) / TWITCH_NOISE_TAU_S
            step = d_smile - self._last_smile
            self._smile_mean += alpha * ((step if step >= 0.0 else -step) - self._smile_mean)
            step = d_brow - self._last_brow
            self._brow_mean += alpha * ((step if step >= 0.0 else -step) - self._brow_mean)
            step = _K_PER_MEAN_STEP * self._smile_mean
            self._smile_step = step if step > self._smile_floor else self._smile_floor
            step = _K_PER_MEAN_STEP * self._brow_mean
            self._brow_step = step if step > self._brow_floor else self._brow_floor
        self._last_t, self._last_smile, self._last_brow = t_s, d_smile, d_brow
        if self._base is None:
            self._base = [d_smile, d_brow]
        base = self._base
        if abs(d_smile - base[0]) > self._smile_step or abs(d_brow - base[1]) > self._brow_step:
            if self._start is None:
                self._start = t_s
                self._pending = None  # a second blip right after the first: not a lone twitch
            return False
        if self._start is not None and (abs(d_smile - base[0]) > TWITCH_RETURN_SHARE * self._smile_step
                                        or abs(d_brow - base[1]) > TWITCH_RETURN_SHARE * self._brow_step):
            if t_s - self._start <= TWITCH_MAX_S:
                return False  # not back yet: a twitch returns to where it came from
            self._start = None  # it stayed away: a step (the head or face settling), not a twitch
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
