"""A first-second rest that was a held smile is learned again (coach/engine.py REST_AGAIN_S).

A person already smiling when the coach starts gives a "rest" that is a smile: every smile after it was
measured from that smile and none was counted. The cheek lifter's own witness, the landmarker's smile score,
says such a rest was a smile; when the face then settles well below it (corners down, score down) for a
second before any rep, the coach says so and learns the rest again. Nothing else relearns: a drive below
the rest is everyday movement for a head tilt or a brow press, and a rest that scores as no smile is kept."""

from __future__ import annotations

import numpy as np

from coach.traces import SMILE, Trace, rep_curve
from facefit.coach.engine import Engine
from facefit.coach.events import FaultEvent
from facefit.coach.specs import spec_for
from facefit.practice.sets import SetPlan, SetRunner
from facefit.signals.names import SIGNAL_INDEX

SCORE = ("bs_mouthSmileLeft", "bs_mouthSmileRight")
SCORED_SMILE = {**SMILE, SCORE[0]: 0.7, SCORE[1]: 0.7}
CHEEK = "cheek-lifter"


def _with_score(trace: Trace, at_rest: float) -> Trace:
    for name in SCORE:
        trace.values[:, SIGNAL_INDEX[name]] += at_rest - trace.values[:, SIGNAL_INDEX[name]].mean()
    return trace


def _opened_in(signals: dict[str, float], *, seed: int = 0, fps: float = 30.0, held_to: float = 3.0,
               reps: int = 3) -> Trace:
    """The stream opens 2 s into a held move, which ends at ``held_to``; ``reps`` smiles from 6.5 s."""
    trace = _with_score(Trace(26.0, fps=fps, seed=seed), 0.1)
    held = rep_curve(trace.t, -2.0, 1.0, held_to + 1.0, 1.0)
    for name, amount in signals.items():
        trace.add(name, held, amount)
    return trace.reps_of(SCORED_SMILE, n=reps, first=held_to + 3.5, hold=2.0)


def _said(engine: Engine) -> list[float]:
    return [e.t_s for e in engine.events if isinstance(e, FaultEvent) and e.fault == "rest-again"]


def _batch_and_live(exercise: str, trace: Trace) -> tuple[Engine, Engine]:
    series = trace.series()
    batch = Engine.for_exercise(exercise)
    batch_events = batch.run(series)
    live = Engine.for_exercise(exercise)
    live_events = [e for i in range(len(series)) for e in live.update(series.values[i], series.t_ms[i])]
    assert live_events == batch_events
    assert (live.frames, live.frames_without_face) == (batch.frames, batch.frames_without_face)
    assert batch.frames == len(series) and batch.frames_without_face == 0
    return batch, live


def test_a_rest_learned_inside_a_smile_is_learned_again_and_the_smiles_count() -> None:
    for fps in (15.0, 30.0):
        for seed in range(3):
            batch, live = _batch_and_live(CHEEK, _opened_in(SCORED_SMILE, seed=seed, fps=fps))
            assert len(batch.reps) == 3, (fps, seed, batch.summary())
            said = _said(batch)
            assert len(said) == 1 and 4.0 <= said[0] <= 6.0, said
            assert batch.calibration == "first-second" and batch.rest is not None
            assert batch.rest[SIGNAL_INDEX[SCORE[0]]] < 0.3  # the new rest is the relaxed face
            assert live.rest is not None and np.allclose(live.rest, batch.rest)


def test_without_the_relearn_that_set_was_silent() -> None:
    """What the relearn is for: the same stream, with the spec's rest_witness_max taken away."""
    spec = spec_for(CHEEK).model_copy(update={"rest_witness_max": None})
    engine = Engine(spec, reps_target=3)
    engine.run(_opened_in(SCORED_SMILE).series())
    assert len(engine.reps) == 0 and not _said(engine)


