"""A spec's gate (cheek lifter: the mouth widens as well as lifts) must hold through the hold, not only at the
frame the drive crossed enter: a talking rise whose mouth widened for a moment is no smile."""

from __future__ import annotations

import numpy as np
import pytest

from facefit.coach.engine import Engine
from facefit.coach.specs import spec_for
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries

FPS = 15.0


def _rise(width_in_hold: float) -> SignalSeries:
    """Corner lift 0.06 held 2.1 -> 4.6 s; the mouth 0.06 wider while it climbs, then ``width_in_hold``."""
    t = np.arange(0.0, 7.2, 1.0 / FPS)
    lift = np.interp(t, [0, 1.5, 2.1, 4.6, 5.2, 7.2], [0, 0, 0.06, 0.06, 0, 0])
    width = np.where(t < 2.2, np.interp(t, [0, 1.5, 2.1], [0, 0, 0.06]), width_in_hold)
    width = np.where(t > 5.2, 0.0, width)
    values = np.zeros((len(t), len(SIGNAL_NAMES)))
    values[:, SIGNAL_INDEX["face_present"]] = 1.0
    for name in ("mouth_corner_lift_r", "mouth_corner_lift_l"):
        values[:, SIGNAL_INDEX[name]] = lift
    values[:, SIGNAL_INDEX["mouth_width"]] = width
    return SignalSeries(t * 1000.0, values)


@pytest.mark.parametrize(("width_in_hold", "counted"), [(0.06, 1), (0.0, 0)])
def test_the_smile_gate_holds_through_the_hold(width_in_hold: float, counted: int) -> None:
    engine = Engine(spec_for("cheek-lifter"), rest=np.zeros(len(SIGNAL_NAMES)), reps_target=3)
    engine.run(_rise(width_in_hold))
    engine.finish()
    assert len(engine.reps) == counted
