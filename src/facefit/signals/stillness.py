"""One definition of a still face, used wherever a rest is taken from frames.

A face is *still* over a stretch of frames (about a second) when every stillness signal's 5th-to-95th
percentile range stays within its tolerance: 0.03 IPD for the face geometry (0.09 for mouth roundness,
a ratio of two small distances that is about three times noisier) and 3 degrees for head pitch, yaw and
roll. Both the calibration (``signals.calibration.find_still_window``) and the coach's first-still-second
rest (``coach.rest.RestFinder``) ask :func:`motion` and call a stretch still when it returns <= 1.

Why these numbers: they are the ones the coaching engine was tuned with on the evaluation's noisy clips
(pixel noise and camera shake up to 0.6, where the first still second is found in every clip), and the
geometry is read from signals a glance or a blink does not move (``brow_lift_*`` from the eye corners,
not the pupil-based ``brow_height_*``). The calibration used looser limits before (4 degrees, 0.05 IPD on
pupil-based brow heights): a rest that moves more than the coach's own rest would, baked into the user's
zero, is exactly what calibration is meant to keep out.

The coach's first-still-second rest is the one place that also asks :func:`jitter`: through a noisy
camera no second of a face at rest is "still" by these tolerances, and that rest is only for the set at
hand (``coach/rest.py``). A stored calibration is reused for weeks and keeps the strict rule.
"""

from __future__ import annotations

import warnings

import numpy as np

from facefit.signals.names import SIGNAL_INDEX

STILLNESS_SIGNALS: tuple[str, ...] = (
    "brow_lift_r", "brow_lift_l", "mouth_corner_lift_r", "mouth_corner_lift_l", "mouth_opening",
    "mouth_width", "mouth_roundness", "jaw_forward",
)
"""Face geometry whose stillness defines "at rest" (IPD units)."""
STILL_TOLERANCE_IPD = 0.03
"""Largest 5th-95th percentile range of a stillness signal over a still second, IPD."""
STILL_TOLERANCE_OVERRIDES: dict[str, float] = {"mouth_roundness": 0.09}
STILL_POSE_SIGNALS: tuple[str, ...] = ("head_pitch", "head_yaw", "head_roll")
STILL_TOLERANCE_DEG = 3.0
"""Largest 5th-95th percentile range of head pitch, yaw and roll over a still second, degrees."""
STILL_WINDOW_S = 1.0
"""How long a face must be still to give a rest."""

STILL_COLUMNS = np.array([SIGNAL_INDEX[name] for name in STILLNESS_SIGNALS])
POSE_COLUMNS = np.array([SIGNAL_INDEX[name] for name in STILL_POSE_SIGNALS])
_GEOMETRY_LIMITS = np.array(
    [STILL_TOLERANCE_OVERRIDES.get(name, STILL_TOLERANCE_IPD) for name in STILLNESS_SIGNALS]
)
_MOTION_COLUMNS = np.concatenate([STILL_COLUMNS, POSE_COLUMNS])
_N_GEOMETRY = len(STILL_COLUMNS)


def spread(block: np.ndarray) -> np.ndarray:
    """5th-95th percentile range per column (one noisy frame does not make a still face "moving").

    Runs on every frame of every stream until rest is found (hundreds of live streams may be searching
    at once), so the NaN-free case sorts once and interpolates like numpy's default "linear" method
    instead of calling ``nanpercentile`` (~10x slower for a 30-row block).
    """
    if np.isnan(block).any():
        with warnings.catch_warnings():  # an all-NaN column (no head pose) is NaN, said by the caller
            warnings.simplefilter("ignore", RuntimeWarning)
            low, high = np.nanpercentile(block, [5, 95], axis=0)
        return high - low
    ordered = np.sort(block, axis=0)
    return _quantile_of_sorted(ordered, 0.95) - _quantile_of_sorted(ordered, 0.05)


def _quantile_of_sorted(ordered: np.ndarray, q: float) -> np.ndarray:
    """Quantile ``q`` of each column of NaN-free rows sorted along axis 0 (numpy's "linear" method)."""
    last = len(ordered) - 1
    position = q * last
    below = int(np.floor(position))
    above = min(below + 1, last)
    return ordered[below] + (position - below) * (ordered[above] - ordered[below])


