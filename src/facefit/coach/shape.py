"""Timing of one rep's rise-hold-fall curve: rise and fall times, hold start/end, level, stability.

Why not "time above 85% of the peak": with smooth ramps that adds a fixed share of the ramps to the
hold (half a second on a 1 s cosine ramp). Instead the hold is measured from the time spent above
half the plateau level (T50 = hold + (up + down) / 2 for any symmetric ramp) minus half of each
ramp, with each ramp's length estimated from its 50-90% crossing time. Ramps are assumed smooth
S-curves (cosine ease; a minimum-jerk movement gives nearly the same constant), which is what a
controlled facial movement looks like. Crossing times are interpolated between frames.
"""

from __future__ import annotations

import functools
import itertools
import math
from dataclasses import dataclass

import numpy as np

from facefit.coach.quantiles import median, percentile

RISE_10_90_FRACTION = 0.59
"""10-90% crossing time of a cosine-eased ramp, as a fraction of the ramp's length."""
RISE_50_90_FRACTION = 0.295
"""50-90% crossing time of a cosine-eased ramp, as a fraction of the ramp's length. The hold uses this
half of each ramp because a rep ends (exit threshold) before the fall reaches 10%."""
ONSET_LOOKBACK_S = 0.3
"""The rise's fastest climb is looked for from this long before its 10% onset to its first 90% frame."""


@dataclass(frozen=True)
class RepShape:
    level: float
    onset_s: float
    peak_s: float
    rise_s: float | None
    fall_s: float | None
    hold_start_s: float
    hold_end_s: float
    stability: float
    onset_speed: float = 0.0
    """Fastest climb of the rise, in rep levels per second (a cosine ramp of length u peaks at pi/2u)."""

    @property
    def hold_s(self) -> float:
        return max(0.0, self.hold_end_s - self.hold_start_s)


def _indices(mask: np.ndarray) -> np.ndarray:
    """``np.flatnonzero`` of a 1-D mask without its generic wrapping: 0.4 against 2.1 us a call, and
    a rep's shape takes about nine (bench/bench_engine.py times the engine with a rep every 7 s)."""
    return mask.nonzero()[0]


def _std(x: np.ndarray) -> float:
    """``float(np.std(x))`` for a non-empty 1-D float array, the same arithmetic (mean as a sum over
    n, then the mean of squared deviations, then the square root) in a third of the time."""
    n = len(x)
    deviation = x - x.sum() / n
    return math.sqrt(float((deviation * deviation).sum()) / n)


def peak_speed(t: np.ndarray, d: np.ndarray) -> float:
    """``float(np.abs(np.gradient(d, t)).max())`` for a rep whose times strictly increase, else 0.0 (a
    clock that stepped back gives no speed). numpy's own arithmetic, repeated for a 1-D array of two or
    more frames (spacing equal throughout: central differences over twice it; else its three-point
    weights; one-sided differences at both ends) without its generic checks, once a rep."""
    dx = np.diff(t)
    if not (dx > 0).all():
        return 0.0
    out = np.empty_like(d, dtype=np.float64)
    if (dx == dx[0]).all():
        h = dx[0]
        out[1:-1] = (d[2:] - d[:-2]) / (2.0 * h)
        out[0] = (d[1] - d[0]) / h
        out[-1] = (d[-1] - d[-2]) / h
    else:
        dx1, dx2 = dx[:-1], dx[1:]
        a = -(dx2) / (dx1 * (dx1 + dx2))
        b = (dx2 - dx1) / (dx1 * dx2)
        c = dx1 / (dx2 * (dx1 + dx2))
        out[1:-1] = a * d[:-2] + b * d[1:-1] + c * d[2:]
        out[0] = (d[1] - d[0]) / dx[0]
        out[-1] = (d[-1] - d[-2]) / dx[-1]
    return float(np.abs(out).max())


def smooth3(x: np.ndarray) -> np.ndarray:
    """Centred 3-frame mean (no lag; ends keep their value)."""
    if len(x) < 3:
        return x.copy()
    out = x.copy()
    out[1:-1] = (x[:-2] + x[1:-1] + x[2:]) / 3.0
    return out


def _cross(t: np.ndarray, d: np.ndarray, i: int, level: float) -> float:
    """Interpolated time where d crosses ``level`` between samples i-1 and i."""
    if i <= 0:
        return float(t[0])
    d0, d1 = d[i - 1], d[i]
    if d1 == d0:
        return float(t[i])
    frac = min(max((level - d0) / (d1 - d0), 0.0), 1.0)  # np.clip's result, without its per-call cost
    return float(t[i - 1] + frac * (t[i] - t[i - 1]))


