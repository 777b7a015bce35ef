"""coach/shape.py's lean parts give exactly what the full versions give: ``hold_window`` the level and
hold of ``rep_shape(..., plateau_median=True)`` (the engine times a witnessed hold with it at every rep),
``_std`` numpy's standard deviation, bit for bit."""

from __future__ import annotations

import numpy as np

from facefit.coach.shape import _std, hold_window, peak_speed, rep_shape


def _reps(count: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cosine rise-hold-fall curves of varied length, height, rate and noise, some flat or negative."""
    rng = np.random.default_rng(7)
    out = []
    for _ in range(count):
        fps = rng.choice([10.0, 15.0, 30.0])
        t = np.arange(int(rng.integers(8, 240))) / fps
        ramp = rng.uniform(0.2, 1.5)
        hold = rng.uniform(0.0, 4.0)
        start = rng.uniform(0.0, 1.0)
        up = np.clip((t - start) / ramp, 0, 1)
        down = np.clip((t - start - ramp - hold) / ramp, 0, 1)
        curve = (0.5 - 0.5 * np.cos(np.pi * up)) * (0.5 + 0.5 * np.cos(np.pi * down))
        d = rng.uniform(-0.1, 0.8) * curve + rng.normal(0, rng.uniform(0, 0.05), len(t))
        out.append((t, d))
    return out


def test_hold_window_is_rep_shapes_plateau_median_hold() -> None:
    for t, d in _reps(400):
        full = rep_shape(t, d, floor=0.3, high=0.9, plateau_median=True)
        level, start, end = hold_window(t, d, high=0.9)
        assert level == full.level
        if level > 0:
            assert (start, end) == (full.hold_start_s, full.hold_end_s)
        else:
            assert np.isnan(start) and np.isnan(end)


def test_std_is_numpys() -> None:
    rng = np.random.default_rng(3)
    for _ in range(2000):
        x = rng.normal(rng.uniform(-1, 1), rng.uniform(1e-6, 1), int(rng.integers(1, 400)))
        assert _std(x) == float(np.std(x))


def test_peak_speed_is_numpys_gradient() -> None:
    """Even and uneven frame times, and a clock that steps back (no speed, as the engine had it)."""
    rng = np.random.default_rng(11)
    for t, d in _reps(300):
        jitter = rng.uniform(0.6, 1.4, len(t)) if rng.random() < 0.5 else np.ones(len(t))
        t = np.cumsum(jitter) / 15.0
        if len(t) >= 2:
            assert peak_speed(t, d) == float(np.abs(np.gradient(d, t)).max())
    t = np.array([0.0, 0.1, 0.05, 0.2])
    assert peak_speed(t, np.array([0.0, 1.0, 2.0, 3.0])) == 0.0
