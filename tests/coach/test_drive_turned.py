"""A turned rest drives the forehead relaxer's rep from the stronger side (coach/specs.py
``drive_from_turned``): the landmarker reads the far side of a turned face's brow press smaller, so a press
whose mean of the sides stays under ``enter`` is counted with the head turned, and not facing the camera."""

from __future__ import annotations

import pytest

from facefit.coach.engine import TURNED_YAW_DEG, Engine
from facefit.coach.specs import spec_for
from facefit.signals.names import SIGNAL_INDEX

from .traces import Trace

# brows pressed down: the near side 0.012 IPD, the far side 0.003 (mean 0.0075, under enter 0.008)
PRESS = {"brow_lift_r": -0.012, "brow_lift_l": -0.003}


def _reps(rest_yaw: float, *, stored: bool) -> int:
    """Reps counted from a stored rest, or from the rest the engine finds in the clip's first still second."""
    trace = Trace(40.0, noise=0.0003).reps_of(PRESS, n=3, first=3.0, hold=3.0, gap=3.0)
    trace.values[:, SIGNAL_INDEX["head_yaw"]] += rest_yaw
    rest = trace.values[0].copy() if stored else None
    engine = Engine(spec_for("forehead-relaxer"), rest=rest, reps_target=3)
    engine.run(trace.series())
    engine.finish()
    assert engine.calibration == ("stored" if stored else "first-second")
    return len(engine.reps)


@pytest.mark.parametrize("stored", [True, False])
@pytest.mark.parametrize(("rest_yaw", "reps"), [(15.0, 3), (-15.0, 3), (0.0, 0), (TURNED_YAW_DEG - 2.0, 0)])
def test_a_turned_rest_counts_the_press_the_near_side_makes(rest_yaw: float, reps: int, stored: bool) -> None:
    spec = spec_for("forehead-relaxer")
    assert spec.drive_from == "mean" and spec.drive_from_turned == "stronger-side"
    assert (PRESS["brow_lift_r"] + PRESS["brow_lift_l"]) / -2 < spec.enter < -PRESS["brow_lift_r"]
    assert _reps(rest_yaw, stored=stored) == reps
