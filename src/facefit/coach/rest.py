"""First-still-second calibration: when no stored rest exists, the first still second of the stream is it.

"Still" is :func:`facefit.signals.stillness.motion` <= 1 over one second (the one definition the
calibration uses too), so talking, a smile or head movement at the start is not taken as rest. If no
still second shows up within ``give_up_s``, the quietest second seen so far is used, and the engine
says so; a quiet second whose head pose is inside the operating range (``signals.pose_range``) is
preferred to a quieter one outside it.
"""

from __future__ import annotations

import warnings

import numpy as np

from facefit.signals.names import SIGNAL_INDEX
from facefit.signals.pose_range import beyond
from facefit.signals.stillness import STILL_COLUMNS, STILL_WINDOW_S, jitter, lag_frames, motion

NOISY_CAMERA_LIMIT = 4.0
"""A stretch whose movement is all frame-to-frame jitter counts as still up to this many times the still
tolerance. In low light or heavy compression the landmarks jitter 1.2-2.5x the tolerance on a face at
rest, so no second was still, and the quietest second after ``give_up_s`` was often a hold: every rep
was then measured from the wrong zero (seed 4001 of the wide evaluation, ``eval/README.md``). A dark room
at 30 fps reaches 2.8-3.3x (seed 4104's biden): under a 2.5x limit its lead rest never passed, and the
first second that did was a chin-down hold, whose jitter happened to be lower. Talking or a smile moves
the mouth far more than its frame-to-frame steps explain (NOISE_MARGIN), so they still do not pass; on
the tuning seeds (4001, 4101-4104, 2033, 2034) the limit changed which rest was found only on noisy
clips, and no rest found by this rule overlapped a rep or talking more often at 4x than at 2.5x."""
NOISE_MARGIN = 1.25
"""... and only while its movement is within this factor of its own jitter (a slow drift on top of the
jitter is movement)."""

JITTER_MIN_FRAMES = 10
"""... and only over a second of at least this many frames: the median of a few steps (a stream that
starts slowly) is no measure of a camera's noise, and a lift in two big steps would pass as jitter."""

SPAN_SLACK_S = 0.05
"""A stretch of frames spanning this much less than ``window_s`` is a second (a 15 fps camera's second
holds 15 frame steps, 0.93-1.0 s with its jitter)."""
MAX_SPAN_FACTOR = 2.0
"""... and no stretch judged is longer than this many ``window_s``: after a longer gap (no face, a stalled
camera) the frames either side of it say nothing about the face in between; the next full second is
waited for."""


_YAW, _PITCH = SIGNAL_INDEX["head_yaw"], SIGNAL_INDEX["head_pitch"]


