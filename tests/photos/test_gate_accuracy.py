"""The gate's numbers track the change made: roll follows an in-plane rotation, distance follows scale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facefit.photos.gate import DISTANCE_TOLERANCE, ROLL_LIMIT_DEG, Reference, evaluate
from facefit.photos.measure import PhotoMeasurement, measure_photo


def _affine(rgb: np.ndarray, degrees: float, scale: float) -> np.ndarray:
    import cv2

    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, scale)
    return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


@pytest.mark.parametrize("degrees", [-12.0, -6.0, 3.0, 9.0])
def test_roll_value_follows_rotation(
    degrees: float, grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    result = evaluate(
        measure_photo(_affine(grace_rgb, degrees, 1.0), image_landmarker), Reference.from_measurement(grace)
    )
    roll = next(c for c in result.checks if c.name == "roll")
    assert roll.value == pytest.approx(degrees, abs=1.0)
    assert roll.passed == (abs(degrees) <= ROLL_LIMIT_DEG)
    if not roll.passed:
        shoulder = "left" if degrees > 0 else "right"  # counter-clockwise in the image = toward the right
        assert f"toward your {shoulder} shoulder" in roll.advice


@pytest.mark.parametrize("scale", [0.9, 0.97, 1.03, 1.1])
def test_distance_value_follows_scale(
    scale: float, grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    result = evaluate(
        measure_photo(_affine(grace_rgb, 0.0, scale), image_landmarker), Reference.from_measurement(grace)
    )
    distance = next(c for c in result.checks if c.name == "distance")
    assert distance.value == pytest.approx(scale - 1.0, abs=0.01)
    assert distance.passed == (abs(scale - 1.0) <= DISTANCE_TOLERANCE)
    assert ("move back" in distance.advice) == (scale > 1 + DISTANCE_TOLERANCE)


def test_huge_image_is_refused_before_decoding(tmp_path: Path) -> None:
    from PIL import Image

    from facefit.errors import InputError
    from facefit.photos.files import load_photo

    path = tmp_path / "huge.png"
    Image.new("1", (9000, 8000)).save(path)  # 72 megapixels, a few kB on disk
    with pytest.raises(InputError, match="more than the 64 megapixel limit"):
        load_photo(path)


def test_whole_image_downscale_is_a_resolution_change_not_a_distance_change(
    grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    """Resizing the whole file keeps the framing (same distance) but loses face pixels the error was
    measured with: resolution fails, distance passes."""
    import cv2

    small = cv2.resize(grace_rgb, None, fx=0.75, fy=0.75, interpolation=cv2.INTER_AREA)  # 63 px < 80% of 84
    result = evaluate(measure_photo(small, image_landmarker), Reference.from_measurement(grace))
    checks = {c.name: c for c in result.checks}
    assert checks["distance"].passed and abs(checks["distance"].value) < 0.025
    assert not checks["resolution"].passed
    assert "same camera and resolution" in checks["resolution"].advice