def motion(block: np.ndarray) -> tuple[float, str]:
    """How much a stretch of (N, K) signal rows moves, as a multiple of the still tolerance (<= 1 is still),
    and the signal that moved most. Missing head pose (NaN) counts as still; missing geometry is the
    caller's to skip (a frame without a face is not a still one).

    Every live stream calls this for every frame until its rest is found, and hundreds of streams start
    together (issue 18's load benchmark: 500 in the same second). So the usual NaN-free block has both
    column groups sorted in one call and their quantiles taken once, with ``nan_to_num`` only for a
    non-finite result: the same numbers as :func:`spread` on each group (the sort is per column, the
    interpolation per element), at about half the cost; any NaN takes :func:`spread` as before."""
    both = block[:, _MOTION_COLUMNS]
    if len(both) and not np.isnan(both).any():
        ordered = np.sort(both, axis=0)
        ranges = _quantile_of_sorted(ordered, 0.95) - _quantile_of_sorted(ordered, 0.05)
        geometry, pose = ranges[:_N_GEOMETRY] / _GEOMETRY_LIMITS, ranges[_N_GEOMETRY:]
        if not (np.isfinite(geometry).all() and np.isfinite(pose).all()):  # infinite input
            geometry, pose = np.nan_to_num(geometry), np.nan_to_num(pose)
        pose = pose / STILL_TOLERANCE_DEG
    else:
        geometry = np.nan_to_num(spread(block[:, STILL_COLUMNS]) / _GEOMETRY_LIMITS)
        pose = np.nan_to_num(spread(block[:, POSE_COLUMNS])) / STILL_TOLERANCE_DEG
    g, p = int(np.argmax(geometry)), int(np.argmax(pose))
    if pose[p] > geometry[g]:
        return float(pose[p]), STILL_POSE_SIGNALS[p]
    return float(geometry[g]), STILLNESS_SIGNALS[g]


MEDIAN_STEP_PER_SD = 0.6745 * 2 ** 0.5
"""Median absolute frame-to-frame step of white noise per SD (a step of two independent draws has SD
sqrt(2) sigma, and a normal variable's median absolute value is 0.6745 of its SD)."""
NOISE_SPREAD_PER_STEP = 3.29 / MEDIAN_STEP_PER_SD
"""5th-95th percentile range of white noise per median absolute frame-to-frame step (a normal variable's
range is 3.29 sigma)."""
NOISE_LAG_S = 0.2
"""For smoothed landmarks the noise estimates below also read steps between frames this far apart (their
``lag``), not only neighbouring frames. MediaPipe's video graph smooths the landmarks of a face it tracks
alone (a velocity-adaptive low-pass filter; the browser's ``face_model.js`` asks for one face), so
neighbouring frames share most of their noise: their steps read a third to a half of the level's wander,
a face at rest through a compressed or dark camera was never judged still and its first still second was
a hold (tuning seed 4108 landmarked with one face tracked, eval/README.md). Steps 0.2 s apart have shared
little of it; for white noise (each frame's own) any lag reads the same. Only for smoothed landmarks
(``coach.engine.Engine(smoothed=True)``): a clean oscillation of ~1 Hz reads as noise at this lag too, so
unsmoothed landmarks keep the neighbouring steps, and the calibration keeps the strict rule."""


def lag_frames(frames: int, span_s: float) -> int:
    """How many frames apart NOISE_LAG_S is in a stretch of ``frames`` frames spanning ``span_s`` seconds
    (at least 1, and 1 when the span is unknown)."""
    if frames < 2 or not span_s > 0.0:
        return 1
    return max(1, round(NOISE_LAG_S * (frames - 1) / span_s))


def _lagged(column: np.ndarray, lag: int) -> np.ndarray:
    """Steps of ``column`` between frames ``lag`` apart (lag 1: ``np.diff``)."""
    return column[lag:] - column[:-lag] if len(column) > lag else column[:0]


