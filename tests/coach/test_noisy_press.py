"""A brow press through a noisy camera: its enter is raised above the drive's noise (spec ``noise_k``), and
the press's active time is counted from where it passed the spec's own enter, not the raised one (which a
noisy press crosses late: tuning seed 4101's astronaut, compressed, enter raised 0.008 -> 0.020 IPD, held
0.015-0.019: two of its seven presses were active 1.3 and 1.9 s from the raised enter, under the 2.0 s
``min_active_s``)."""

from __future__ import annotations

import pytest

from facefit.coach.engine import Engine
from facefit.coach.specs import spec_for

from .traces import Trace

NOISE = 0.006  # per-signal SD, IPD: the forehead relaxer's enter rises to 0.013-0.017 over the rest second


def _engine(trace: Trace, reps: int) -> Engine:
    engine = Engine(spec_for("forehead-relaxer"), reps_target=reps)
    engine.run(trace.series())
    engine.finish()
    return engine


@pytest.mark.parametrize("seed", [0, 3])
def test_noisy_presses_held_a_second_and_a_half_are_counted(seed: int) -> None:
    spec = spec_for("forehead-relaxer")
    trace = Trace(40.0, fps=15.0, noise=NOISE, seed=seed).reps_of(
        {"brow_lift_r": -0.016, "brow_lift_l": -0.016}, n=4, first=3.0, up=0.8, hold=1.5, down=0.8, gap=3.0)
    engine = _engine(trace, 4)
    assert engine._enter > 1.5 * spec.enter  # the enter was raised for the noise
    assert len(engine.reps) == 4


@pytest.mark.parametrize("seed", range(4))
def test_a_noisy_camera_alone_makes_no_press(seed: int) -> None:
    assert _engine(Trace(40.0, fps=15.0, noise=NOISE, seed=seed), 4).reps == []
