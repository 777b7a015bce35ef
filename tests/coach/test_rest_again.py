"""A first-second rest that was a held rep is learned again (coach/engine.py RELEARN_BELOW_S).

A person already smiling when the coach starts gives a "rest" that is a smile: every rep after it was
measured from that smile and none was counted. Once the face settles well below such a rest for a second
before any rep, the coach says so and learns the rest again from the next still second."""

from __future__ import annotations

import numpy as np

from coach.traces import SMILE, Trace, rep_curve
from facefit.coach.engine import Engine
from facefit.coach.events import FaultEvent


def _started_mid_smile(*, seed: int = 0, fps: float = 30.0) -> Trace:
    """The stream opens 2 s into a held smile, which ends at 3 s; three smiles from 6.5 s."""
    trace = Trace(26.0, fps=fps, seed=seed)
    held = rep_curve(trace.t, -1.0, 1.0, 3.0, 1.0)
    for name, amount in SMILE.items():
        trace.add(name, held, amount)
    return trace.reps_of(SMILE, n=3, first=6.5, hold=2.0)


def _faults(engine: Engine, kind: str) -> list[FaultEvent]:
    return [e for e in engine.events if isinstance(e, FaultEvent) and e.fault == kind]


def test_a_rest_learned_inside_a_smile_is_learned_again_and_the_reps_count() -> None:
    for fps in (15.0, 30.0):
        series = _started_mid_smile(fps=fps).series()
        batch = Engine.for_exercise("cheek-lifter")
        batch_events = batch.run(series)
        assert len(batch.reps) == 3, (fps, batch.summary())
        said = _faults(batch, "rest-again")
        assert len(said) == 1 and 4.0 <= said[0].t_s <= 5.5, said
        assert batch.calibration == "first-second" and batch.rest is not None
        # the live path, frame by frame, ends the same way
        live = Engine.for_exercise("cheek-lifter")
        live_events = [e for i in range(len(series)) for e in live.update(series.values[i], series.t_ms[i])]
        assert live_events == batch_events
        assert (live.frames, live.frames_without_face) == (batch.frames, batch.frames_without_face)
        assert batch.frames == len(series) and batch.frames_without_face == 0
        assert batch.summary()["reps_done"] == 3


def test_a_rest_face_is_never_learned_again() -> None:
    for seed in range(5):
        trace = Trace(22.0, seed=seed, noise=0.004).reps_of(SMILE, n=3, first=2.5, hold=2.0)
        engine = Engine.for_exercise("cheek-lifter")
        engine.run(trace.series())
        assert len(engine.reps) == 3 and not _faults(engine, "rest-again")


def test_a_stored_rest_is_kept() -> None:
    """A calibration the person made is theirs: the coach does not replace it within a set."""
    trace = _started_mid_smile()
    neutral = np.median(trace.values[int(4.0 * trace.fps):int(6.0 * trace.fps)], axis=0)
    engine = Engine.for_exercise("cheek-lifter", rest=neutral)
    engine.run(trace.series())
    assert not _faults(engine, "rest-again") and engine.calibration == "stored"
    assert len(engine.reps) == 4  # measured from the true rest, the smile the stream opened in is one
