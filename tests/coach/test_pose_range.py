"""The head-pose operating range: outside it the coach says once to face the camera and counts nothing."""

from __future__ import annotations

import numpy as np
import pytest

from coach.traces import SMILE, Trace, rep_curve
from facefit.coach.engine import Engine
from facefit.coach.specs import pose_range_message
from facefit.signals.calibration import RestRejectedError, calibrate_from_series
from facefit.signals.names import SIGNAL_INDEX
from facefit.signals.pose_range import PITCH_LIMIT_DEG, YAW_LIMIT_DEG, rest_pose_problem


def _turned(trace: Trace, yaw: float = 0.0, pitch: float = 0.0) -> Trace:
    trace.values[:, SIGNAL_INDEX["head_yaw"]] += yaw
    trace.values[:, SIGNAL_INDEX["head_pitch"]] += pitch
    return trace


def _said(events: list, kind: str = "face-camera") -> list:
    return [e for e in events if getattr(e, "fault", None) == kind]


@pytest.mark.parametrize(("yaw", "pitch"), [(35.0, 0.0), (-35.0, 0.0), (0.0, 25.0)])
def test_a_rest_outside_the_range_is_refused_once_and_no_rep_counts(yaw: float, pitch: float) -> None:
    trace = _turned(Trace(30.0).reps_of(SMILE, n=4), yaw, pitch)
    engine = Engine.for_exercise("cheek-lifter")
    events = engine.run(trace.series())
    assert len(_said(events)) == 1 and _said(events)[0].message == pose_range_message()
    assert engine.reps == [] and engine.rest is None


def test_the_live_path_says_it_too() -> None:
    trace = _turned(Trace(10.0).reps_of(SMILE, n=1), yaw=35.0)
    engine = Engine.for_exercise("cheek-lifter")
    events = [e for t, row in zip(trace.t, trace.values, strict=True) for e in engine.update(row, t * 1000)]
    assert len(_said(events)) == 1 and engine.reps == []


def test_inside_the_range_every_rep_counts_and_nothing_is_said() -> None:
    trace = _turned(Trace(30.0).reps_of(SMILE, n=4), yaw=0.9 * YAW_LIMIT_DEG, pitch=-0.9 * PITCH_LIMIT_DEG)
    engine = Engine.for_exercise("cheek-lifter")
    events = engine.run(trace.series())
    assert len(engine.reps) == 4 and not _said(events)


def test_turning_away_during_a_set_holds_back_reps_until_the_face_is_back() -> None:
    trace = Trace(40.0).reps_of(SMILE, n=4, first=2.0, gap=4.0)  # reps start at 2, 10, 18, 26 s
    away = rep_curve(trace.t, 7.0, 0.5, 9.0, 0.5)  # turned 35 deg from 7.5 to 16.5 s: rep 2 happens there
    trace.add("head_yaw", away, 35.0)
    engine = Engine.for_exercise("cheek-lifter")
    events = engine.run(trace.series())
    assert len(_said(events)) == 1
    starts = [rep.start_s for rep in engine.reps]
    assert len(starts) == 3 and not any(7.0 <= s <= 17.0 for s in starts)


def test_a_head_tilt_exercise_is_not_stopped_by_its_own_tilt() -> None:
    # jawline-toner: the head goes back 20 deg from a rest already 10 deg up (camera below the eyes).
    tilts = Trace(40.0).reps_of({"head_pitch": 20.0, "mouth_roundness": 0.1}, n=3, hold=4.0)
    trace = _turned(tilts, pitch=10.0)
    engine = Engine.for_exercise("jawline-toner")
    events = engine.run(trace.series())
    assert len(engine.reps) == 3 and not _said(events)


def test_calibration_refuses_a_rest_outside_the_range() -> None:
    trace = _turned(Trace(3.0, fps=15), yaw=-30.0)
    with pytest.raises(RestRejectedError, match=r"turned 30 deg to your right.*turn to face the camera"):
        calibrate_from_series(trace.series(), require_neutral=True)
    inside = np.zeros(len(SIGNAL_INDEX))
    inside[SIGNAL_INDEX["head_yaw"]], inside[SIGNAL_INDEX["head_pitch"]] = 19.0, -14.0
    assert rest_pose_problem(inside) is None


@pytest.mark.parametrize(("yaw", "weak_share", "uneven"),
                         [(0.0, 0.55, True), (15.0, 0.55, False), (-15.0, 0.55, False), (15.0, 0.35, True)])
def test_with_the_head_turned_a_smile_must_be_clearly_uneven_to_be_called_so(
    yaw: float, weak_share: float, uneven: bool
) -> None:
    smile = {"mouth_corner_lift_r": 0.07, "mouth_corner_lift_l": 0.07 * weak_share, "mouth_width": 0.08}
    trace = _turned(Trace(20.0).reps_of(smile, n=2), yaw=yaw)
    engine = Engine.for_exercise("cheek-lifter")
    engine.run(trace.series())
    assert len(engine.reps) == 2
    assert all(("asymmetry" in rep.faults) is uneven for rep in engine.reps)
