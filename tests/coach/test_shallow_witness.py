"""The shallow witness (coach/specs.py ``shallow_witness``): a smile whose corners go out more than up (its
corner lift never reaches ``enter``) is counted when the mouth widens twice the gate, and a rise that lifts
the corners as far without that widening (talking) is not."""

from __future__ import annotations

import numpy as np
import pytest

from facefit.coach.engine import Engine
from facefit.coach.specs import ExerciseSpec, spec_for
from facefit.signals.names import SIGNAL_NAMES

from .traces import shallow_smile


def _count(lift: float, width: float, spec: ExerciseSpec | None = None) -> int:
    engine = Engine(spec or spec_for("cheek-lifter"), rest=np.zeros(len(SIGNAL_NAMES)), reps_target=3)
    engine.run(shallow_smile(lift, width=width))
    engine.finish()
    return len(engine.reps)


@pytest.mark.parametrize(("width", "counted"), [(0.086, 1), (0.04, 0)])
def test_a_smile_short_of_enter_counts_when_the_mouth_widens_enough(width: float, counted: int) -> None:
    spec = spec_for("cheek-lifter")
    assert spec.shallow_witness is not None and spec.shallow_witness.feature == "width"
    lift = 0.72 * spec.enter  # the clip peaks at 1.25x its hold: 0.9x enter, past halfway from exit
    assert 0.5 * (spec.enter + spec.exit) < 1.25 * lift < spec.enter
    assert _count(lift, width) == counted


def test_the_shallow_path_still_needs_the_lift_past_halfway() -> None:
    spec = spec_for("cheek-lifter")
    lift = 0.4 * (spec.enter + spec.exit) / 1.25  # peak under halfway from exit to enter
    assert _count(lift, 0.12) == 0


def test_without_a_shallow_witness_only_enter_starts_a_rep() -> None:
    fields = spec_for("cheek-lifter").model_dump()
    fields.update(shallow_witness=None)
    spec = ExerciseSpec(**fields)
    assert _count(0.72 * spec.enter, 0.086, spec=spec) == 0
    assert _count(1.5 * spec.enter, 0.086, spec=spec) == 1
