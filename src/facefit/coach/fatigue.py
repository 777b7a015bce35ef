"""The one fatigue rule, used by the engine (a set's reps, live: it stops the set) and by the reports
(a session's reps, afterwards: a warning the engine did not already give).

Tired muscles make smaller movements, and in an isometric press (a brow held down against the fingers,
where the brow movement is the leak, not the effort) shorter holds. The rule compares the mean effort of
the last ``FATIGUE_WINDOW`` reps with that of the first ones: below ``FATIGUE_RATIO`` of it is fatigue,
and for held presses the holds must also be ``FATIGUE_MIN_HOLD_DROP_S`` shorter, more than their timing
error (a brow hold is timed within ~0.4 s; on 1.7 s holds noise alone crossed the ratio, eval seed 2030).
Fewer than ``2 x FATIGUE_WINDOW`` reps cannot tell fatigue from noise. Pure Python and numpy.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

FATIGUE_WINDOW = 3
FATIGUE_RATIO = 0.6
FATIGUE_MIN_HOLD_DROP_S = 1.0


@dataclass(frozen=True)
class Fatigue:
    """What the rule found: the first and last reps' mean effort (amplitude, or hold seconds)."""

    first: float
    last: float
    isometric: bool

    @property
    def drop(self) -> float:
        """The fall as a share of the first reps' effort (0.4 = 40% smaller or shorter)."""
        return 1.0 - self.last / self.first if self.first > 0 else 0.0

    def describe(self) -> str:
        change = "holds got {:.0f}% shorter" if self.isometric else "rep amplitude fell {:.0f}%"
        return change.format(100 * self.drop) + " from the first reps to the last"


def fatigue(effort: Sequence[float], *, isometric: bool) -> Fatigue | None:
    """The rule over reps in order: ``effort`` is each rep's amplitude, or its hold seconds when
    ``isometric``. None when there are too few reps or no fatigue."""
    if len(effort) < 2 * FATIGUE_WINDOW:
        return None
    first = float(np.mean(effort[:FATIGUE_WINDOW]))
    last = float(np.mean(effort[-FATIGUE_WINDOW:]))
    if last >= FATIGUE_RATIO * first:
        return None
    if isometric and first - last < FATIGUE_MIN_HOLD_DROP_S:
        return None
    return Fatigue(first, last, isometric)
