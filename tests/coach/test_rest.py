"""The first-still-second rest finder: its fast spread equals numpy's percentiles, and it settles on a
still second but not on a moving one."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from facefit.coach.rest import RestFinder
from facefit.signals.names import SIGNAL_NAMES
from facefit.signals.stillness import spread as _spread


@given(arrays(np.float64, st.tuples(st.integers(1, 40), st.integers(1, 8)),
              elements=st.floats(-1e3, 1e3, allow_nan=False)))
def test_spread_matches_numpy_percentiles(block: np.ndarray) -> None:
    low, high = np.percentile(block, [5, 95], axis=0)
    np.testing.assert_allclose(_spread(block), high - low, rtol=1e-9, atol=1e-9)


def test_spread_ignores_nan_like_nanpercentile() -> None:
    block = np.arange(60.0).reshape(30, 2)
    block[3, 1] = np.nan
    low, high = np.nanpercentile(block, [5, 95], axis=0)
    np.testing.assert_allclose(_spread(block), high - low)


def test_settles_on_a_still_second_with_its_median() -> None:
    rng = np.random.default_rng(3)
    finder = RestFinder()
    base = rng.uniform(0.2, 0.8, len(SIGNAL_NAMES))
    found = None
    for k in range(60):
        t = k / 30
        moving = 0.2 * np.sin(2 * np.pi * 2 * t) if k < 30 else 0.0  # a second of movement, then still
        found = finder.push(base + moving, t)
        if found is not None:
            break
    assert found is not None and finder.still
    assert finder.window is not None and finder.window[0] > 0.9  # after the movement (one odd frame allowed)
    np.testing.assert_allclose(found, base)