def test_a_broad_smile_let_go_to_a_lighter_one_is_learned_again_once_and_both_paths_agree() -> None:
    """Opens in a broad smile, settles to a lighter one (still scored a smile: not taken as the rest), then
    relaxes: the rest is the relaxed face, and the smiles count."""
    trace = _with_score(Trace(30.0, seed=4), 0.05)
    broad = rep_curve(trace.t, -2.0, 1.0, 4.0, 1.0)  # down from 3 s to 4 s
    light = rep_curve(trace.t, -2.0, 1.0, 8.5, 1.0)  # down from 7.5 s to 8.5 s
    extra = {"mouth_corner_lift_r": 0.05, "mouth_corner_lift_l": 0.05, "mouth_width": 0.04,
             SCORE[0]: 0.35, SCORE[1]: 0.35}
    for name, amount in extra.items():
        trace.add(name, broad, amount)  # a smile scored 0.95 ...
    for name, amount in {**SCORED_SMILE, SCORE[0]: 0.55, SCORE[1]: 0.55}.items():
        trace.add(name, light, amount)  # ... settling to one scored 0.6
    trace.reps_of(SCORED_SMILE, n=3, first=11.0, hold=2.0)
    batch, _live = _batch_and_live(CHEEK, trace)
    assert len(_said(batch)) == 1 and len(batch.reps) == 3
    assert batch.rest is not None and batch.rest[SIGNAL_INDEX[SCORE[0]]] < 0.3


def test_a_relaxed_rest_is_kept_whatever_the_face_does_before_the_first_rep() -> None:
    """A rest scored as no smile is kept through a frown (corners 0.05 below it for 3 s) and talking."""
    for seed in range(5):
        trace = _with_score(Trace(26.0, seed=seed, noise=0.004), 0.1)
        frown = rep_curve(trace.t, 2.0, 0.5, 3.0, 0.5)
        for name in ("mouth_corner_lift_r", "mouth_corner_lift_l"):
            trace.add(name, frown, -0.05)
        trace.reps_of(SCORED_SMILE, n=3, first=8.0, hold=2.0)
        engine = Engine.for_exercise(CHEEK)
        engine.run(trace.series())
        assert len(engine.reps) == 3 and not _said(engine)


def test_a_smiling_rest_whose_score_stays_is_kept() -> None:
    """A face that smiles at rest (as many portrait photos do) and whose corners dip while its smile score
    holds is not told its rest was wrong: the witness did not drop."""
    trace = _with_score(Trace(26.0, seed=1), 0.8)
    dip = rep_curve(trace.t, 2.0, 0.5, 3.0, 0.5)
    for name in ("mouth_corner_lift_r", "mouth_corner_lift_l"):
        trace.add(name, dip, -0.05)
    trace.reps_of(SMILE, n=3, first=8.0, hold=2.0)
    engine = Engine.for_exercise(CHEEK)
    engine.run(trace.series())
    assert len(engine.reps) == 3 and not _said(engine)


def test_only_a_spec_with_a_rest_witness_relearns() -> None:
    """The same stream opened mid-smile, and one opened looking 6 degrees down, through every other spec."""
    looked_down = {"head_pitch": -6.0}
    for exercise in ("jawline-toner", "jawline-definition", "neck-tightener", "brow-smoothener",
                     "forehead-relaxer"):
        assert spec_for(exercise).rest_witness_max is None
        for signals in (SCORED_SMILE, looked_down):
            engine = Engine.for_exercise(exercise)
            engine.run(_opened_in(signals).series())
            assert not _said(engine), exercise


def test_a_stored_rest_is_kept() -> None:
    """A calibration the person made is theirs: the coach does not replace it within a set."""
    trace = _opened_in(SCORED_SMILE)
    smiling = np.median(trace.values[: int(0.5 * trace.fps)], axis=0)
    engine = Engine.for_exercise(CHEEK, rest=smiling)
    engine.run(trace.series())
    assert not _said(engine) and engine.calibration == "stored" and len(engine.reps) == 0


