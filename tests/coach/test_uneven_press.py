"""An uneven press driven by the mean of its sides (the forehead relaxer facing the camera): counted when the
stronger side held ``enter`` and the weaker side at least WEAKER_SIDE_SHARE of it, though the mean stayed
under ``enter``; one side alone (a brow behind glasses frames, whose landmarks stay put) is not a press."""

from __future__ import annotations

import numpy as np
import pytest

from facefit.coach.engine import WEAKER_SIDE_SHARE, Engine
from facefit.coach.specs import spec_for

from .traces import Trace


def _reps(right: float, left: float, *, stored: bool) -> int:
    """Three presses facing the camera, the brows down by ``right`` / ``left`` IPD over a 3 s hold,
    after a rise that overshoots to 1.25x (so the mean of the sides passes enter on the way in)."""
    trace = Trace(40.0, noise=0.0003)
    shape = np.zeros_like(trace.t)
    for start in (3.0, 12.0, 21.0):
        shape += np.interp(trace.t, start + np.array([0.0, 0.6, 0.9, 3.9, 4.5]), [0.0, 1.25, 1.0, 1.0, 0.0],
                           left=0.0, right=0.0)
    trace.add("brow_lift_r", shape, -right).add("brow_lift_l", shape, -left)
    rest = trace.values[0].copy() if stored else None
    engine = Engine(spec_for("forehead-relaxer"), rest=rest, reps_target=3)
    engine.run(trace.series())
    engine.finish()
    assert abs(engine._rest_angles[0]) < 1.0  # facing the camera: the mean of the sides drives the rep
    return len(engine.reps)


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize(("right", "left", "reps"), [
    (0.010, 0.004, 3),  # mean 0.007 under enter 0.008; the weaker side 0.4 of the stronger (the synth's)
    (0.004, 0.010, 3),  # the other side
    (0.013, 0.001, 0),  # one side alone: under a tenth of the other
    (0.0075, 0.0065, 0),  # no side reaches enter
])
def test_an_uneven_press_counts_when_both_sides_pressed(right: float, left: float, reps: int,
                                                         stored: bool) -> None:
    spec = spec_for("forehead-relaxer")
    assert spec.drive_from == "mean"
    assert spec.exit <= (right + left) / 2 < spec.enter
    assert _reps(right, left, stored=stored) == reps


def test_the_share_sits_between_a_brow_behind_glasses_and_the_synths_uneven_press() -> None:
    assert 0.14 < WEAKER_SIDE_SHARE < 0.4
