"""The face frame: landmarks rotated by the inverse head rotation measure a turned face as a frontal one."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from facefit.signals.compute import face_frame
from facefit.vision.pose import image_rotation, pose_angles

_FLIP = np.diag([1.0, -1.0, -1.0])


def _turned(
    points: np.ndarray, transform: np.ndarray, yaw: float, pitch: float
) -> tuple[np.ndarray, np.ndarray]:
    """The same face turned by (yaw, pitch) in the model's camera frame, and its new transform."""
    turn = Rotation.from_euler("yx", [yaw, -pitch], degrees=True).as_matrix()
    moved = transform.copy()
    moved[:3, :3] = turn @ transform[:3, :3]
    centre = points.mean(axis=0)
    # The model's camera frame is y up, z toward the viewer; landmark pixels are y down, z away.
    rotated = (points - centre) @ (_FLIP @ turn @ _FLIP).T + centre
    return rotated, moved


@pytest.mark.parametrize(("yaw", "pitch"), [(15.0, 0.0), (-15.0, 0.0), (0.0, 12.0), (12.0, -10.0)])
def test_a_turned_face_lands_where_the_frontal_one_does(
    photo_observations: dict, yaw: float, pitch: float
) -> None:
    obs = photo_observations["grace_hopper.jpg"]
    width, height = obs.image_size
    points = obs.landmarks.astype(np.float64) * np.array([width, height, width])
    transform = obs.transform.astype(np.float64)
    rotated, moved = _turned(points, transform, yaw, pitch)
    angles = pose_angles(moved) - pose_angles(transform)
    assert angles[1] == pytest.approx(yaw, abs=1.0) and angles[0] == pytest.approx(pitch, abs=1.0)
    front = face_frame(points[None], transform[None])[0]
    turned = face_frame(rotated[None], moved[None])[0]
    offset = (turned - front).mean(axis=0)  # a rotation about another centre is a shift: differences count
    assert np.abs(turned - front - offset).max() < 1e-6 * width


def test_a_missing_transform_keeps_the_image_plane() -> None:
    points = np.random.default_rng(0).normal(size=(2, 5, 3))
    transforms = np.stack([np.eye(4), np.full((4, 4), np.nan)])
    out = face_frame(points, transforms)
    assert np.allclose(out, points)
    assert np.isnan(image_rotation(transforms[1])).all()
