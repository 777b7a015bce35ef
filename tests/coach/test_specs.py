"""Detection specs: every checked exercise is in the catalog, and bad spec files fail with the field named."""

from __future__ import annotations

import numpy as np
import pytest

from coach.traces import SMILE, Trace
from facefit.catalog.loader import load_catalog
from facefit.coach.engine import Engine
from facefit.coach.specs import SPECS_PATH, checked_exercises, parse_specs, spec_for
from facefit.errors import CatalogError
from facefit.practice.overlay import annotate

BASE = SPECS_PATH.read_text(encoding="utf-8")


def test_every_spec_names_a_catalog_exercise_and_targets_come_from_its_card() -> None:
    catalog = load_catalog()
    assert set(checked_exercises()) == {"cheek-lifter", "jawline-toner", "jawline-definition",
                                        "neck-tightener", "brow-smoothener", "forehead-relaxer"}
    for exercise_id in checked_exercises():
        card = catalog.exercise(exercise_id)
        engine = Engine.for_exercise(exercise_id)
        assert engine.reps_target == card.reps
        assert engine.hold_target_s == (card.hold_s if card.reps else card.duration_s)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('enter = 0.04\nexit = 0.02', 'enter = 0.02\nexit = 0.04', "exit"),
        ('drive = "smile"', 'drive = "grin"', "unknown feature 'grin'"),
        ('ask = "a closed-lip smile', 'colour = "red"\nask = "a closed-lip smile', "colour"),
        ('allowed_shapes = ["smile", "i-shape"]', 'allowed_shapes = ["wink"]', "unknown shapes"),
        ("not_resisting = 0.06\n", "", "not_resisting"),
        ('[[spec]]\nexercise = "cheek-lifter"', '[[spec]]\nexercise = "jawline-toner"', "two specs"),
        ('[[shape]]', '[[shape]\n', "not valid TOML"),
        ('drive = "smile"', 'drive = "mouth_open"\ndecouple_mouth = true', "lip opening itself"),
        ("twice the {target}", "twice the {goal}", r"overwork: \{goal\} is not a field it can use"),
        ('lip_flap = "The lips', 'lip_flap_typo = "x"\nlip_flap = "The lips', "lip_flap_typo"),
        ("reject_busy_lips = true\n", "reject_busy_lips = true\nreject_speech = false\n",
         "needs reject_speech"),
    ],
)
def test_bad_specs_fail_loudly(old: str, new: str, message: str) -> None:
    assert old in BASE, old
    with pytest.raises(CatalogError, match=message):
        parse_specs(BASE.replace(old, new, 1), source="test.toml")


def test_unknown_exercise_lists_the_checked_ones() -> None:
    with pytest.raises(CatalogError, match="cheek-lifter, jawline-toner"):
        spec_for("skin-prep")


def test_live_hold_ring_and_overlay() -> None:
    series = Trace(12.0).reps_of(SMILE, n=1, hold=3.0).series()
    engine = Engine(spec_for("cheek-lifter"), reps_target=10, hold_target_s=5.0)
    rings = []
    frame = np.zeros((240, 320, 3), dtype=np.uint8)
    drawn = None
    for i in range(len(series)):
        engine.update(series.values[i], series.t_ms[i])
        rings.append(engine.holding_s)
        if series.t_ms[i] == 4500:
            drawn = annotate(frame, None, engine)
    assert max(rings) == pytest.approx(3.0, abs=0.5) and rings[-1] == 0.0
    assert drawn is not None and drawn.shape == frame.shape and drawn.any() and not frame.any()
