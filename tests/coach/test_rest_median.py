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