def test_the_set_runner_does_not_carry_a_rest_thrown_away() -> None:
    """Between the rest-again and the next still second the runner holds no rest, so a set ending there
    does not hand the smile to the next set as a stored calibration (practice/sets.py)."""
    trace = _opened_in(SCORED_SMILE)
    series = trace.series()
    plan = SetPlan(exercise_id=CHEEK, sets=2, reps_target=3, hold_s=2.0, set_s=30.0, rest_s=5.0)
    runner = SetRunner(plan)
    carried = []
    for i in range(len(series)):
        step = runner.frame(series.values[i], series.t_ms[i])
        if any(isinstance(e, FaultEvent) and e.fault == "rest-again" for e in step.events):
            carried.append(runner.rest)
    assert carried == [None]
    assert runner.rest is not None and runner.rest[SIGNAL_INDEX[SCORE[0]]] < 0.3
    assert runner.sets_done == 1 and runner.reps_total == 3


def test_the_next_smile_is_not_learned_as_the_rest_again() -> None:
    """Smiles held 1 s with 1.5 s between: after the relearn the next still second is the next smile's hold.
    It is passed over (its score is far above where the face settled), so the coach says rest-again once
    and counts from the first relaxed second it finds, instead of relearning on every smile."""
    trace = _with_score(Trace(40.0, seed=2), 0.05)
    held = rep_curve(trace.t, -2.0, 0.6, 3.0, 0.6)  # opens in a smile, relaxed from 1.6 s to 3.1 s
    for name, amount in SCORED_SMILE.items():
        trace.add(name, held, amount)
    trace.reps_of(SCORED_SMILE, n=8, first=3.1, up=0.6, hold=1.0, down=0.6, gap=1.5)
    batch, _live = _batch_and_live(CHEEK, trace)
    assert len(_said(batch)) == 1
    assert 5 <= len(batch.reps) <= 7, batch.summary()  # the reps after a relaxed still second


def _smiley_rest_then(corners: float, width: float, *, seed: int, held: float = 2.0) -> Trace:
    """A face whose true rest scores 0.7 on smile pulls its corners down ``corners`` (the score down 0.4,
    the mouth ``width`` narrower) from 2.5 s for ``held`` s (0.3 s each way), then smiles 3 times at 16 s."""
    trace = _with_score(Trace(30.0, seed=seed), 0.7)
    down = rep_curve(trace.t, 2.5, 0.3, held, 0.3)
    for name, amount in {"mouth_corner_lift_r": corners, "mouth_corner_lift_l": corners, "mouth_width": width,
                         SCORE[0]: -0.4, SCORE[1]: -0.4}.items():
        trace.add(name, down, amount)
    return trace.reps_of(SMILE, n=3, first=16.0, hold=2.0)


def test_a_smiley_face_pulling_its_corners_down_keeps_its_rest() -> None:
    """The score falls, but the mouth does not narrow as a smile let go does: not a held smile."""
    for seed in range(3):
        engine = Engine.for_exercise(CHEEK)
        engine.run(_smiley_rest_then(-0.05, 0.0, seed=seed).series())
        engine.finish()
        assert not _said(engine) and len(engine.reps) == 3, engine.summary()


def test_a_wrong_call_still_finds_a_rest_and_counts() -> None:
    """A 1.2 s frown that narrows the mouth too is taken for a smile let go (nothing tells them apart), and it
    ends before a still second of it is seen: the true rest, which reads like the 'smile' given up, is passed
    over only for REST_AGAIN_CAP_S, then learned, and the smiles count."""
    engine = Engine.for_exercise(CHEEK)
    engine.run(_smiley_rest_then(-0.05, -0.04, seed=0, held=1.2).series())
    engine.finish()
    assert len(_said(engine)) == 1 and len(engine.reps) == 3, engine.summary()
    assert engine.rest is not None and engine.rest[SIGNAL_INDEX[SCORE[0]]] > 0.6