def noise_sd(column: np.ndarray, lag: int = 1) -> float:
    """The per-frame noise SD of one signal over a stretch of rest frames, from its median absolute step
    between neighbouring frames, or between frames ``lag`` apart (NOISE_LAG_S) when that reads more (a
    held level and a slow drift barely move the median step; 0 for < 2 frames). Used where a check's
    step must stand out of this camera's jitter (coach/engine.py's speech checks).

    The larger of the two, not the lagged one alone: over a second's frames the steps 0.2 s apart overlap
    and scatter more, and white noise must not read lower for it (wide tuning seed 4107: a compressed
    30 fps rest read 25% less noise at 0.2 s than between neighbours, and a twitch was invented)."""
    values = np.asarray(column, dtype=float)
    sd = _median_step_sd(values, 1)
    return max(sd, _median_step_sd(values, lag)) if lag > 1 else sd


def _median_step_sd(values: np.ndarray, lag: int) -> float:
    steps = np.abs(_lagged(values, lag))
    steps = steps[np.isfinite(steps)]
    if not len(steps):
        return 0.0
    # np.median's value without its ~45 us of wrapper (the engine takes three of these when a live
    # stream finds its rest, and hundreds of streams may start together): sorted, the middle value or
    # the two middle values' sum halved, the same arithmetic as np.median's mean of them. The steps are
    # finite and >= +0.0 (abs), so no NaN or signed zero can tell the two orders apart.
    ordered = np.sort(steps)
    half = len(ordered) // 2
    middle = ordered[half] if len(ordered) % 2 else (ordered[half - 1] + ordered[half]) / 2
    return float(middle) / MEDIAN_STEP_PER_SD


def step_sd(column: np.ndarray, lag: int = 1) -> float:
    """The per-frame noise SD of one signal over a stretch of rest frames, from the SD of its steps over
    sqrt(2) (their mean taken out, so a steady drift does not count; 0 for < 3 frames): steps between
    neighbouring frames, or between frames ``lag`` apart (NOISE_LAG_S) when those read more
    (:func:`noise_sd` says why the larger).

    Over one second of frames (15-30) it scatters less than :func:`noise_sd`'s median step (white noise
    of SD 0.007 over 16 frames: 5-95% of estimates 0.0045-0.0095 against 0.0039-0.0112), at the price of
    the median's indifference to a single wild frame; the rest second it is taken over was judged still.
    The brow presses' noise-raised enter uses it (coach/engine.py ``_adapt_thresholds``)."""
    values = np.asarray(column, dtype=float)
    sd = _step_sd(values, 1)
    return max(sd, _step_sd(values, lag)) if lag > 1 else sd


def _step_sd(values: np.ndarray, lag: int) -> float:
    steps = _lagged(values, lag)
    steps = steps[np.isfinite(steps)]
    if len(steps) < 2:
        return 0.0
    return float(np.std(steps)) / 2 ** 0.5


def jitter(block: np.ndarray, lag: int = 1) -> float:
    """The :func:`motion` a stretch would show from jitter alone (the camera's and the landmarker's noise,
    estimated from the median step of each stillness signal between neighbouring frames, or between frames
    ``lag`` apart (NOISE_LAG_S) when that reads more: :func:`noise_sd`), in the same units.

    A face that holds a pose moves the signals' level, not their median step, so this stays near the
    noise floor through a rep's rise and fall; a noisy webcam (low light, heavy compression) raises it.
    """
    geometry = block[:, STILL_COLUMNS]
    typical = _median_steps(geometry, 1)
    if 1 < lag < len(geometry):
        typical = np.maximum(typical, _median_steps(geometry, lag))
    return float((typical * NOISE_SPREAD_PER_STEP / _GEOMETRY_LIMITS).max(initial=0.0))


def _median_steps(geometry: np.ndarray, lag: int) -> np.ndarray:
    """Each column's median absolute step between frames ``lag`` apart."""
    steps = np.abs(_lagged(geometry, lag))
    if np.isnan(steps).any():  # the coach's rest search never gets here (it skips frames without a face)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nan_to_num(np.nanmedian(steps, axis=0))
    # runs for every frame of a live stream looking for its rest: one sort, not np.median's ~80 us
    return _quantile_of_sorted(np.sort(steps, axis=0), 0.5)
