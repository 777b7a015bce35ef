"""``Engine.holding_s`` (the live hold ring, read for every frame) keeps its run between calls: the same
number as scanning the whole rep buffer every time, as the buffer grows, is replaced, ties its top, has
a new top or holds NaN."""

from __future__ import annotations

import math

import numpy as np

from facefit.coach.engine import LIVE_HOLD_FRACTION, Engine


def _scan(buf_t: list[float], buf_d: list[float]) -> float:
    """The definition: the whole buffer scanned from the end (the property before it kept its run)."""
    top = max(buf_d)
    threshold = LIVE_HOLD_FRACTION * top
    since = buf_t[-1]
    for t, d in zip(reversed(buf_t), reversed(buf_d), strict=True):
        if d < threshold:
            break
        since = t
    return buf_t[-1] - since


def _same(a: float, b: float) -> bool:
    return np.float64(a).view(np.int64) == np.float64(b).view(np.int64)


def test_holding_s_is_the_whole_scan_at_every_frame() -> None:
    rng = np.random.default_rng(15)
    engine = Engine.for_exercise("cheek-lifter", reps_target=100)
    checked = 0
    for rep in range(400):
        engine._active = True
        start = float(rep)
        engine._buf_t = [start + 0.01 * k for k in range(int(rng.integers(0, 8)))]  # the pre-roll
        engine._buf_d = [float(v) for v in rng.uniform(0.0, 0.01, len(engine._buf_t))]
        level = float(rng.uniform(0.01, 0.05))
        for k in range(int(rng.integers(1, 120))):
            engine._buf_t.append(start + 0.1 + k / 15.0)
            kind = rng.integers(0, 10)
            if kind == 0 and engine._buf_d:
                value = max(engine._buf_d)  # a tie with the top
            elif kind == 1:
                value = math.nan
            elif kind == 2:
                value = level * float(rng.uniform(0.0, 0.7))  # under the hold's threshold
            elif kind == 3:
                value = round(LIVE_HOLD_FRACTION * max([*engine._buf_d, 0.0]), 6)  # about at the threshold
            else:
                value = level * float(rng.uniform(0.8, 1.1))  # near the peak, sometimes a new top
            engine._buf_d.append(value)
            if rng.random() < 0.7:  # not read at every frame: several frames come between some reads
                assert _same(engine.holding_s, _scan(engine._buf_t, engine._buf_d)), (rep, k)
                checked += 1
        if rng.random() < 0.3:
            engine._active = False
            assert engine.holding_s == 0.0
    assert checked > 10_000


def test_holding_s_with_a_nan_first_frame_and_after_a_new_buffer() -> None:
    engine = Engine.for_exercise("cheek-lifter", reps_target=100)
    engine._active = True
    engine._buf_t, engine._buf_d = [0.0, 0.1, 0.2], [math.nan, 0.02, 0.03]
    assert _same(engine.holding_s, _scan(engine._buf_t, engine._buf_d))
    engine._buf_t.append(0.3)
    engine._buf_d.append(0.01)
    assert _same(engine.holding_s, _scan(engine._buf_t, engine._buf_d))
    engine._buf_t, engine._buf_d = [1.0, 1.1], [0.02, 0.021]  # a new rep's buffer: a new list
    assert _same(engine.holding_s, _scan(engine._buf_t, engine._buf_d))
    engine._buf_t, engine._buf_d = [], []
    assert engine.holding_s == 0.0
