"""Signals from landmarks: invariant to scale, position and roll; right signs on real expressions."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.signals.compute import (
    MIRROR_PERMUTATION,
    K,
    mirror_values,
    signals_batch,
    signals_from_arrays,
    signals_from_observation,
)
from facefit.signals.names import GEOMETRY_SIGNALS, SIGNAL_INDEX, SIGNAL_NAMES
from facefit.vision.observation import FaceObservation

GEOMETRY = [SIGNAL_INDEX[name] for name in GEOMETRY_SIGNALS if name != "jaw_forward"]


def _pixels(obs: FaceObservation) -> np.ndarray:
    width, height = obs.image_size
    return obs.landmarks.astype(np.float64) * np.array([width, height, width])


@settings(max_examples=40, deadline=None)
@given(
    angle=st.floats(min_value=-40, max_value=40),
    zoom=st.floats(min_value=0.3, max_value=3.0),
    shift=st.tuples(st.floats(-200, 200), st.floats(-200, 200)),
)
def test_geometry_is_invariant_to_roll_scale_and_position(
    photo_observations: dict[str, FaceObservation], angle: float, zoom: float, shift: tuple[float, float]
) -> None:
    """Moving, scaling or tilting the whole face in the image changes no geometry signal."""
    obs = photo_observations["grace_hopper.jpg"]
    px = _pixels(obs)
    theta = np.radians(angle)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    moved = px.copy()
    centre = px[:, :2].mean(axis=0)
    moved[:, :2] = (px[:, :2] - centre) @ rot.T * zoom + centre * zoom + np.array(shift) + 400
    moved[:, 2] = px[:, 2] * zoom
    canvas = (4000, 3000)
    before = signals_from_arrays(obs.landmarks, obs.image_size)
    after = signals_from_arrays(moved / np.array([canvas[0], canvas[1], canvas[0]]), canvas)
    assert np.allclose(before[GEOMETRY], after[GEOMETRY], atol=1e-9)
    # jaw_forward uses depth (rotation in the image plane keeps it too)
    assert after[SIGNAL_INDEX["jaw_forward"]] == pytest.approx(before[SIGNAL_INDEX["jaw_forward"]], abs=1e-9)


def test_batch_equals_per_frame(photo_observations: dict[str, FaceObservation]) -> None:
    observations = [o for o in photo_observations.values() if o.present]
    rows = np.stack([signals_from_observation(o) for o in observations])
    batch = signals_batch(
        np.stack([o.landmarks for o in observations]),
        np.array([o.image_size for o in observations]),
        np.stack([o.blendshapes for o in observations]),
        np.stack([o.transform for o in observations]),
    )
    assert batch.shape == (len(observations), K)
    assert np.allclose(rows, batch, equal_nan=True)
    assert np.isfinite(batch).all()


def test_no_face_is_a_nan_row_with_face_present_zero() -> None:
    row = signals_from_observation(FaceObservation.empty(40, (640, 480)))
    assert row.shape == (K,) and row[SIGNAL_INDEX["face_present"]] == 0
    assert np.isnan(np.delete(row, SIGNAL_INDEX["face_present"])).all()
    batch = signals_batch(np.full((2, 478, 3), np.nan), (640, 480))
    assert (batch[:, 0] == 0).all() and np.isnan(batch[:, 1:]).all()


def test_bad_shapes_are_named() -> None:
    with pytest.raises(ValueError, match=r"expected \(478, 3\), got \(468, 3\)"):
        signals_from_arrays(np.zeros((468, 3)), (640, 480))
    with pytest.raises(ValueError, match="image_size"):
        signals_from_arrays(np.zeros((478, 3)), (0, 480))


def test_missing_transform_and_blendshapes_give_nan_columns(
    photo_observations: dict[str, FaceObservation],
) -> None:
    obs = photo_observations["biden.jpg"]
    row = signals_from_arrays(obs.landmarks, obs.image_size)
    assert np.isnan(row[SIGNAL_INDEX["head_pitch"]]) and np.isnan(row[SIGNAL_INDEX["bs_jawOpen"]])
    assert np.isfinite(row[SIGNAL_INDEX["brow_height_r"]])


def _sig(obs: dict[str, FaceObservation], photo: str, name: str) -> float:
    return float(signals_from_observation(obs[photo])[SIGNAL_INDEX[name]])


def test_expressions_move_the_right_signals(photo_observations: dict[str, FaceObservation]) -> None:
    """Surprise (brows up, mouth open) and a smile, against the pressed-lips photo of the same set."""
    o = photo_observations
    rest = "15-f13-anc-ph.jpg"
    surprise = "0-f1-su-ph.jpg"
    smile = "0-f15-hao-ph.jpg"
    for name in ("brow_height_r", "brow_height_l", "brow_lift_r", "brow_lift_l", "eye_aperture_r",
                 "eye_aperture_l", "jaw_opening"):
        assert _sig(o, surprise, name) > _sig(o, rest, name) + 0.05, name
    assert _sig(o, surprise, "mouth_opening") > 0.2 > abs(_sig(o, rest, "mouth_opening"))
    assert _sig(o, surprise, "mouth_roundness") > 2 * _sig(o, rest, "mouth_roundness")
    for name in ("mouth_corner_lift_r", "mouth_corner_lift_l"):
        assert _sig(o, smile, name) > _sig(o, rest, name) + 0.08, name
    assert _sig(o, smile, "mouth_width") > _sig(o, rest, "mouth_width") + 0.15
    assert _sig(o, smile, "bs_mouthSmileLeft") > 0.5 > _sig(o, rest, "bs_mouthSmileLeft")


def test_mirror_values_swaps_sides_and_is_an_involution() -> None:
    rng = np.random.default_rng(3)
    values = rng.normal(size=(4, K))
    mirrored = mirror_values(values)
    assert np.allclose(mirror_values(mirrored), values)
    for a, b in (("brow_height_r", "brow_height_l"), ("bs_mouthSmileLeft", "bs_mouthSmileRight")):
        assert np.allclose(mirrored[:, SIGNAL_INDEX[a]], values[:, SIGNAL_INDEX[b]])
    assert np.allclose(mirrored[:, SIGNAL_INDEX["head_yaw"]], -values[:, SIGNAL_INDEX["head_yaw"]])
    assert np.allclose(mirrored[:, SIGNAL_INDEX["head_pitch"]], values[:, SIGNAL_INDEX["head_pitch"]])
    swapped = {SIGNAL_NAMES[i] for i in range(K) if MIRROR_PERMUTATION[i] != i}
    assert "mouth_opening" not in swapped and len(swapped) % 2 == 0 and len(swapped) >= 30


def test_mirror_image_measures_the_same_face(
    photo_observations: dict[str, FaceObservation], mirrored_observations: dict[str, FaceObservation]
) -> None:
    """Signals of a mirrored photo, sides swapped back, agree with the photo's own within model noise."""
    for name in ("biden.jpg", "grace_hopper.jpg", "15-f13-anc-ph.jpg"):
        a = signals_from_observation(photo_observations[name])
        b = mirror_values(signals_from_observation(mirrored_observations[name]))
        geometry = [SIGNAL_INDEX[n] for n in GEOMETRY_SIGNALS]
        assert np.abs(a[geometry] - b[geometry]).max() < 0.05, name


