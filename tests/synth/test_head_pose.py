"""A clip's rest head pose (a webcam off to one side, below or above the eyes) is drawn and recorded."""

from __future__ import annotations

import pytest
from tests.synth.conftest import SIZE

from facefit.errors import InputError
from facefit.synth import ClipSpec, PreparedFace, prepare_clip
from facefit.vision.pose import head_pose


@pytest.mark.parametrize(("yaw", "pitch"), [(15.0, 0.0), (-15.0, 0.0), (0.0, 10.0), (0.0, -10.0)])
def test_rest_pose_turns_the_drawn_head_and_the_truth_says_so(
    faces: dict[str, PreparedFace], image_landmarker: object, yaw: float, pitch: float
) -> None:
    face = faces["grace-hopper"]
    spec = ClipSpec(exercise="cheek-lifter", reps=1, hold_s=1.0, rest_s=1.0, fps=10, size=SIZE,
                    head_yaw_deg=yaw, head_pitch_deg=pitch)
    clip = prepare_clip(face, spec)
    assert clip.truth.column("yaw_deg")[0] == yaw and clip.truth.column("pitch_deg")[0] == pitch
    assert clip.truth.params["head_yaw_deg"] == yaw
    frontal = head_pose(image_landmarker.detect(face.rgb, 0).transform)  # type: ignore[attr-defined]
    turned = head_pose(image_landmarker.detect(clip.render(0), 0).transform)  # type: ignore[attr-defined]
    # The model reads about 0.8x the drawn yaw and 1.2x the drawn pitch on this photo: the sign and a
    # clear share of the angle are what the evaluation relies on.
    assert (turned.yaw - frontal.yaw) * yaw >= 0.6 * yaw * yaw
    assert (turned.pitch - frontal.pitch) * pitch >= 0.6 * pitch * pitch


def test_rest_pose_out_of_bounds_is_one_clear_error() -> None:
    with pytest.raises(InputError, match="head_yaw_deg must be between -45 and 45 degrees"):
        ClipSpec(head_yaw_deg=60.0)
