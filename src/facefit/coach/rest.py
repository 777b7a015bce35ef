"""First-still-second calibration: when no stored rest exists, the first still second of the stream is it.

"Still" means every stillness signal varies less than a tolerance over one second (so talking, a
smile or head movement at the start is not taken as rest). If no still second shows up within
``give_up_s``, the quietest second seen so far is used, and the engine says so.
"""

from __future__ import annotations

import numpy as np

from facefit.coach.features import (
    STILL_TOLERANCE_DEG,
    STILL_TOLERANCE_IPD,
    STILL_TOLERANCE_OVERRIDES,
    STILLNESS_SIGNALS,
)
from facefit.signals.names import SIGNAL_INDEX

_STILL_COLUMNS = np.array([SIGNAL_INDEX[name] for name in STILLNESS_SIGNALS])
_POSE_COLUMNS = np.array([SIGNAL_INDEX["head_pitch"], SIGNAL_INDEX["head_yaw"]])
_TOLERANCE = np.array([STILL_TOLERANCE_OVERRIDES.get(n, STILL_TOLERANCE_IPD) for n in STILLNESS_SIGNALS])


def _spread(block: np.ndarray) -> np.ndarray:
    """5th-95th percentile range per column (one noisy frame does not make a still face "moving").

    Runs on every frame of every stream until rest is found (hundreds of live streams may be searching
    at once), so the NaN-free case sorts once and interpolates like numpy's default "linear" method
    instead of calling ``nanpercentile`` (~10x slower for a 30-row block).
    """
    if np.isnan(block).any():
        low, high = np.nanpercentile(block, [5, 95], axis=0)
        return high - low
    ordered = np.sort(block, axis=0)
    last = len(ordered) - 1
    spread = np.zeros(block.shape[1])
    for sign, q in ((-1.0, 0.05), (1.0, 0.95)):
        position = q * last
        below = int(np.floor(position))
        above = min(below + 1, last)
        fraction = position - below
        spread += sign * (ordered[below] + fraction * (ordered[above] - ordered[below]))
    return spread


class RestFinder:
    """Feed frames with :meth:`push`; it returns the rest vector (K,) once a still second is found."""

    def __init__(self, *, window_s: float = 1.0, give_up_s: float = 5.0) -> None:
        if window_s <= 0 or give_up_s < window_s:
            raise ValueError(f"need 0 < window_s <= give_up_s, got {window_s}, {give_up_s}")
        self.window_s = window_s
        self.give_up_s = give_up_s
        self.reset()

    def reset(self) -> None:
        self._t: list[float] = []
        self._rows: list[np.ndarray] = []
        self._first_t: float | None = None
        self._best: tuple[float, np.ndarray] | None = None
        self.rest: np.ndarray | None = None
        self.rows: np.ndarray | None = None
        self.still = False
        self.window: tuple[float, float] | None = None

    def push(self, values: np.ndarray, t_s: float) -> np.ndarray | None:
        """Add one frame (skipped when it has no face); the rest once found, else None."""
        if self.rest is not None:
            return self.rest
        if not np.isfinite(values[_STILL_COLUMNS]).all():
            return None
        if self._first_t is None:
            self._first_t = t_s
        self._t.append(t_s)
        self._rows.append(values)
        while self._t and t_s - self._t[0] > self.window_s + 1e-9:
            self._t.pop(0)
            self._rows.pop(0)
        if t_s - self._t[0] >= self.window_s - 0.05:
            block = np.asarray(self._rows)
            geometry = (_spread(block[:, _STILL_COLUMNS]) / _TOLERANCE).max()
            pose = np.nan_to_num(_spread(block[:, _POSE_COLUMNS])).max() / STILL_TOLERANCE_DEG
            score = max(float(geometry), float(pose))
            if self._best is None or score < self._best[0]:
                self._best = (score, block)  # its median is taken once, when it is settled on
            if score <= 1.0:
                self.still = True
                return self._settle(self._best[1], self._t[0], t_s)
        if self._best is not None and t_s - self._first_t >= self.give_up_s:
            return self._settle(self._best[1], self._t[0], t_s)
        return None

    def _settle(self, rows: np.ndarray, start: float, end: float) -> np.ndarray:
        rest = np.nanmedian(rows, axis=0)
        self.rest = rest
        self.rows = rows
        self.window = (start, end)
        self._t, self._rows = [], []
        return rest
