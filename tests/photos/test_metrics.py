"""Metrics: mirror averaging cancels model bias, pupil-line frame is pose/scale free, units are honest."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.photos import landmarks as lm
from facefit.photos.measure import PhotoMeasurement, measure_photo
from facefit.photos.metrics import (
    LANDMARK_METRIC_NAMES,
    METRIC_NAMES,
    METRIC_SPECS,
    asymmetries,
    raw_metrics,
    swap_sides,
)


def test_photo_and_mirror_agree_on_asymmetry_within_half_percent_ipd(
    grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    mirrored = measure_photo(np.ascontiguousarray(grace_rgb[:, ::-1]), image_landmarker)
    photo_asym = asymmetries(grace.metrics)
    mirror_asym = asymmetries(mirrored.metrics)
    for name, value in photo_asym.items():
        if METRIC_SPECS[f"{name}_r"].unit != "ipd":
            continue
        # the mirror's right-minus-left is the photo's left-minus-right
        assert abs(value + mirror_asym[name]) <= 0.005, name
    for name in ("chin_deviation", "commissure_deviation"):
        assert abs(grace.metrics[name] + mirrored.metrics[name]) <= 0.005, name
    for region in lm.SYMMETRIC_PAIRS:
        key = f"asymmetry_{region}"
        assert abs(grace.metrics[key] - mirrored.metrics[key]) <= 0.005, key


def test_single_view_has_the_bias_that_averaging_removes(
    grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    """Without mirror averaging the photo and its mirror disagree by more than they do averaged."""
    seen = image_landmarker.detect(grace_rgb)
    mirror = image_landmarker.detect(np.ascontiguousarray(grace_rgb[:, ::-1]))
    size = grace.image_size
    raw_photo = asymmetries(raw_metrics(lm.pupil_frame(seen.landmarks, size)))
    raw_mirror = asymmetries(raw_metrics(lm.pupil_frame(mirror.landmarks, size)))
    stems = ("brow_height", "eye_aperture", "mouth_corner_drop")
    raw_disagreement = max(abs(raw_photo[k] + raw_mirror[k]) for k in stems)
    assert raw_disagreement > 0.005  # one view alone would fail the 0.5% IPD agreement (2.7% measured)


def test_metrics_are_plausible_for_a_frontal_adult_face(grace: PhotoMeasurement) -> None:
    m = grace.metrics
    assert grace.lines is not None
    hidden = {f"line_{kind}_{name}" for name in grace.lines.unmeasurable() for kind in ("density", "depth")}
    assert hidden  # her glasses hide the crow's feet: those regions have no number at all
    assert set(m) == set(METRIC_NAMES) - hidden
    assert 0.2 < m["brow_height_r"] < 0.6 and 0.2 < m["brow_height_l"] < 0.6
    assert 0.05 < m["eye_aperture_r"] < 0.25
    assert 0.6 < m["jaw_width_ratio"] < 0.95
    assert 0.45 < m["lower_face_ratio"] < 0.7
    assert 100 < m["jaw_angle_r"] < 160
    assert abs(m["chin_deviation"]) < 0.1
    assert METRIC_SPECS["cheek_projection_r"].experimental  # labelled as such everywhere it is shown


def _similarity(points: np.ndarray, angle: float, scale: float, shift: tuple[float, float]) -> np.ndarray:
    c, s = np.cos(angle), np.sin(angle)
    rot = np.array([[c, -s], [s, c]])
    out = points.copy()
    out[:, :2] = points[:, :2] @ rot.T * scale + np.array(shift)
    out[:, 2] = points[:, 2] * scale
    return out


@settings(max_examples=40, deadline=None)
@given(
    angle=st.floats(-0.5, 0.5), scale=st.floats(0.5, 2.0), dx=st.floats(-0.2, 0.2), dy=st.floats(-0.2, 0.2)
)
def test_metrics_do_not_change_with_in_plane_rotation_scale_or_shift(
    grace: PhotoMeasurement, angle: float, scale: float, dx: float, dy: float
) -> None:
    """Pupil-line axes and IPD units: moving, rolling or resizing the face in the image changes nothing."""
    width, height = grace.image_size
    pixels = grace.landmarks.astype(np.float64) * np.array([width, height, width])
    moved = _similarity(pixels, angle, scale, (dx * width, dy * height)) / np.array([width, height, width])
    before = raw_metrics(lm.pupil_frame(grace.landmarks, (width, height)))
    after = raw_metrics(lm.pupil_frame(moved, (width, height)))
    assert set(before) == set(LANDMARK_METRIC_NAMES)  # lines are measured from pixels (test_lines.py)
    for name in LANDMARK_METRIC_NAMES:
        assert after[name] == pytest.approx(before[name], abs=1e-6), name


@given(st.dictionaries(st.sampled_from(METRIC_NAMES), st.floats(-5, 5), min_size=1))
def test_swap_sides_is_an_involution(values: dict[str, float]) -> None:
    assert swap_sides(swap_sides(values)) == pytest.approx(values)


def test_pupil_frame_rejects_degenerate_landmarks() -> None:
    with pytest.raises(ValueError, match="pupils"):
        lm.pupil_frame(np.zeros((478, 3)), (100, 100))
