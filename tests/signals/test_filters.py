"""One Euro filter: matches the paper's scalar algorithm column by column, validates, resets."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.signals.filters import OneEuroFilter, filter_series
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries


class ScalarOneEuro:
    """The algorithm as written in Casiez et al. 2012 (one signal, plain floats): the reference."""

    def __init__(self, min_cutoff: float, beta: float, d_cutoff: float) -> None:
        self.min_cutoff, self.beta, self.d_cutoff = min_cutoff, beta, d_cutoff
        self.x_prev: float | None = None
        self.dx_prev = 0.0
        self.t_prev = 0.0

    @staticmethod
    def alpha(t_e: float, cutoff: float) -> float:
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / t_e)

    def __call__(self, x: float, t: float) -> float:
        if self.x_prev is None:
            self.x_prev, self.t_prev = x, t
            return x
        t_e = t - self.t_prev
        dx = (x - self.x_prev) / t_e
        dx_hat = self.alpha(t_e, self.d_cutoff) * dx + (1 - self.alpha(t_e, self.d_cutoff)) * self.dx_prev
        cutoff = self.min_cutoff + self.beta * abs(dx_hat)
        x_hat = self.alpha(t_e, cutoff) * x + (1 - self.alpha(t_e, cutoff)) * self.x_prev
        self.x_prev, self.dx_prev, self.t_prev = x_hat, dx_hat, t
        return x_hat


@settings(max_examples=30, deadline=None)
@given(
    steps=st.lists(st.floats(min_value=0.005, max_value=0.2), min_size=2, max_size=40),
    seed=st.integers(0, 2**16),
    min_cutoff=st.floats(0.05, 10),
    beta=st.floats(0, 5),
    d_cutoff=st.floats(0.1, 5),
)
def test_vectorised_filter_matches_the_scalar_reference(
    steps: list[float], seed: int, min_cutoff: float, beta: float, d_cutoff: float
) -> None:
    rng = np.random.default_rng(seed)
    times = np.cumsum(steps)
    signals = rng.normal(size=(len(times), 3)).cumsum(axis=0)
    vector = OneEuroFilter(3, min_cutoff=min_cutoff, beta=beta, d_cutoff=d_cutoff)
    scalars = [ScalarOneEuro(min_cutoff, beta, d_cutoff) for _ in range(3)]
    for t, row in zip(times, signals, strict=True):
        got = vector(row, float(t))
        want = [f(float(v), float(t)) for f, v in zip(scalars, row, strict=True)]
        assert np.allclose(got, want, rtol=1e-9, atol=1e-12)


def test_constant_input_passes_unchanged_and_jitter_is_reduced() -> None:
    flt = OneEuroFilter(2, min_cutoff=1.0, beta=0.0)
    rng = np.random.default_rng(0)
    raw, out = [], []
    for i in range(300):
        sample = np.array([0.4, 0.4 + rng.normal(scale=0.01)])
        raw.append(sample)
        out.append(flt(sample, i / 30))
    out_arr, raw_arr = np.array(out), np.array(raw)
    assert np.allclose(out_arr[:, 0], 0.4)
    assert out_arr[30:, 1].std() < raw_arr[30:, 1].std() / 2


def test_beta_reduces_lag_on_a_fast_movement() -> None:
    def lag(beta: float) -> int:
        flt = OneEuroFilter(1, min_cutoff=0.5, beta=beta)
        for i in range(200):
            value = flt(np.array([0.0 if i < 30 else 1.0]), i / 30)
            if i >= 30 and value[0] > 0.9:
                return i - 30
        return 10**6

    assert lag(beta=20.0) < lag(beta=0.0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"min_cutoff": 0.0}, "min_cutoff must be > 0"),
        ({"min_cutoff": float("nan")}, "min_cutoff must be > 0"),
        ({"beta": -1.0}, "beta must be >= 0"),
        ({"d_cutoff": 0.0}, "d_cutoff must be > 0"),
    ],
)
def test_parameters_are_validated(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OneEuroFilter(3, **kwargs)


def test_timestamps_must_increase_and_shape_must_match() -> None:
    flt = OneEuroFilter(2)
    flt(np.zeros(2), 0.0)  # t = 0 is a real time, not "missing"
    flt(np.ones(2), 0.1)
    with pytest.raises(ValueError, match="timestamps must increase"):
        flt(np.ones(2), 0.1)
    with pytest.raises(ValueError, match=r"expected \(2,\)"):
        flt(np.ones(3), 0.2)


def test_reset_and_missing_values_forget_the_past() -> None:
    flt = OneEuroFilter(2, min_cutoff=0.1)
    flt(np.array([0.0, 0.0]), 0.0)
    gap = flt(np.array([np.nan, 1.0]), 0.1)
    assert np.isnan(gap[0]) and 0 < gap[1] < 1  # column 1 smoothed as usual
    back = flt(np.array([5.0, 1.0]), 0.2)
    assert back[0] == 5.0  # the face came back: no smoothing against where it was before the gap
    flt.reset()
    assert np.array_equal(flt(np.array([7.0, 8.0]), 0.0), [7.0, 8.0])


def test_filter_series_keeps_face_present_and_shape() -> None:
    t = np.arange(0, 1000, 33, dtype=np.int64)
    values = np.full((len(t), len(SIGNAL_NAMES)), 0.5)
    values[:, SIGNAL_INDEX["face_present"]] = 1.0
    values[10:12] = np.nan
    values[10:12, SIGNAL_INDEX["face_present"]] = 0.0
    out = filter_series(SignalSeries(t_ms=t, values=values), min_cutoff=1.0, beta=0.1)
    assert out.values.shape == values.shape
    assert np.array_equal(out.column("face_present"), values[:, SIGNAL_INDEX["face_present"]])
    assert np.isnan(out.values[10, 1]) and out.values[20, 1] == pytest.approx(0.5)


def test_per_signal_parameters_equal_separate_scalar_filters() -> None:
    rng = np.random.default_rng(5)
    values = rng.normal(size=(50, 3)).cumsum(axis=0)
    times = np.cumsum(rng.uniform(0.02, 0.05, size=50))
    mixed = OneEuroFilter(3, min_cutoff=np.array([0.5, 1.0, 2.0]), beta=np.array([0.0, 3.0, 20.0]))
    singles = [OneEuroFilter(1, min_cutoff=m, beta=b) for m, b in ((0.5, 0.0), (1.0, 3.0), (2.0, 20.0))]
    for t, row in zip(times, values, strict=True):
        got = mixed(row, float(t))
        want = [f(np.array([v]), float(t))[0] for f, v in zip(singles, row, strict=True)]
        assert np.allclose(got, want)
    with pytest.raises(ValueError, match=r"beta: expected a number or \(3,\) values"):
        OneEuroFilter(3, beta=np.zeros(2))
    with pytest.raises(ValueError, match="beta must be >= 0"):
        OneEuroFilter(3, beta=np.array([0.0, -1.0, 0.0]))


def test_live_filter_is_smooth_at_rest_and_quick_on_a_rep() -> None:
    """Per-unit settings: at 30 fps, landmark-sized jitter shrinks >= 4x at rest in every unit, and a
    rep-sized step (0.06 IPD, 5 deg, 0.8 score) is 90% through within 3 frames."""
    from facefit.signals.filters import live_filter

    flt = live_filter()
    rng = np.random.default_rng(11)
    k = len(SIGNAL_NAMES)
    unit = np.full(k, 0.005)  # jitter ~ what the landmarker shows at rest, per unit
    step = np.full(k, 0.06)
    for i, name in enumerate(SIGNAL_NAMES):
        if name.startswith("head_"):
            unit[i], step[i] = 0.3, 5.0
        elif name.startswith("bs_"):
            unit[i], step[i] = 0.02, 0.8
    raw, out = [], []
    for frame in range(120):
        sample = rng.normal(size=k) * unit + (step if frame >= 90 else 0.0)
        raw.append(sample)
        out.append(flt(sample, frame / 30))
    raw_arr, out_arr = np.array(raw), np.array(out)
    columns = [SIGNAL_INDEX[n] for n in ("mouth_corner_lift_r", "head_pitch", "bs_mouthSmileLeft")]
    for col in columns:
        jitter = np.std(np.diff(out_arr[30:90, col])) / np.std(np.diff(raw_arr[30:90, col]))
        assert jitter < 0.25, (SIGNAL_NAMES[col], jitter)
        reached = np.flatnonzero(out_arr[90:, col] > 0.9 * step[col])
        assert reached.size and reached[0] <= 3, (SIGNAL_NAMES[col], reached[:3])
