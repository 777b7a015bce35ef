"""The first-still-second rest's median (``coach.rest.column_medians``) is ``np.nanmedian``'s, bit for bit."""

from __future__ import annotations

import warnings

import numpy as np

from facefit.coach.rest import column_medians


def test_column_medians_are_nanmedian_bit_for_bit() -> None:
    rng = np.random.default_rng(18)
    for i in range(3000):
        rows = rng.normal(0.0, 1.0, (int(rng.integers(1, 60)), 69)) * 10.0 ** int(rng.integers(-4, 3))
        kind = i % 5
        if kind == 1:  # a missing number: nanmedian's own path
            rows[rng.integers(len(rows)), rng.integers(69)] = np.nan
        elif kind == 2:
            rows[rng.integers(len(rows)), rng.integers(69)] = np.inf
            rows[rng.integers(len(rows)), rng.integers(69)] = -np.inf
        elif kind == 3:  # ties
            rows = np.round(rows, 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            expected = np.nanmedian(rows, axis=0)
            got = column_medians(rows)
        assert np.array_equal(got, expected, equal_nan=True)


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal bit for bit (signed zeros told apart, unlike ``array_equal``)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool((a.view(np.int64) == b.view(np.int64)).all())


def test_column_medians_are_median_bit_for_bit_with_signed_zeros_and_ties() -> None:
    """Odd and even counts, ties, both zeros and infinities: the same bits as ``np.median(rows, axis=0)``."""
    rng = np.random.default_rng(7)
    for i in range(3000):
        n = int(rng.integers(1, 40))
        rows = rng.normal(0.0, 1.0, (n, 69)) * 10.0 ** int(rng.integers(-4, 3))
        kind = i % 4
        if kind == 1:  # ties, and zeros of both signs among them
            rows = np.round(rows, 0) * 0.0 if i % 8 == 1 else np.round(rows, 1)
            rows[rng.random(rows.shape) < 0.3] = -0.0
        elif kind == 2:
            rows[rng.random(rows.shape) < 0.1] = np.inf
            rows[rng.random(rows.shape) < 0.1] = -np.inf
        elif kind == 3:
            rows[rng.random(rows.shape) < 0.5] = 0.0
            rows[rng.random(rows.shape) < 0.5] = -0.0
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # inf - inf in an even count's middle
            expected = np.median(rows, axis=0)
            got = column_medians(rows)
        assert _same_bits(got, expected), i


def test_noise_sd_is_the_median_step_bit_for_bit() -> None:
    """``signals.stillness.noise_sd``: the median absolute step as ``np.median`` gives it, bit for bit."""
    from facefit.signals.stillness import MEDIAN_STEP_PER_SD, noise_sd

    rng = np.random.default_rng(11)
    for i in range(3000):
        column = rng.normal(0.0, 1.0, int(rng.integers(0, 40))) * 10.0 ** int(rng.integers(-4, 3))
        if i % 4 == 1:
            column = np.round(column, 1)
        elif i % 4 == 2 and len(column):
            column[rng.random(len(column)) < 0.2] = np.nan
            column[rng.random(len(column)) < 0.1] = np.inf
        steps = np.abs(np.diff(column))
        steps = steps[np.isfinite(steps)]
        expected = float(np.median(steps)) / MEDIAN_STEP_PER_SD if len(steps) else 0.0
        got = noise_sd(column)
        assert _same_bits(np.float64(got), np.float64(expected)), i