class RestFinder:
    """Feed frames with :meth:`push`; it returns the rest vector (K,) once a still second is found."""

    def __init__(self, *, window_s: float = STILL_WINDOW_S, give_up_s: float = 5.0,
                 smoothed: bool = False) -> None:
        """``smoothed``: the landmarks come smoothed over time (``coach.engine.Engine``), so a noisy
        camera's jitter is read from frames NOISE_LAG_S apart (signals/stillness.py)."""
        if window_s <= 0 or give_up_s < window_s:
            raise ValueError(f"need 0 < window_s <= give_up_s, got {window_s}, {give_up_s}")
        self.window_s = window_s
        self.give_up_s = give_up_s
        self.smoothed = smoothed
        self.reset()

    def reset(self) -> None:
        self._t: list[float] = []
        self._rows: list[np.ndarray] = []
        self._first_t: float | None = None
        self._best: tuple[float, np.ndarray] | None = None
        self._best_inside: tuple[float, np.ndarray] | None = None
        self.rest: np.ndarray | None = None
        self.rows: np.ndarray | None = None
        self.still = False
        self.window: tuple[float, float] | None = None

    def push(self, values: np.ndarray, t_s: float) -> np.ndarray | None:
        """Add one frame (skipped when it has no face); the rest once found, else None."""
        if self.rest is not None:
            return self.rest
        if not np.isfinite(values[STILL_COLUMNS]).all():
            return None
        if self._first_t is None:
            self._first_t = t_s
        self._t.append(t_s)
        self._rows.append(values)
        # The frames of the last second; when they span less than a second (a slow or uneven camera: at
        # 3-5 frames a second the last second's frames rarely span 0.95-1.0 s), also the one frame before
        # them, so a stretch of at least a second is judged at every frame (up to MAX_SPAN_FACTOR seconds).
        # At a steady 15 or 30 fps the last second spans a second and nothing changes.
        longest = MAX_SPAN_FACTOR * self.window_s
        while t_s - self._t[0] > self.window_s + 1e-9 and (
                t_s - self._t[1] >= self.window_s - SPAN_SLACK_S or t_s - self._t[0] > longest):
            self._t.pop(0)
            self._rows.pop(0)
        if self.window_s - SPAN_SLACK_S <= t_s - self._t[0] <= longest:
            block = np.asarray(self._rows)
            score = motion(block)[0]
            if self._best is None or score < self._best[0]:
                self._best = (score, block)  # its median is taken once, when it is settled on
            if score <= 1.0:
                self.still = True
                return self._settle(self._best[1], self._t[0], t_s)
            # A noisy second settles on itself, not on the quietest stretch seen before it: that one was
            # not still, and when the face is found on few frames it looks quietest only because a few
            # frames spread less (seed 4104: a zero from 9 frames whose head pitch jittered 6 deg gave a
            # distractor clip a false neck-tightener rep).
            if (score <= NOISY_CAMERA_LIMIT and len(block) >= JITTER_MIN_FRAMES
                    and score <= NOISE_MARGIN * jitter(block, self.noise_lag(len(block), t_s - self._t[0]))):
                self.still = True
                return self._settle(block, self._t[0], t_s)
            # (after the two checks above, so a stream that settles at once never takes the pose's median)
            if (self._best_inside is None or score < self._best_inside[0]) and _pose_inside(block):
                self._best_inside = (score, block)
        if self._best is not None and t_s - self._first_t >= self.give_up_s:
            # The quietest second inside the operating range, if there was one: through a camera too noisy
            # for any still second, the quietest one can be a hold, and a head-back hold lies outside the
            # range. Settling on it refused the rest, said "face the camera" to a person facing it, and
            # lost the set's first rep while the next rest was waited for (seed 4108's pyfeat_beard,
            # 1280x720: a jawline-definition hold at 23 deg of pitch, 2 of 3 counted). Only when no second
            # was inside (a person who sits turned away) is the quietest refused, as before.
            chosen = self._best_inside or self._best
            return self._settle(chosen[1], self._t[0], t_s)
        return None

    def noise_lag(self, frames: int, span_s: float) -> int:
        """How many frames apart a stretch of ``frames`` spanning ``span_s`` seconds has its noise read: 1
        (neighbours) unless the landmarks are smoothed (signals/stillness.py NOISE_LAG_S). The rest search
        and the engine's thresholds from the rest second (coach/engine.py) both ask this."""
        return lag_frames(frames, span_s) if self.smoothed else 1

    def _settle(self, rows: np.ndarray, start: float, end: float) -> np.ndarray:
        rest = column_medians(rows)
        self.rest = rest
        self.rows = rows
        self.window = (start, end)
        self._t, self._rows = [], []
        return rest


def _pose_inside(block: np.ndarray) -> bool:
    """Is a stretch's median head pose inside the operating range (unknown pose counts as inside)?"""
    with warnings.catch_warnings():  # an angle missing on every frame is NaN: unknown, so inside
        warnings.simplefilter("ignore", RuntimeWarning)
        yaw, pitch = column_medians(block[:, [_YAW, _PITCH]])
    return not beyond(float(yaw), float(pitch))


def column_medians(rows: np.ndarray) -> np.ndarray:
    """``np.nanmedian(rows, axis=0)``. For the usual NaN-free rows that is ``np.median``'s answer (the
    middle value, or the two middle values' sum halved, in both; checked bit for bit in
    tests/coach/test_rest_median.py), computed as np.median computes it without its wrapper: ~15 us for
    a second of rows, against ~70 us for np.median and ~430 us for nanmedian (masked arrays). Every live
    stream takes it once, and hundreds of streams may start in the same second (issue 18's load
    benchmark)."""
    if np.isnan(rows).any() or not len(rows):
        return np.nanmedian(rows, axis=0)
    # np.median(rows, axis=0) without its wrapper (~70 -> ~15 us for a second of rows): its own
    # partition call (the same kth), then the middle row, or the two middle rows' sum halved, as its
    # mean of them computes it: a sum that starts from +0.0 (so a -0.0 in the middle gives +0.0, as in
    # np.median), divided by the count.
    half = len(rows) // 2
    if len(rows) % 2:
        return np.partition(rows, [half, -1], axis=0)[half] + 0.0
    part = np.partition(rows, [half - 1, half, -1], axis=0)
    return (0.0 + part[half - 1] + part[half]) / 2