def _up_crossing(t: np.ndarray, d: np.ndarray, level: float, before: int) -> float | None:
    """Last upward crossing of ``level`` at or before index ``before``."""
    below = _indices(d[: before + 1] < level)
    if len(below) == 0:
        return None
    i = int(below[-1]) + 1
    return _cross(t, d, i, level) if i <= before else None


def _down_crossing(t: np.ndarray, d: np.ndarray, level: float, after: int) -> float | None:
    """First downward crossing of ``level`` at or after index ``after``."""
    below = _indices(d[after:] < level)
    if len(below) == 0:
        return None
    i = after + int(below[0])
    return _cross(t, d, i, level)


@functools.cache  # one value per spec, asked for at every rep
def cosine_share(high: float) -> float:
    """Share of a cosine-eased ramp spent between 50% and ``high`` of its height."""
    return float(np.arccos(1.0 - 2.0 * high) / np.pi - 0.5)


@dataclass(frozen=True)
class _Plateau:
    """The part of a rep's shape its hold is timed from: the smoothed drive ``s``, the plateau ``level``,
    the longest run above half of it (indices ``a``..``b``) and the hold between the ramps' halves."""

    s: np.ndarray
    level: float
    peak_i: int
    a: int
    b: int
    t50_up: float
    hold_start: float
    hold_end: float


def _plateau(
    t: np.ndarray, d: np.ndarray, *, high: float, plateau_median: bool, ramp_share: float | None,
    run_median: bool, bridge_s: float,
) -> _Plateau | float:
    """The plateau and hold of a rep (:func:`rep_shape` says how), or its level alone when that is not
    above zero (no plateau to time)."""
    share = cosine_share(high) if ramp_share is None else ramp_share
    s = smooth3(d)
    level = percentile(s, 90)
    if level <= 0:
        return level
    peak_i = int(np.argmax(s))
    above = s >= 0.5 * level
    if bridge_s > 0:
        above = _bridge(t, above, bridge_s)
    runs = _indices(np.diff(np.concatenate(([0], above.astype(np.int8), [0]))))
    starts, ends = runs[::2], runs[1::2] - 1
    k = int(np.argmax(ends - starts))
    a, b = int(starts[k]), int(ends[k])
    if run_median and median(s[a:b + 1]) > 0:
        level = median(s[a:b + 1])
    elif plateau_median:
        top_part = s[a:b + 1][s[a:b + 1] >= 0.8 * level]
        level = median(top_part) if len(top_part) else level
    t50_up = _cross(t, s, a, 0.5 * level) if a > 0 else float(t[a])
    t50_down = _cross(t, s, b + 1, 0.5 * level) if b + 1 < len(s) else float(t[b])
    # ramp lengths from 50% -> high
    top = _indices(s[a:b + 1] >= high * level)
    if len(top):
        t_high = _up_crossing(t, s, high * level, a + int(top[0]))
        d_high = _down_crossing(t, s, high * level, a + int(top[-1]))
        up = 0.0 if t_high is None else max(t_high - t50_up, 0.0) / share
        down = 0.0 if d_high is None else max(t50_down - d_high, 0.0) / share
    else:
        up = down = 0.0
    hold_start = t50_up + 0.5 * up
    hold_end = max(t50_down - 0.5 * down, hold_start)
    return _Plateau(s, level, peak_i, a, b, t50_up, hold_start, hold_end)


def hold_window(t: np.ndarray, d: np.ndarray, *, high: float = 0.9) -> tuple[float, float, float]:
    """(level, hold start, hold end) of a rep's drive ``d``, as :func:`rep_shape` with ``plateau_median``
    gives them, without its rise, fall, speed and stability: the engine times a hold on a second feature
    this way at every rep (NaN start and end when the level is not above zero)."""
    plateau = _plateau(t, d, high=high, plateau_median=True, ramp_share=None, run_median=False, bridge_s=0.0)
    if not isinstance(plateau, _Plateau):
        return plateau, math.nan, math.nan
    return plateau.level, plateau.hold_start, plateau.hold_end


