"""The witness of a shallow rep (coach/specs.py ``witness``): a smile whose held corner lift ends just under
``enter`` counts when the landmarker's smile score saw it, and not when the score stayed flat."""

from __future__ import annotations

import numpy as np
import pytest

from facefit.coach.engine import Engine
from facefit.coach.specs import ExerciseSpec, spec_for
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries

from .traces import shallow_smile

FPS = 15.0


def _smile_clip(lift: float, score: float) -> SignalSeries:
    """A smile whose mouth widens 0.04 IPD: past the gate, short of the shallow witness
    (test_shallow_witness.py)."""
    return shallow_smile(lift, width=0.04, score=score)


@pytest.mark.parametrize(("score", "counted"), [(0.6, 1), (0.05, 0)])
def test_a_smile_held_just_under_enter_counts_when_the_smile_score_saw_it(score: float, counted: int) -> None:
    spec = spec_for("cheek-lifter")
    lift = 0.9 * spec.enter  # between exit and enter
    engine = Engine(spec, rest=np.zeros(len(SIGNAL_NAMES)), reps_target=3)
    engine.run(_smile_clip(lift, score))
    engine.finish()
    assert len(engine.reps) == counted


def test_a_clear_smile_needs_no_witness() -> None:
    spec = spec_for("cheek-lifter")
    engine = Engine(spec, rest=np.zeros(len(SIGNAL_NAMES)), reps_target=3)
    engine.run(_smile_clip(1.5 * spec.enter, 0.0))
    engine.finish()
    assert len(engine.reps) == 1


def test_a_witness_needs_its_level() -> None:
    fields = spec_for("cheek-lifter").model_dump()
    fields.update(witness="smile_score", witness_min=0.0)
    with pytest.raises(ValueError, match="witness_min"):
        ExerciseSpec(**fields)


def _sagging_smile(score: float) -> SignalSeries:
    """A smile held 2.1 -> 4.6 s whose corner lift sags to half its peak while the smile score stays flat."""
    t = np.arange(0.0, 7.2, 1.0 / FPS)
    lift = 0.08 * np.interp(t, [0, 1.5, 2.1, 4.6, 5.2, 7.2], [0, 0, 1.0, 0.5, 0, 0])
    flat = np.interp(t, [0, 1.5, 2.1, 4.6, 5.2, 7.2], [0, 0, 1.0, 1.0, 0, 0])
    values = np.zeros((len(t), len(SIGNAL_NAMES)))
    values[:, SIGNAL_INDEX["face_present"]] = 1.0
    for name in ("mouth_corner_lift_r", "mouth_corner_lift_l"):
        values[:, SIGNAL_INDEX[name]] = lift
    values[:, SIGNAL_INDEX["mouth_width"]] = 0.06 * flat
    for name in ("bs_mouthSmileLeft", "bs_mouthSmileRight"):
        values[:, SIGNAL_INDEX[name]] = score * flat
    return SignalSeries(t * 1000.0, values)


def test_the_hold_is_timed_on_the_witness_when_it_saw_the_rep() -> None:
    holds = {}
    for score in (0.6, 0.0):
        engine = Engine(spec_for("cheek-lifter"), rest=np.zeros(len(SIGNAL_NAMES)), reps_target=3)
        engine.run(_sagging_smile(score))
        engine.finish()
        assert len(engine.reps) == 1
        holds[score] = engine.reps[0].hold_s
    assert holds[0.6] == pytest.approx(2.5, abs=0.35)  # the score's plateau, 2.1 -> 4.6 s
    assert holds[0.0] < holds[0.6] - 0.5  # the sagging lift alone reads the hold short