def test_only_the_used_landmarks_matter(photo_observations: dict[str, FaceObservation]) -> None:
    """The browser may send just USED_LANDMARKS: every other landmark NaN gives the same signals."""
    from facefit.signals.compute import USED_LANDMARKS

    obs = photo_observations["obama.jpg"]
    sparse = np.full_like(obs.landmarks, np.nan)
    sparse[list(USED_LANDMARKS)] = obs.landmarks[list(USED_LANDMARKS)]
    full = signals_from_arrays(obs.landmarks, obs.image_size, obs.blendshapes, obs.transform)
    assert np.array_equal(signals_from_arrays(sparse, obs.image_size, obs.blendshapes, obs.transform), full)
    assert 15 <= len(USED_LANDMARKS) <= 40


def test_signals_are_the_point_definitions(photo_observations: dict[str, FaceObservation]) -> None:
    """The batch forms difference vectors of landmark means; each signal equals its definition on the
    points themselves (face frame via face_frame + pupil_axes, brows in the image's pupil-line axes)."""
    from facefit.signals.compute import face_frame, pupil_axes
    from facefit.vision import mesh

    for name in ("biden.jpg", "0-f1-su-ph.jpg", "0-f15-hao-ph.jpg"):
        obs = photo_observations[name]
        px = _pixels(obs)[None]
        face = face_frame(px, obs.transform.astype(np.float64)[None])
        across, down, _ = (a[0] for a in pupil_axes(face[..., :2], face[:, mesh.PUPIL_R, :2],
                                                       face[:, mesh.PUPIL_L, :2]))
        brow = pupil_axes(px[..., :2], px[:, mesh.PUPIL_R, :2], px[:, mesh.PUPIL_L, :2])[1][0]
        lip_mid = (down[mesh.LIP_INNER_UPPER] + down[mesh.LIP_INNER_LOWER]) / 2
        width = np.hypot(across[mesh.MOUTH_CORNER_L] - across[mesh.MOUTH_CORNER_R],
                         down[mesh.MOUTH_CORNER_L] - down[mesh.MOUTH_CORNER_R])
        expected = {
            "brow_height_r": brow[mesh.PUPIL_R] - brow[list(mesh.BROW_UPPER_R)].mean(),
            "brow_lift_l": brow[list(mesh.CANTHI_L)].mean() - brow[list(mesh.BROW_L)].mean(),
            "eye_aperture_r": down[mesh.LID_LOWER_R] - down[mesh.LID_UPPER_R],
            "mouth_corner_lift_l": lip_mid - down[mesh.MOUTH_CORNER_L],
            "mouth_opening": down[mesh.LIP_INNER_LOWER] - down[mesh.LIP_INNER_UPPER],
            "mouth_width": width,
            "mouth_roundness": (down[mesh.LIP_OUTER_LOWER] - down[mesh.LIP_OUTER_UPPER]) / width,
            "jaw_opening": down[mesh.CHIN] - down[mesh.NOSE_BASE],
        }
        row = signals_from_observation(obs)
        for signal, value in expected.items():
            assert row[SIGNAL_INDEX[signal]] == pytest.approx(value, abs=1e-12), (name, signal)


