"""The engine on ground-truth synth clips through the real Face Landmarker: counts, holds, faults, safety."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from facefit.practice.analyze import analyze_series
from facefit.synth.spec import Fault

pytestmark = pytest.mark.slow
Make = Callable[..., Any]

CLIPS = {
    "cheek-lifter": {"reps": 3, "hold_s": 2.0},
    "jawline-toner": {"reps": 2, "hold_s": 3.0, "tempo_up_s": 1.5, "tempo_down_s": 1.5},
    "jawline-definition": {"reps": 2, "hold_s": 2.5},
    "neck-tightener": {"reps": 3, "hold_s": 2.0},
    "brow-smoothener": {"reps": 2, "hold_s": 3.0},
    "forehead-relaxer": {"reps": 2, "hold_s": 3.0},
}


@pytest.mark.parametrize("exercise", list(CLIPS))
def test_each_exercise_counts_exactly_and_times_holds(synth_signals: Make, exercise: str) -> None:
    series, truth = synth_signals(exercise, rest_s=1.5, **CLIPS[exercise])
    result, _engine = analyze_series(series, exercise_id=exercise, fps=15.0)
    assert len(result["reps"]) == len(truth.reps), result
    assert result["safety"] == []
    for rep, want in zip(result["reps"], truth.reps, strict=True):
        assert want["start_s"] - 0.3 <= rep["peak_s"] <= want["end_s"] + 0.3
        assert rep["hold_s"] == pytest.approx(want["hold_end_s"] - want["hold_start_s"], abs=0.3)
        assert rep["faults"] == [], rep
    assert len(result["holds"]) == len(truth.reps)


def test_teeth_showing_gets_the_fault_on_that_rep(synth_signals: Make) -> None:
    series, _truth = synth_signals("cheek-lifter", reps=2, hold_s=2.0, rest_s=1.5,
                                   faults=(Fault("teeth", (2,)),))
    result, _ = analyze_series(series, exercise_id="cheek-lifter", fps=15.0)
    assert [("teeth-showing" in r["faults"]) for r in result["reps"]] == [False, True]
    assert any(f["kind"] == "teeth-showing" for f in result["faults"])


def test_talking_and_blinking_never_count(synth_signals: Make) -> None:
    series, truth = synth_signals("none", reps=0, rest_s=14.0, distractors=("talk", "blink"), seed=3)
    assert truth.distractors  # the clip really talks and blinks
    for exercise in CLIPS:
        result, _ = analyze_series(series, exercise_id=exercise, fps=15.0)
        assert result["reps"] == [], exercise
        assert result["safety"] == [], exercise


def test_twitch_at_rest_raises_a_safety_stop(synth_signals: Make) -> None:
    series, truth = synth_signals("cheek-lifter", reps=2, hold_s=1.5, rest_s=4.0,
                                  faults=(Fault("twitch"),), seed=5)
    assert len(truth.twitches) >= 2
    result, engine = analyze_series(series, exercise_id="cheek-lifter", fps=15.0)
    assert [s["kind"] for s in result["safety"]] == ["twitch"]
    assert engine.stopped is not None and "relax" in engine.stopped.message
