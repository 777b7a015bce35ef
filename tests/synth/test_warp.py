"""The warp itself: grids upsample exactly, maps send each drawn landmark back to its rest pixel."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.synth.conftest import SIZE

from facefit.synth import ClipSpec, PreparedFace, prepare_clip
from facefit.synth.poses import PoseState
from facefit.synth.warp import Grid
from facefit.vision.mesh import N_MESH


@settings(max_examples=25, deadline=None)
@given(
    width=st.integers(16, 200), height=st.integers(16, 200), columns=st.integers(2, 30),
    rows=st.integers(2, 30), seed=st.integers(0, 1000),
)
def test_grid_upsampling_is_bilinear_through_the_grid_points(
    width: int, height: int, columns: int, rows: int, seed: int
) -> None:
    grid = Grid(0, 0, width, height, columns, rows)
    values = np.random.default_rng(seed).normal(size=(rows, columns, 2)).astype(np.float32)
    full = grid.upsample(values)
    assert full.shape == (height, width, 2)
    # An affine field is reproduced exactly everywhere inside the grid's hull.
    xs, ys = grid.points[..., 0], grid.points[..., 1]
    affine = np.stack([0.3 * xs - 0.2 * ys + 1.0, 0.1 * xs + 0.5 * ys], axis=-1).astype(np.float32)
    up = grid.upsample(affine)
    px, py = np.meshgrid(np.arange(width), np.arange(height))
    inside = (px >= xs.min()) & (px <= xs.max()) & (py >= ys.min()) & (py <= ys.max())
    expected = np.stack([0.3 * px - 0.2 * py + 1.0, 0.1 * px + 0.5 * py], axis=-1)
    np.testing.assert_allclose(up[inside], expected[inside], atol=1e-3)
    # Sampling the grid at its own points returns its values.
    np.testing.assert_allclose(grid.sample(values, grid.points.astype(np.float32)), values, atol=1e-4)


def bilinear(field: np.ndarray, points: np.ndarray) -> np.ndarray:
    import cv2

    pts = points.astype(np.float32)
    return cv2.remap(field, pts[:, 0:1], pts[:, 1:2], cv2.INTER_LINEAR)[:, 0, :]


@pytest.mark.parametrize(
    "pose",
    [
        PoseState(smile_r=1.0, smile_l=0.4),
        PoseState(o_mouth=1.0, jaw_open=0.35),
        PoseState(brow_r=1.0, brow_l=1.0),
        PoseState(jaw_open=0.45, o_mouth=0.15, teeth=0.0),
    ],
    ids=["smile", "o-mouth", "brows", "talk"],
)
def test_expression_map_sends_drawn_landmarks_back_to_their_rest_pixels(
    faces: dict[str, PreparedFace], pose: PoseState
) -> None:
    face = faces["grace-hopper"]
    clip = prepare_clip(face, ClipSpec(size=SIZE))
    backward, drawn = clip.warper.map_for(pose)
    moved = np.linalg.norm(drawn[:N_MESH] - face.points[:N_MESH, :2], axis=1) > 0.5
    assert moved.sum() > 20
    # Away from the lips' seam (where a parting mouth is painted over), the map is exact to ~0.5 px.
    sampled = bilinear(backward, drawn[:N_MESH])
    error = np.linalg.norm(sampled - face.points[:N_MESH, :2], axis=1)
    assert np.median(error[moved]) < 0.5, np.median(error[moved])


def test_neutral_pose_is_the_identity_and_rotation_inverts(faces: dict[str, PreparedFace]) -> None:
    face = faces["biden"]
    clip = prepare_clip(face, ClipSpec(size=SIZE))
    identity, drawn = clip.warper.map_for(PoseState())
    width, height = SIZE
    xs, ys = np.meshgrid(np.arange(width), np.arange(height))
    np.testing.assert_allclose(identity, np.stack([xs, ys], axis=-1), atol=1e-4)
    np.testing.assert_allclose(drawn, face.points[:, :2], atol=1e-9)
    tilt = PoseState(pitch_deg=20.0, yaw_deg=3.0, roll_deg=-2.0)
    forward, backward = clip.warper._rotation_fields(tilt)
    grid = clip.warper.grid
    y = grid.points.astype(np.float32)
    b = y + backward
    residual = b + grid.sample(forward, b) - y
    assert np.abs(residual).max() < 0.05
    assert np.abs(forward).max() > 10  # a 20 deg tilt really moves the face
    # The drawn landmarks of a rotated pose are within ~1 px of the exact 3D projection.
    exact = clip.rig.destination(tilt)[:N_MESH]
    approx = clip.warper.drawn_landmarks(tilt)[:N_MESH]
    assert np.median(np.linalg.norm(exact - approx, axis=1)) < 1.0
