"""The engine's plain-Python median and percentile equal numpy's bit for bit (coach/quantiles.py says why
they exist): random, tied, signed-zero, infinite and NaN data of the lengths a rep has."""

from __future__ import annotations

import math

import numpy as np
import pytest

from facefit.coach.quantiles import median, percentile


def _samples() -> list[np.ndarray]:
    rng = np.random.default_rng(2034)
    out = [np.array([0.5]), np.array([2.0, -1.0]), np.array([0.0, -0.0, 0.0]), np.full(7, 0.03)]
    for n in (*range(1, 40), 64, 101, 174, 255, 500):
        out.append(rng.normal(0.0, 0.02, n))
        out.append(np.round(rng.normal(0.0, 0.02, n), 3))  # ties
        out.append(rng.uniform(-1e6, 1e6, n) * 10.0 ** rng.integers(-12, 3, n))
    out.append(np.array([1.0, np.inf, 2.0]))
    out.append(np.array([-np.inf, 1.0, 2.0, 3.0]))
    return out


def _same(ours: float, theirs: float) -> bool:
    return (math.isnan(ours) and math.isnan(theirs)) or ours == theirs


@pytest.mark.parametrize("q", [90, 50, 10, 0, 100, 37.5])
def test_percentile_equals_numpy(q: float) -> None:
    for values in _samples():
        with np.errstate(invalid="ignore"):  # numpy's lerp warns on inf - inf (both give NaN)
            theirs = float(np.percentile(values, q))
        assert _same(percentile(values, q), theirs), (q, values)
        assert _same(percentile(values.tolist(), q), theirs)


def test_median_equals_numpy() -> None:
    for values in _samples():
        assert _same(median(values), float(np.median(values))), values
        assert _same(median(values.tolist()), float(np.median(values)))


def test_nan_anywhere_gives_nan_as_numpy() -> None:
    values = np.array([0.1, np.nan, 0.3, 0.2])
    assert math.isnan(percentile(values, 90)) and math.isnan(float(np.percentile(values, 90)))
    assert math.isnan(median(values)) and math.isnan(median([]))
    with pytest.raises(ValueError):
        percentile([], 90)