def test_a_long_batch_equals_its_frames(photo_observations: dict[str, FaceObservation]) -> None:
    """Hundreds of rows (several matrix-product blocks), per-row sizes, rows without a face or transform
    at block edges: each row is what that frame gives alone."""
    observations = [o for o in photo_observations.values() if o.present]
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(observations), 300)
    landmarks = np.stack([observations[i].landmarks for i in pick]).astype(np.float64)
    landmarks += rng.normal(0, 0.001, landmarks.shape)
    sizes = np.array([observations[i].image_size for i in pick], dtype=np.float64)
    blendshapes = np.stack([observations[i].blendshapes for i in pick])
    transforms = np.stack([observations[i].transform for i in pick]).astype(np.float64)
    landmarks[[127, 128]] = np.nan
    transforms[[255, 256]] = np.nan
    batch = signals_batch(landmarks, sizes, blendshapes, transforms)
    frames = np.stack([signals_from_arrays(landmarks[i], tuple(sizes[i]), blendshapes[i], transforms[i])
                       for i in range(len(pick))])
    assert np.allclose(batch, frames, rtol=0, atol=1e-12, equal_nan=True)
    assert (batch[[127, 128], SIGNAL_INDEX["face_present"]] == 0).all()
    assert batch[:, SIGNAL_INDEX["face_present"]].sum() == 298
