"""Every exercise, fault and distractor moves the face the way the coach will look for it (real model)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import pearsonr, spearmanr
from tests.synth.conftest import SIZE, Measured, measure

from facefit.synth import EXERCISES, ClipSpec, Fault, PreparedFace, prepare_clip

pytestmark = pytest.mark.slow

# Signal -> (comparison, threshold) on the change from rest to the middle of the hold at strength 1.
EXPECTED: dict[str, dict[str, tuple[str, float]]] = {
    "cheek-lifter": {
        "mouth_corner_lift_r": (">", 0.02), "mouth_corner_lift_l": (">", 0.02), "mouth_width": (">", 0.05),
    },
    "jawline-toner": {"head_pitch": (">", 12.0), "mouth_roundness": (">", 0.1), "mouth_opening": (">", 0.05)},
    "jawline-definition": {"mouth_width": (">", 0.08), "head_pitch": (">", 5.0)},
    # The jaw glide itself is ~invisible head-on (the model's jaw_forward does not move); lips stay shut.
    "neck-tightener": {"head_pitch": ("<", -5.0), "mouth_opening": ("<", 0.02)},
    "brow-smoothener": {"brow_height_r": (">", 0.01), "brow_height_l": (">", 0.01),
                        "brow_lift_r": (">", 0.01), "brow_lift_l": (">", 0.01)},
    "forehead-relaxer": {"brow_height_r": ("<", -0.01), "brow_height_l": ("<", -0.01),
                         "brow_lift_r": ("<", -0.01), "brow_lift_l": ("<", -0.01)},
}


def signals(landmarker: object, rgb: np.ndarray) -> np.ndarray:
    from facefit.signals.compute import signals_from_observation

    return signals_from_observation(landmarker.detect(rgb, 0))  # type: ignore[attr-defined]


def peak_change(face: PreparedFace, landmarker: object, spec: ClipSpec) -> dict[str, float]:
    """Signal change between the first (rest) frame and the middle of the first hold."""
    from facefit.signals.names import SIGNAL_INDEX

    clip = prepare_clip(face, spec)
    rep = clip.truth.reps[0]
    middle = round(0.5 * (rep["hold_start_s"] + rep["hold_end_s"]) * spec.fps)
    change = signals(landmarker, clip.render(middle)) - signals(landmarker, clip.render(0))
    return {name: float(change[i]) for name, i in SIGNAL_INDEX.items()}


def short(exercise: str, **kwargs: object) -> ClipSpec:
    return ClipSpec(
        exercise=exercise, reps=1, hold_s=0.6, tempo_up_s=0.5, tempo_down_s=0.5, rest_s=0.5, fps=10,
        size=SIZE, **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("photo", ["biden", "astronaut"])
@pytest.mark.parametrize("exercise", sorted(EXPECTED))
def test_each_exercise_moves_the_signals_it_is_judged_on(
    faces: dict[str, PreparedFace], image_landmarker: object, exercise: str, photo: str
) -> None:
    change = peak_change(faces[photo], image_landmarker, short(exercise))
    for name, (direction, threshold) in EXPECTED[exercise].items():
        value = change[name]
        ok = value > threshold if direction == ">" else value < threshold
        assert ok, f"{exercise} on {photo}: {name} changed by {value:+.3f}, expected {direction} {threshold}"


def test_every_exercise_is_covered_and_none_keeps_the_face_still(faces: dict[str, PreparedFace]) -> None:
    assert set(EXPECTED) | {"none"} == set(EXERCISES)
    clip = prepare_clip(faces["biden"], short("none"))
    assert clip.truth.reps == []
    for index in range(0, len(clip), 7):
        np.testing.assert_array_equal(clip.render(index), faces["biden"].rgb)


def test_asymmetry_fault_weakens_the_chosen_side(
    faces: dict[str, PreparedFace], image_landmarker: object
) -> None:
    for weak in ("left", "right"):
        spec = short("cheek-lifter", faults=(Fault("asymmetry"),), weak_side=weak, asymmetry_ratio=0.3)
        change = peak_change(faces["biden"], image_landmarker, spec)
        strong = "right" if weak == "left" else "left"
        weak_lift = change[f"mouth_corner_lift_{weak[0]}"]
        strong_lift = change[f"mouth_corner_lift_{strong[0]}"]
        assert strong_lift > 0.02 and weak_lift < 0.6 * strong_lift, (weak, weak_lift, strong_lift)


def test_teeth_fault_parts_the_lips(faces: dict[str, PreparedFace], image_landmarker: object) -> None:
    for photo in ("biden", "astronaut"):
        clean = peak_change(faces[photo], image_landmarker, short("cheek-lifter"))
        teeth = peak_change(faces[photo], image_landmarker, short("cheek-lifter", faults=(Fault("teeth"),)))
        assert teeth["mouth_opening"] > clean["mouth_opening"] + 0.03, photo
        assert teeth["mouth_corner_lift_r"] > 0.02, photo  # still a smile


@pytest.fixture(scope="module")
def distracted(faces: dict[str, PreparedFace]) -> Measured:
    """8 s of rest after the lead rest with talk, blink and sway, plus twitches, measured (15 fps)."""
    spec = ClipSpec(
        exercise="none", reps=0, rest_s=6.0, fps=15, size=SIZE, seed=2, distractors=("talk", "blink", "sway"),
        faults=(Fault("twitch"),),
    )
    return measure(prepare_clip(faces["biden"], spec))


def test_talk_opens_and_closes_the_mouth(distracted: Measured) -> None:
    truth = distracted.clip.truth
    assert any(d["kind"] == "talk" for d in truth.distractors)
    rho = spearmanr(truth.column("talk"), distracted.signal("mouth_opening")).statistic
    assert rho > 0.7, f"talk vs measured mouth opening: rho {rho:.2f}"


def test_blinks_close_the_eyes(distracted: Measured) -> None:
    truth = distracted.clip.truth
    t = truth.column("t_s")
    eyes = 0.5 * (distracted.signal("eye_aperture_r") + distracted.signal("eye_aperture_l"))
    rest = float(np.median(eyes[t < truth.rest["end_s"]]))
    blinks = [d for d in truth.distractors if d["kind"] == "blink"]
    assert blinks
    for blink in blinks:
        during = (t >= blink["start_s"]) & (t <= blink["end_s"])
        assert eyes[during].min() < 0.6 * rest, f"blink at {blink['start_s']:.2f} s: {eyes[during].min():.3f}"


def test_sway_moves_yaw_and_roll_as_recorded(distracted: Measured) -> None:
    truth = distracted.clip.truth
    for axis in ("yaw", "roll"):
        r = pearsonr(truth.column(f"{axis}_deg"), distracted.signal(f"head_{axis}")).statistic
        assert r > 0.9, f"{axis}: Pearson r {r:.2f}"


def test_twitches_lift_one_mouth_corner_briefly(distracted: Measured) -> None:
    truth = distracted.clip.truth
    t = truth.column("t_s")
    assert truth.twitches
    seen = 0
    for twitch in truth.twitches:
        side = twitch["side"][0]
        lift = distracted.signal(f"mouth_corner_lift_{side}")
        baseline = float(np.median(lift[t < truth.rest["end_s"]]))
        during = (t >= twitch["t_s"]) & (t <= twitch["t_s"] + twitch["duration_s"])
        seen += bool(lift[during].max() - baseline > 0.01)
    assert seen >= len(truth.twitches) - 1, f"only {seen} of {len(truth.twitches)} twitches visible"


@pytest.mark.parametrize("photo", ["biden", "astronaut"])
@pytest.mark.parametrize(("exercise", "limit_ipd"), [("cheek-lifter", 0.03), ("jawline-toner", 0.06)])
def test_model_finds_the_landmarks_where_the_truth_drew_them(
    faces: dict[str, PreparedFace], image_landmarker: object, photo: str, exercise: str, limit_ipd: float
) -> None:
    """Clip.landmarks (truth per landmark) vs the real model on the peak frame: the warp is faithful."""
    face = faces[photo]
    clip = prepare_clip(face, short(exercise))
    peak = round(clip.truth.reps[0]["hold_start_s"] * clip.spec.fps) + 1
    seen = image_landmarker.detect(clip.render(peak), 0).pixels()[:468]  # type: ignore[attr-defined]
    drawn = clip.landmarks(peak)[:468]
    moved = np.linalg.norm(drawn - clip.landmarks(0)[:468], axis=1).mean()
    error = np.linalg.norm(seen - drawn, axis=1).mean()
    assert error < limit_ipd * face.ipd, f"mean landmark error {error:.2f} px (IPD {face.ipd:.0f} px)"
    assert error < 0.6 * moved, f"error {error:.2f} px against {moved:.2f} px of motion"


def test_jerky_onset_rises_several_times_faster(faces: dict[str, PreparedFace]) -> None:
    spec = ClipSpec(
        exercise="cheek-lifter", reps=2, hold_s=1.0, tempo_up_s=1.0, tempo_down_s=0.6, rest_s=0.8, fps=15,
        size=SIZE, faults=(Fault.parse("jerky@2"),),
    )
    run = measure(prepare_clip(faces["astronaut"], spec))
    truth = run.clip.truth
    t = truth.column("t_s")
    lift = 0.5 * (run.signal("mouth_corner_lift_r") + run.signal("mouth_corner_lift_l"))
    lift = lift - np.median(lift[t < truth.rest["end_s"]])
    rise_times = []
    for rep in truth.reps:
        hold = (t >= rep["hold_start_s"]) & (t <= rep["hold_end_s"])
        level = 0.8 * float(np.median(lift[hold]))
        reached = (t >= rep["start_s"]) & (lift >= level)
        rise_times.append(float(t[reached][0]) - rep["start_s"])  # ramp start to 80% of the hold
    smooth, jerky = rise_times
    assert truth.reps[1]["faults"] == ["jerky"]
    assert jerky < 0.25 and smooth > 0.4, rise_times
