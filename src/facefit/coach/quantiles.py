"""Median and percentile of a rep's frames, bit for bit as ``np.median`` and ``np.percentile`` (its
default linear method) give them, in plain Python.

Why: when a rep ends the engine takes about ten medians and percentiles of a few hundred frames.
numpy 2 spends tens of microseconds per call in Python-level checks before it sorts anything (on the
project's 2-core machine ~60 us a percentile, ~20 us a median), which made up a third of the engine's
time per frame in ``bench/bench_engine.py``; sorting a few hundred Python floats takes a few
microseconds. The numbers must not move, so numpy's own arithmetic is repeated: the linear method's
position is ``(n - 1) * q``, between the sorted values ``a`` and ``b`` at its floor and the next, with
weight ``g`` its fraction, and the value is ``b - (b - a) * (1 - g)`` when ``g >= 0.5``, else
``a + (b - a) * g``; an even count's median is ``(a + b) / 2``; a NaN anywhere gives NaN.
tests/coach/test_quantiles.py holds both functions equal to numpy's, bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np


def _sorted(values: np.ndarray | Iterable[float]) -> list[float] | None:
    """The values as a sorted list of floats; None when one of them is NaN (numpy then gives NaN)."""
    data = values.tolist() if isinstance(values, np.ndarray) else [float(v) for v in values]
    total = sum(data)
    if total != total and any(v != v for v in data):  # NaN sorts nowhere in particular: look only then
        return None
    data.sort()
    return data


def median(values: np.ndarray | Iterable[float]) -> float:
    """``float(np.median(values))`` for a 1-D sequence (NaN when empty, as numpy, without its warning)."""
    data = _sorted(values)
    if not data:
        return math.nan
    half = len(data) // 2
    if len(data) % 2:
        return data[half]
    return (data[half - 1] + data[half]) / 2


def percentile(values: np.ndarray | Iterable[float], q: float) -> float:
    """``float(np.percentile(values, q))`` for a 1-D sequence, ``q`` in percent (default linear method)."""
    data = _sorted(values)
    if data is None:
        return math.nan
    n = len(data)
    if n == 0:
        raise ValueError("percentile of no values")
    position = (n - 1) * (q / 100)
    if position >= n - 1:
        below = above = -1  # numpy's index for "the largest", also used in its weight below
    elif position < 0:
        below = above = 0
    else:
        below = math.floor(position)
        above = below + 1
    weight = position - below
    a, b = data[below], data[above]
    step = b - a
    return b - step * (1 - weight) if weight >= 0.5 else a + step * weight
