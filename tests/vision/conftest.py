"""Perception fixtures: real photos run once through the real model, and small generated videos."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

from facefit.vision.observation import FaceObservation
from facefit.vision.sources import read_image

SINGLE_FACE_PHOTOS: tuple[str, ...] = (
    "single_face.jpg",
    "biden.jpg",
    "obama.jpg",
    "obama2.jpg",
    "0-f1-su-ph.jpg",
    "0-f15-hao-ph.jpg",
    "15-f13-anc-ph.jpg",
    "Image_with_alpha.png",
)
GRACE_HOPPER = Path(os.path.dirname(matplotlib.__file__)) / "mpl-data" / "sample_data" / "grace_hopper.jpg"


@pytest.fixture(scope="session")
def photos(real_data: Path) -> dict[str, np.ndarray]:
    """Every single-face photo (plus grace_hopper from matplotlib), decoded upright as RGB."""
    images = {name: read_image(real_data / name) for name in SINGLE_FACE_PHOTOS}
    images["grace_hopper.jpg"] = read_image(GRACE_HOPPER)
    return images


@pytest.fixture(scope="session")
def photo_observations(photos: dict[str, np.ndarray], image_landmarker: object) -> dict[str, FaceObservation]:
    """The real model's observation of each photo (IMAGE mode, deterministic)."""
    return {name: image_landmarker.detect(rgb, 0) for name, rgb in photos.items()}  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def mirrored_observations(
    photos: dict[str, np.ndarray], image_landmarker: object
) -> dict[str, FaceObservation]:
    """The real model's observation of each photo's mirror image."""
    return {
        name: image_landmarker.detect(np.ascontiguousarray(rgb[:, ::-1]), 0)  # type: ignore[attr-defined]
        for name, rgb in photos.items()
    }
