"""The real model on the real photos: 478 landmarks, sensible pose with the documented signs, face policy."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import spearmanr

from facefit.vision.observation import N_BLENDSHAPES, N_LANDMARKS, FaceObservation
from facefit.vision.pose import distance_ratio, head_pose, pose_angles
from facefit.vision.sources import read_image

from .conftest import SINGLE_FACE_PHOTOS


# ------------------------------------------------------------------------------------------- faces
@pytest.mark.parametrize("name", [*SINGLE_FACE_PHOTOS, "grace_hopper.jpg"])
def test_every_single_face_photo_gives_478_landmarks_and_sensible_pose(
    photo_observations: dict[str, FaceObservation], name: str
) -> None:
    obs = photo_observations[name]
    assert obs.present and obs.faces_found == 1
    assert obs.landmarks.shape == (N_LANDMARKS, 3) and np.isfinite(obs.landmarks).all()
    xy = obs.landmarks[:, :2]
    assert xy.min() > -0.05 and xy.max() < 1.05  # the face is inside the photo
    assert obs.blendshapes.shape == (N_BLENDSHAPES,)
    assert 0 <= obs.blendshapes.min() <= obs.blendshapes.max() <= 1
    pose = head_pose(obs.transform)
    # Portraits: roughly facing the camera. Image_with_alpha.png is the one with a visibly tilted head
    # (top of the head toward the image's left: counter-clockwise, positive roll).
    assert abs(pose.yaw) < 25 and abs(pose.pitch) < 25, pose
    if name == "Image_with_alpha.png":
        assert 15 < pose.roll < 35, pose
    else:
        assert abs(pose.roll) < 12, pose
    assert 10 < pose.distance_cm < 200


def test_multi_face_photo_reports_several_faces_and_picks_the_largest(
    real_data: Path, image_landmarker: object
) -> None:
    obs = image_landmarker.detect(read_image(real_data / "multi_face.jpg"), 0)  # type: ignore[attr-defined]
    assert obs.faces_found > 1
    assert len(obs.other_faces) == obs.faces_found - 1

    def area(points: np.ndarray) -> float:
        span = points[:, :2].max(axis=0) - points[:, :2].min(axis=0)
        return float(span[0] * span[1])

    assert all(area(obs.landmarks) >= area(other) for other in obs.other_faces)


def test_photo_without_a_face_is_an_empty_observation(real_data: Path, image_landmarker: object) -> None:
    rgb = read_image(real_data / "free-mountain-vector-01.jpg")
    obs = image_landmarker.detect(rgb, 0)  # type: ignore[attr-defined]
    assert not obs.present and obs.faces_found == 0
    assert np.isnan(obs.landmarks).all() and np.isnan(obs.transform).all()
    assert obs.image_size == (rgb.shape[1], rgb.shape[0])


# ------------------------------------------------------------------------------------------- pose maths
def _rotation(raw_pitch: float, yaw: float, roll: float) -> np.ndarray:
    """A transform whose raw Euler angles (radians) are the given ones: R = Rz(roll) Ry(yaw) Rx(pitch)."""
    cx, sx = math.cos(raw_pitch), math.sin(raw_pitch)
    cy, sy = math.cos(yaw), math.sin(yaw)
    cz, sz = math.cos(roll), math.sin(roll)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    m = np.eye(4)
    m[:3, :3] = rz @ ry @ rx
    m[:3, 3] = (1.0, -2.0, -50.0)
    return m


angle = st.floats(min_value=-80, max_value=80)


@given(pitch=angle, yaw=angle, roll=angle)
def test_pose_angles_invert_the_rotation_with_pitch_sign_flipped(
    pitch: float, yaw: float, roll: float
) -> None:
    m = _rotation(math.radians(pitch), math.radians(yaw), math.radians(roll))
    got = head_pose(m)
    assert got.pitch == pytest.approx(-pitch, abs=1e-6)  # contract: positive = chin up (raw is negative)
    assert got.yaw == pytest.approx(yaw, abs=1e-6)
    assert got.roll == pytest.approx(roll, abs=1e-6)
    assert got.distance_cm == pytest.approx(50.0)


def test_pose_batch_matches_single_and_validates() -> None:
    matrices = np.stack([_rotation(0.1 * i, -0.05 * i, 0.02 * i) for i in range(5)])
    batch = pose_angles(matrices)
    single = np.array([[head_pose(m).pitch, head_pose(m).yaw, head_pose(m).roll] for m in matrices])
    assert np.allclose(batch, single)
    assert np.isnan(pose_angles(np.full((4, 4), np.nan))).all()
    with pytest.raises(ValueError, match=r"expected \(4, 4\)"):
        head_pose(np.eye(3))


# ------------------------------------------------------------------------------------------- pose signs
def test_pitch_positive_means_chin_up(photo_observations: dict[str, FaceObservation]) -> None:
    """Independent check of the pitch sign from the landmarks' own depth: with the chin up, the chin
    comes toward the camera and the forehead goes away, so (z_forehead - z_chin) / IPD grows."""
    pitches, depth = [], []
    for obs in photo_observations.values():
        width, height = obs.image_size
        px = obs.landmarks * np.array([width, height, width])
        ipd = np.linalg.norm(px[473, :2] - px[468, :2])
        depth.append((px[10, 2] - px[152, 2]) / ipd)
        pitches.append(head_pose(obs.transform).pitch)
    rho = spearmanr(pitches, depth).statistic
    assert rho > 0.5, (rho, pitches, depth)


def test_roll_positive_is_counter_clockwise_in_the_image(
    photos: dict[str, np.ndarray], photo_observations: dict[str, FaceObservation], image_landmarker: object
) -> None:
    rgb = photos["biden.jpg"]
    height, width = rgb.shape[:2]
    before = head_pose(photo_observations["biden.jpg"].transform)
    turn = cv2.getRotationMatrix2D((width / 2, height / 2), 15, 1.0)  # +15 = counter-clockwise
    rotated = cv2.warpAffine(rgb, turn, (width, height), borderMode=cv2.BORDER_REPLICATE)
    after = head_pose(image_landmarker.detect(rotated, 0).transform)  # type: ignore[attr-defined]
    assert after.roll - before.roll == pytest.approx(15, abs=3)
    assert after.yaw == pytest.approx(before.yaw, abs=3)


@pytest.mark.parametrize("name", ["biden.jpg", "obama2.jpg", "single_face.jpg"])
def test_mirror_flips_yaw_and_roll_and_keeps_pitch(
    photo_observations: dict[str, FaceObservation],
    mirrored_observations: dict[str, FaceObservation],
    name: str,
) -> None:
    a = head_pose(photo_observations[name].transform)
    b = head_pose(mirrored_observations[name].transform)
    assert abs(a.yaw) > 5  # these photos are turned enough for the sign to mean something
    assert b.yaw == pytest.approx(-a.yaw, abs=2.5) and b.roll == pytest.approx(-a.roll, abs=2.5)
    assert b.pitch == pytest.approx(a.pitch, abs=2.5)


def test_yaw_positive_means_nose_toward_image_right(photo_observations: dict[str, FaceObservation]) -> None:
    """Turned to the person's left = nose tip right of the cheeks' midpoint in the (unmirrored) image."""
    for name in ("biden.jpg", "obama2.jpg", "single_face.jpg"):
        obs = photo_observations[name]
        nose_offset = obs.landmarks[1, 0] - (obs.landmarks[234, 0] + obs.landmarks[454, 0]) / 2
        assert np.sign(head_pose(obs.transform).yaw) == np.sign(nose_offset), name


def test_distance_ratio_from_a_smaller_face(photos: dict[str, np.ndarray], image_landmarker: object) -> None:
    """The same face at half size in the same frame reads as twice as far away."""
    from facefit.signals.compute import signals_from_observation
    from facefit.signals.names import SIGNAL_INDEX

    rgb = photos["grace_hopper.jpg"]
    height, width = rgb.shape[:2]
    canvas = np.full_like(rgb, 255)
    small = cv2.resize(rgb, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    canvas[height // 4 : height // 4 + small.shape[0], width // 4 : width // 4 + small.shape[1]] = small
    near = signals_from_observation(image_landmarker.detect(rgb, 0))  # type: ignore[attr-defined]
    far = signals_from_observation(image_landmarker.detect(canvas, 0))  # type: ignore[attr-defined]
    scale = SIGNAL_INDEX["scale"]
    assert distance_ratio(far[scale], near[scale]) == pytest.approx(2.0, rel=0.05)
    with pytest.raises(ValueError, match="baseline_scale"):
        distance_ratio(0.1, 0.0)


@pytest.mark.parametrize("name", ["grace_hopper.jpg", "biden.jpg"])
def test_pitch_sign_on_ground_truth_head_tilts(
    photos: dict[str, np.ndarray], image_landmarker: object, name: str
) -> None:
    """Ground truth from facefit.synth (3-D rotation of the landmarks, then a thin-plate warp): tilting
    the head back 20 deg reads as about +20 deg of pitch, tucking the chin 8 deg reads as negative."""
    from facefit.synth.clip import prepare_clip
    from facefit.synth.spec import ClipSpec

    def pitch_at(exercise: str, pick: str) -> tuple[float, float, float]:
        clip = prepare_clip(
            photos[name], ClipSpec(exercise=exercise, reps=1, size=(640, 480)), landmarker=image_landmarker
        )
        truth = np.array([pose.pitch_deg for pose in clip.poses])
        index = int(np.argmax(truth) if pick == "max" else np.argmin(truth))
        rest = head_pose(image_landmarker.detect(clip.render(0), 0).transform).pitch  # type: ignore[attr-defined]
        posed = head_pose(image_landmarker.detect(clip.render(index), 0).transform).pitch  # type: ignore[attr-defined]
        return float(truth[0]), float(truth[index]), posed - rest

    rest_truth, back_truth, back_measured = pitch_at("jawline-toner", "max")
    assert rest_truth == 0 and back_truth == pytest.approx(20)
    assert 14 < back_measured < 26, back_measured
    _, down_truth, down_measured = pitch_at("neck-tightener", "min")
    assert down_truth < 0 and down_measured < -4, down_measured


def test_parallel_landmarker_creation_leaves_stderr_working(capfd: pytest.CaptureFixture[str]) -> None:
    """Start-up chatter is hidden by swapping fd 2; concurrent creations must restore it."""
    import os
    from concurrent.futures import ThreadPoolExecutor

    from facefit.vision.landmarker import Landmarker, RunningMode

    def make_and_close(_: int) -> bool:
        with Landmarker(RunningMode.IMAGE) as landmarker:
            return landmarker.model_path.is_file()

    with ThreadPoolExecutor(max_workers=3) as pool:
        assert all(pool.map(make_and_close, range(3)))
    os.write(2, b"still here\n")
    assert "still here" in capfd.readouterr().err


def test_only_a_face_tracked_alone_in_video_mode_comes_smoothed() -> None:
    """MediaPipe smooths the landmarks when VIDEO mode asks for one face; the coach reads their noise
    accordingly (coach/engine.py), so the flag must say which perception a stream had."""
    from facefit.vision.landmarker import Landmarker, RunningMode

    with (Landmarker(RunningMode.VIDEO, max_faces=1) as one, Landmarker(RunningMode.VIDEO) as default,
          Landmarker(RunningMode.IMAGE, max_faces=1) as photo):
        assert one.smoothed and not default.smoothed and not photo.smoothed
