"""``stillness.motion``'s one-sort path gives exactly the numbers of its definition: :func:`spread` of the
geometry and of the pose columns, each on its own (issue 18: it runs for every frame of every live
stream until the stream's rest is found)."""

from __future__ import annotations

import warnings

import numpy as np

from facefit.signals.names import SIGNAL_NAMES
from facefit.signals.stillness import (
    _GEOMETRY_LIMITS,
    POSE_COLUMNS,
    STILL_COLUMNS,
    STILL_POSE_SIGNALS,
    STILL_TOLERANCE_DEG,
    STILLNESS_SIGNALS,
    motion,
    spread,
)


def _by_definition(block: np.ndarray) -> tuple[float, str]:
    """motion() as it was written before the one-sort path (two spread() calls)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        geometry = np.nan_to_num(spread(block[:, STILL_COLUMNS]) / _GEOMETRY_LIMITS)
        pose = np.nan_to_num(spread(block[:, POSE_COLUMNS])) / STILL_TOLERANCE_DEG
    g, p = int(np.argmax(geometry)), int(np.argmax(pose))
    if pose[p] > geometry[g]:
        return float(pose[p]), STILL_POSE_SIGNALS[p]
    return float(geometry[g]), STILLNESS_SIGNALS[g]


def _blocks() -> list[np.ndarray]:
    rng = np.random.default_rng(18)
    out = []
    for i in range(600):
        rows = int(rng.integers(2, 40))
        block = rng.normal(0.0, 0.02, (rows, len(SIGNAL_NAMES))) + rng.normal(0.0, 1.0, len(SIGNAL_NAMES))
        block[:, POSE_COLUMNS] *= 100.0  # degrees
        kind = i % 6
        if kind == 1:  # one missing number somewhere in the columns motion reads
            block[rng.integers(rows), rng.choice(np.r_[STILL_COLUMNS, POSE_COLUMNS])] = np.nan
        elif kind == 2:  # no head pose at all
            block[:, POSE_COLUMNS] = np.nan
        elif kind == 3:
            block[rng.integers(rows), rng.choice(STILL_COLUMNS)] = np.inf
        elif kind == 4:
            block[rng.integers(rows), rng.choice(POSE_COLUMNS)] = -np.inf
        out.append(block)
    return out


def test_motion_is_its_definition_bit_for_bit() -> None:
    """NaN-free blocks (the one-sort path), blocks with a missing number or no head pose (spread's own
    path), and infinite numbers (nan_to_num): the same score and the same signal named."""
    for block in _blocks():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            score, name = motion(block)
        expected_score, expected_name = _by_definition(block)
        assert name == expected_name
        assert score == expected_score or (np.isnan(score) and np.isnan(expected_score))
