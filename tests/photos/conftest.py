"""Photo fixtures: Grace Hopper's portrait (matplotlib) and copies that break one protocol rule each.

Expensive things (measurements, warps) are made once per session; tests that need a fresh FaceFit
home get one from the autouse ``facefit_home`` fixture.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from facefit.photos.files import load_photo
from facefit.photos.measure import PhotoMeasurement, measure_photo
from facefit.photos.repeatability import MetricError, perturbation_measurements, repeatability_table


def save_png(rgb: np.ndarray, path: Path) -> Path:
    from PIL import Image

    Image.fromarray(rgb).save(path)
    return path


def rotate(rgb: np.ndarray, degrees: float) -> np.ndarray:
    """In-plane rotation about the image centre (counter-clockwise for positive degrees)."""
    import cv2

    height, width = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), degrees, 1.0)
    return cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)


def shrink_in_frame(rgb: np.ndarray, factor: float) -> np.ndarray:
    """The same frame with the scene scaled down about the centre: the camera moved back."""
    import cv2

    height, width = rgb.shape[:2]
    matrix = np.float32([[factor, 0, (1 - factor) * width / 2], [0, factor, (1 - factor) * height / 2]])
    return cv2.warpAffine(rgb, matrix, (width, height), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REPLICATE)


def darken(rgb: np.ndarray, gain: float) -> np.ndarray:
    return np.clip(rgb.astype(np.float32) * gain, 0, 255).astype(np.uint8)


def darken_half(rgb: np.ndarray, gain: float) -> np.ndarray:
    """Image-left half (the person's right side) darkened: light from one side."""
    out = rgb.copy()
    half = rgb.shape[1] // 2
    out[:, :half] = darken(rgb[:, :half], gain)
    return out


@pytest.fixture(scope="session")
def grace_path() -> Path:
    import matplotlib.cbook

    return Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))


@pytest.fixture(scope="session")
def grace_rgb(grace_path: Path) -> np.ndarray:
    return load_photo(grace_path).rgb


@pytest.fixture(scope="session")
def grace(grace_rgb: np.ndarray, image_landmarker: object) -> PhotoMeasurement:
    return measure_photo(grace_rgb, image_landmarker)


@pytest.fixture(scope="session")
def photo_files(
    tmp_path_factory: pytest.TempPathFactory, grace_rgb: np.ndarray, grace: PhotoMeasurement, real_data: Path
) -> dict[str, Path]:
    """Files for the gate's acceptance cases, written once per session."""
    from facefit.photos.perturb import smile

    folder = tmp_path_factory.mktemp("photo-cases")
    makers: dict[str, Callable[[np.ndarray], np.ndarray]] = {
        "rotated10": lambda a: rotate(a, 10.0),
        "darkened": lambda a: darken(a, 0.3),
        "half_dark": lambda a: darken_half(a, 0.45),
        "downscaled": lambda a: shrink_in_frame(a, 0.85),
        "smile_warp": lambda a: smile(a, grace.landmarks, 1.2),
    }
    files = {name: save_png(make(grace_rgb), folder / f"{name}.png") for name, make in makers.items()}
    files["single_face"] = real_data / "single_face.jpg"
    files["multi_face"] = real_data / "multi_face.jpg"
    files["no_face"] = real_data / "free-mountain-vector-01.jpg"
    return files


@pytest.fixture(scope="session")
def grace_errors(
    grace_rgb: np.ndarray, grace: PhotoMeasurement, image_landmarker: object
) -> dict[str, MetricError]:
    """Grace's repeatability table from 24 simulated re-takes (the line indices need more than 16 for a
    steady estimate of their SD)."""
    run = perturbation_measurements(grace_rgb, image_landmarker, samples=24, seed=0, base=grace)
    assert run.accepted >= 18  # re-takes are drawn inside the gate; nearly all must pass it
    return repeatability_table([m.metrics for m in run.measurements])
