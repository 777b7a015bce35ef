"""The clip timeline and its truth, without rendering: timing, faults, distractors, reproducibility."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.errors import InputError
from facefit.synth.spec import DISTRACTORS, ClipSpec, Fault, parse_size
from facefit.synth.timeline import JERKY_RAMP_S, QUANTUM, build_timeline


def frames_in(t: np.ndarray, start: float, end: float) -> np.ndarray:
    return (t >= start) & (t <= end)


def test_rest_reps_and_holds_line_up_with_frames() -> None:
    spec = ClipSpec(
        exercise="cheek-lifter", reps=3, hold_s=2.0, tempo_up_s=1.0, tempo_down_s=0.5, rest_s=1.5,
        lead_rest_s=2.0, fps=30, strengths=(0.5, 1.0, 0.75), amplitude=0.8,
    )
    timeline = build_timeline(spec)
    t = timeline.t_s
    assert len(t) == spec.frames == round((2.0 + 3 * (1.0 + 2.0 + 0.5 + 1.5)) * 30)
    np.testing.assert_allclose(np.diff(t), 1 / 30)
    assert not timeline.strength[t < spec.lead_rest_s].any()
    for k, rep in enumerate(timeline.reps):
        slot = spec.lead_rest_s + k * spec.rep_s
        assert rep.start_s == pytest.approx(slot)
        assert rep.hold_start_s == rep.peak_s == pytest.approx(slot + 1.0)
        assert rep.hold_end_s == pytest.approx(rep.hold_start_s + 2.0)
        assert rep.end_s == pytest.approx(rep.hold_end_s + 0.5)
        assert rep.strength == pytest.approx(spec.strengths[k] * 0.8)  # type: ignore[index]
        hold = frames_in(t, rep.hold_start_s + 1e-9, rep.hold_end_s - 1e-9)
        np.testing.assert_allclose(timeline.strength[hold], rep.strength, atol=1e-6)
        ramp = frames_in(t, rep.start_s + 0.05, rep.hold_start_s - 0.05)
        assert (np.diff(timeline.strength[ramp]) > 0).all()
        after = frames_in(t, rep.end_s + 1e-9, slot + spec.rep_s - 1e-9)
        assert after.any() and not timeline.strength[after].any()
    # Outside every rep the face is at rest.
    inside = np.zeros_like(t, dtype=bool)
    for rep in timeline.reps:
        inside |= frames_in(t, rep.start_s, rep.end_s)
    assert not timeline.strength[~inside].any()


def test_asymmetry_weakens_one_side_and_teeth_follow_the_rep() -> None:
    spec = ClipSpec(
        reps=2, hold_s=1, fps=20, faults=(Fault("asymmetry"), Fault.parse("teeth@2")), weak_side="right",
        asymmetry_ratio=0.5,
    )
    timeline = build_timeline(spec)
    first, second = timeline.reps
    assert first.side_strength == {"left": 1.0, "right": 0.5}
    assert first.faults == ["asymmetry"] and second.faults == ["asymmetry", "teeth"]
    right, left = timeline.channels["act_r"], timeline.channels["act_l"]
    assert right.max() == pytest.approx(0.5) and left.max() == pytest.approx(1.0)
    teeth = timeline.channels["teeth"]
    assert not teeth[timeline.t_s < second.start_s].any()
    assert teeth[frames_in(timeline.t_s, second.hold_start_s, second.hold_end_s)].min() == pytest.approx(1.0)


def test_jerky_onset_ramps_in_a_tenth_of_a_second_and_keeps_the_hold() -> None:
    spec = ClipSpec(reps=2, hold_s=1, tempo_up_s=1.5, fps=30, faults=(Fault.parse("jerky@1"),))
    jerky, smooth = build_timeline(spec).reps
    assert jerky.faults == ["jerky"] and smooth.faults == []
    assert jerky.hold_start_s - jerky.start_s == pytest.approx(JERKY_RAMP_S)
    assert smooth.hold_start_s - smooth.start_s == pytest.approx(1.5)
    assert jerky.hold_start_s == pytest.approx(spec.lead_rest_s + 1.5)  # same slot, later and faster


def test_twitches_and_talk_happen_in_rests_and_blinks_after_the_lead_rest() -> None:
    spec = ClipSpec(
        reps=3, hold_s=1, rest_s=3.0, fps=30, seed=4, distractors=("talk", "blink", "sway"),
        faults=(Fault("twitch"),),
    )
    timeline = build_timeline(spec)
    rests = timeline.rests
    assert len(timeline.twitches) >= 2
    talk = [(d["start_s"], d["end_s"]) for d in timeline.distractors if d["kind"] == "talk"]
    for twitch in timeline.twitches:
        start, end = twitch["t_s"], twitch["t_s"] + twitch["duration_s"]
        assert any(a <= start and end <= b for a, b in rests)
        assert not any(a - 0.2 < end and start < b + 0.2 for a, b in talk), "twitch hidden in speech"
    kinds = {d["kind"] for d in timeline.distractors}
    assert kinds == set(DISTRACTORS)
    for item in timeline.distractors:
        assert item["start_s"] >= spec.lead_rest_s
        if item["kind"] == "talk":
            assert any(a <= item["start_s"] and item["end_s"] <= b for a, b in rests)
    # The lead rest is perfectly still: every channel is zero there.
    lead = timeline.t_s < spec.lead_rest_s
    for name, values in timeline.channels.items():
        assert not values[lead].any(), name
    talk = timeline.channels["talk"]
    for item in timeline.distractors:
        if item["kind"] == "talk":
            assert talk[frames_in(timeline.t_s, item["start_s"], item["end_s"])].max() > 0.3


def test_channels_are_quantised_for_the_warp_cache() -> None:
    spec = ClipSpec(reps=2, fps=30, distractors=("sway", "blink"), faults=(Fault("twitch"),), seed=1)
    for name, values in build_timeline(spec).channels.items():
        steps = values / QUANTUM[name]
        np.testing.assert_allclose(steps, np.round(steps), atol=1e-9, err_msg=name)


def test_seed_reproduces_and_changes_the_timeline() -> None:
    spec = ClipSpec(
        reps=2, fps=15, distractors=("talk", "blink", "sway"), faults=(Fault("twitch"),), noise=0.5
    )
    a, b = build_timeline(spec), build_timeline(spec)
    c = build_timeline(replace(spec, seed=99))
    assert a.distractors == b.distractors and a.twitches == b.twitches
    for name in a.channels:
        np.testing.assert_array_equal(a.channels[name], b.channels[name])
    np.testing.assert_array_equal(a.jitter_px, b.jitter_px)
    assert a.distractors != c.distractors


@settings(max_examples=60, deadline=None)
@given(
    reps=st.integers(0, 5),
    hold=st.floats(0, 3),
    up=st.floats(0, 2),
    down=st.floats(0, 2),
    rest=st.floats(0, 2),
    fps=st.sampled_from([10.0, 24.0, 29.97, 30.0, 60.0]),
    amplitude=st.floats(0, 3),
    seed=st.integers(0, 2**31 - 1),
    jerky=st.booleans(),
)
def test_timeline_invariants(
    reps: int, hold: float, up: float, down: float, rest: float, fps: float, amplitude: float, seed: int,
    jerky: bool,
) -> None:
    spec = ClipSpec(
        reps=reps, hold_s=hold, tempo_up_s=up, tempo_down_s=down, rest_s=rest, fps=fps, amplitude=amplitude,
        seed=seed, distractors=("talk", "blink", "sway"), faults=(Fault("jerky"),) if jerky else (),
    )
    timeline = build_timeline(spec)
    n = spec.frames
    assert n == max(1, round(spec.duration_s * fps))
    assert all(len(v) == n for v in timeline.channels.values()) and len(timeline.strength) == n
    assert timeline.strength.min() >= 0 and timeline.strength.max() <= amplitude + 1e-6
    assert not timeline.strength[timeline.t_s < spec.lead_rest_s - 1e-9].any()
    assert len(timeline.reps) == reps
    previous_end = spec.lead_rest_s
    for rep in timeline.reps:
        assert previous_end - 1e-9 <= rep.start_s <= rep.peak_s <= rep.hold_end_s <= rep.end_s
        previous_end = rep.end_s
    assert previous_end <= spec.duration_s + 1e-6
    for item in timeline.distractors:
        assert spec.lead_rest_s - 1e-9 <= item["start_s"] <= item["end_s"] <= n / fps + 1e-6
    assert np.abs(timeline.channels["yaw_deg"]).max() <= 4.0 + 0.25


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"exercise": "push-ups"}, "unknown exercise 'push-ups'"),
        ({"lead_rest_s": 1.0}, "lead_rest_s must be at least 1.5 s"),
        ({"fps": 0}, "fps must be between 1 and 120"),
        ({"size": (641, 480)}, "size must have even sides"),
        ({"amplitude": -1}, "amplitude must be between 0 and 3"),
        ({"amplitude": math.nan}, "amplitude must be between 0 and 3"),
        ({"noise": 2}, "noise must be between 0 and 1"),
        ({"distractors": ("yawn",)}, "unknown distractor 'yawn'"),
        ({"strengths": (0.5, 1.5)}, "strengths must be values between 0 and 1"),
        ({"reps": 200, "hold_s": 100}, "the limit is 600 s"),
        ({"weak_side": "middle"}, "weak_side must be 'left' or 'right'"),
    ],
)
def test_bad_spec_values_get_one_clear_error(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InputError, match=message):
        ClipSpec(**kwargs)  # type: ignore[arg-type]


def test_fault_and_size_parsing() -> None:
    assert Fault.parse("teeth@2,4") == Fault("teeth", (2, 4))
    assert Fault.parse(" Jerky ").kind == "jerky"
    assert Fault.parse("teeth@2").applies_to(2) and not Fault.parse("teeth@2").applies_to(1)
    assert parse_size("640x480") == (640, 480)
    with pytest.raises(InputError, match="unknown fault 'wobble'"):
        Fault.parse("wobble")
    with pytest.raises(InputError, match="expected NAME or NAME@REP"):
        Fault.parse("teeth@two")
    with pytest.raises(InputError, match="expected WIDTHxHEIGHT"):
        parse_size("640by480")


def test_default_timing_follows_the_exercise_catalog() -> None:
    from facefit.catalog.loader import load_catalog
    from facefit.synth.spec import EXERCISE_TIMING, EXERCISES

    catalog = load_catalog()
    for exercise in EXERCISES:
        if exercise == "none":
            continue
        entry = catalog.exercise(exercise)
        hold, up, down = EXERCISE_TIMING[exercise]
        assert (up, down) == (entry.tempo.up_s, entry.tempo.down_s), exercise
        if entry.hold_s is not None:  # forehead-relaxer is timed in the catalog: synth holds 5 s
            assert hold == entry.hold_s, exercise
        spec = ClipSpec(exercise=exercise)
        assert (spec.hold, spec.tempo_up, spec.tempo_down) == (hold, up, down)