def rep_shape(
    t: np.ndarray, d: np.ndarray, *, floor: float, high: float = 0.9, plateau_median: bool = False,
    ramp_share: float | None = None, run_median: bool = False, bridge_s: float = 0.0,
) -> RepShape:
    """Measure a rep from its times ``t`` and drive ``d`` (from rest, through the rep, back down).

    ``floor`` is the smallest level the stability ratio divides by (the spec's enter threshold).
    Each ramp's length comes from its 50% -> ``high`` crossing time divided by ``ramp_share`` (by
    default the cosine-ease share, 0.295 for 90%). ``plateau_median`` takes the level as the median
    of the frames above 80% of the 90th percentile instead of that percentile itself: less biased
    by noise spikes and a drifting plateau (head sway). ``run_median`` takes the median of the whole
    run above half level: for a plateau that keeps drifting (a small isometric brow press).
    ``bridge_s`` joins runs above half level separated by dips shorter than that (a held press whose
    measured level sags for a moment with head sway is still one hold).
    """
    plateau = _plateau(t, d, high=high, plateau_median=plateau_median, ramp_share=ramp_share,
                       run_median=run_median, bridge_s=bridge_s)
    if not isinstance(plateau, _Plateau):
        at = float(t[int(np.argmax(smooth3(d)))])
        return RepShape(plateau, float(t[0]), at, None, None, at, at, 0.0)
    s, level, a, b = plateau.s, plateau.level, plateau.a, plateau.b
    hold_start, hold_end = plateau.hold_start, plateau.hold_end
    # rise and fall 10% -> 90% for the tempo check
    hi_in = _indices(s[a:b + 1] >= 0.9 * level)
    rise = fall = None
    onset = plateau.t50_up
    speed = 0.0
    if len(hi_in):
        first_hi, last_hi = a + int(hi_in[0]), a + int(hi_in[-1])
        t10 = _up_crossing(t, s, 0.1 * level, first_hi)
        t90 = _up_crossing(t, s, 0.9 * level, first_hi)
        if t10 is not None:
            onset = t10
        if t10 is not None and t90 is not None:
            rise = max(t90 - t10, 0.0)
        speed = _fastest_climb(t, s, onset - ONSET_LOOKBACK_S, first_hi) / level
        d90 = _down_crossing(t, s, 0.9 * level, last_hi)
        d10 = _down_crossing(t, s, 0.1 * level, last_hi)
        if d90 is not None and d10 is not None:
            fall = max(d10 - d90, 0.0)
    inside = (t >= hold_start) & (t <= hold_end)
    held = s[inside] if inside.sum() >= 2 else s[a:b + 1]
    stability = 100.0 * max(0.0, 1.0 - _std(held) / max(abs(level), floor))
    peak_s = float(t[plateau.peak_i])
    return RepShape(level, onset, peak_s, rise, fall, hold_start, hold_end, stability, speed)


def _fastest_climb(t: np.ndarray, s: np.ndarray, from_s: float, until: int) -> float:
    """Largest two-step slope of ``s`` (per second) from time ``from_s`` up to index ``until``: a
    jump's speed, whatever the plateau does after it (a level inflated by drift stretches the 10-90%
    rise time of a jerky start, not its speed)."""
    i = int(np.searchsorted(t, from_s))
    if until - i < 2:
        return 0.0
    seg_t, seg_s = t[i:until + 1], s[i:until + 1]
    slopes = (seg_s[2:] - seg_s[:-2]) / np.maximum(seg_t[2:] - seg_t[:-2], 1e-9)
    return float(slopes.max())


def _bridge(t: np.ndarray, above: np.ndarray, gap_s: float) -> np.ndarray:
    """``above`` with every dip shorter than ``gap_s`` between two above-runs filled in."""
    edges = _indices(np.diff(above.astype(np.int8)))
    out = above.copy()
    for fall, rise in itertools.pairwise(edges):
        if above[fall] and not above[fall + 1] and t[rise + 1] - t[fall] <= gap_s:
            out[fall + 1 : rise + 1] = True
    return out


def zigzag_swings(x: np.ndarray, step: float) -> int:
    """How many times ``x`` reverses direction by at least ``step`` (speech opens and closes the lips
    several times a second; a held pose, even with the lips parted, reverses once)."""
    values = x.tolist()
    if not values:
        return 0
    reference = extreme = values[0]
    direction = swings = 0
    for value in values:
        if direction == 0:
            if abs(value - reference) >= step:
                direction, extreme = (1 if value > reference else -1), value
        elif direction > 0:
            if value > extreme:
                extreme = value
            elif extreme - value >= step:
                direction, extreme, swings = -1, value, swings + 1
        elif value < extreme:
            extreme = value
        elif value - extreme >= step:
            direction, extreme, swings = 1, value, swings + 1
    return swings


def busy_share(t: np.ndarray, x: np.ndarray, step: float, dt: float) -> float:
    """Share of ``dt``-second steps (resampled, so the same at any frame rate) in which ``x`` changes
    by ``step`` or more: lips that keep moving, as in speech, where a held face moves in few steps."""
    if len(t) < 2 or t[-1] - t[0] < 2 * dt:
        return 0.0
    grid = np.arange(t[0], t[-1], dt)
    return float(np.mean(np.abs(np.diff(np.interp(grid, t, x))) >= step))
