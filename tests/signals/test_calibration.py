"""Neutral-rest calibration: mirror averaging cancels the model's L/R bias; moving or expressive rests
are rejected with the reason; still neutral rests are accepted."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from facefit.errors import NoFaceError
from facefit.signals.calibration import (
    Calibration,
    RestRejectedError,
    calibrate_from_photo,
    calibrate_source,
    neutral_problems,
)
from facefit.signals.compute import K, mirror_values, signals_from_observation
from facefit.signals.names import SIGNAL_INDEX
from facefit.vision.observation import FaceObservation

BROW_R, BROW_L = SIGNAL_INDEX["brow_height_r"], SIGNAL_INDEX["brow_height_l"]


def _brow_difference(values: np.ndarray) -> float:
    return float(values[BROW_R] - values[BROW_L])


# ------------------------------------------------------------------------------------------- photos
@pytest.mark.parametrize(
    "name",
    ["biden.jpg", "grace_hopper.jpg", "15-f13-anc-ph.jpg", "obama.jpg", "single_face.jpg", "obama2.jpg"],
)
def test_mirror_test_calibrated_brow_difference_within_half_percent_ipd(
    photos: dict[str, np.ndarray], image_landmarker: object, name: str
) -> None:
    """Calibrating a photo and calibrating its mirror image describe the same face: the brow asymmetry
    of one is the mirror of the other's (d_photo = -d_mirror) within 0.5% of the IPD."""
    rgb = photos[name]
    mirror = np.ascontiguousarray(rgb[:, ::-1])
    of_photo = calibrate_from_photo(rgb, image_landmarker, require_neutral=False)
    of_mirror = calibrate_from_photo(mirror, image_landmarker, require_neutral=False)
    assert abs(_brow_difference(of_photo.rest) + _brow_difference(of_mirror.rest)) <= 0.005
    assert of_photo.method == "photo-mirror" and of_photo.frames == 2


def test_without_mirror_averaging_the_model_bias_shows(
    photo_observations: dict[str, FaceObservation], mirrored_observations: dict[str, FaceObservation]
) -> None:
    """Why the mirror step exists: single-image brow differences of photo and mirror disagree by more than
    0.5% IPD on some photos, and the disagreement has one sign (a systematic left/right bias)."""
    disagreement = []
    for name in photo_observations:
        d_photo = _brow_difference(signals_from_observation(photo_observations[name]))
        d_mirror = _brow_difference(signals_from_observation(mirrored_observations[name]))
        disagreement.append(d_photo + d_mirror)
    disagreement_arr = np.array(disagreement)
    assert np.abs(disagreement_arr).max() > 0.005
    assert np.mean(np.sign(disagreement_arr) == np.sign(np.median(disagreement_arr))) >= 0.8


def test_photo_calibration_is_the_mean_of_photo_and_swapped_mirror(
    photos: dict[str, np.ndarray],
    photo_observations: dict[str, FaceObservation],
    mirrored_observations: dict[str, FaceObservation],
    image_landmarker: object,
) -> None:
    calibration = calibrate_from_photo(photos["biden.jpg"], image_landmarker, source="biden")
    a = signals_from_observation(photo_observations["biden.jpg"])
    b = mirror_values(signals_from_observation(mirrored_observations["biden.jpg"]))
    assert np.allclose(calibration.rest, (a + b) / 2)
    assert np.isnan(calibration.spread).all() and calibration.source == "biden"


@pytest.mark.parametrize(
    ("name", "reasons"),
    [
        ("0-f15-hao-ph.jpg", ["smiling"]),
        ("0-f1-su-ph.jpg", ["mouth is open", "brows are raised"]),
        ("obama.jpg", ["smiling"]),
    ],
)
def test_expressive_photo_is_rejected_with_the_reason(
    photos: dict[str, np.ndarray], image_landmarker: object, name: str, reasons: list[str]
) -> None:
    with pytest.raises(RestRejectedError, match="The rest is not neutral") as caught:
        calibrate_from_photo(photos[name], image_landmarker)
    for reason in reasons:
        assert reason in str(caught.value)


def test_neutral_photos_pass_the_neutral_check(photo_observations: dict[str, FaceObservation]) -> None:
    for name in ("biden.jpg", "grace_hopper.jpg", "15-f13-anc-ph.jpg"):
        assert neutral_problems(signals_from_observation(photo_observations[name])) == [], name


def test_photo_without_face_is_no_face_error(real_data: Path) -> None:
    with pytest.raises(NoFaceError, match=r"^No face found in free-mountain-vector-01\.jpg\.$"):
        calibrate_source(real_data / "free-mountain-vector-01.jpg")


# ------------------------------------------------------------------------------------------- videos
def _write_clip(path: Path, frames: list[np.ndarray], fps: int) -> None:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=Fraction(fps, 1))
        stream.width, stream.height = frames[0].shape[1], frames[0].shape[0]
        stream.pix_fmt = "yuv420p"
        stream.options = {"crf": "18", "preset": "ultrafast"}
        for rgb in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)


def _rest_frames(rgb: np.ndarray, count: int, *, roll_to: float = 0.0, seed: int = 0) -> list[np.ndarray]:
    """``count`` frames of a photo with sensor noise and sub-pixel sway; optionally rolling to ``roll_to``."""
    rng = np.random.default_rng(seed)
    height, width = rgb.shape[:2]
    frames = []
    for i in range(count):
        angle = roll_to * i / max(count - 1, 1)
        matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
        matrix[:, 2] += rng.normal(scale=0.3, size=2)
        moved = cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REPLICATE)
        noise = rng.normal(scale=2, size=moved.shape).astype(np.int16)
        noisy = np.clip(moved.astype(np.int16) + noise, 0, 255)
        frames.append(noisy.astype(np.uint8))
    return frames


@pytest.fixture(scope="session")
def rest_videos(photos: dict[str, np.ndarray], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Three short clips of grace_hopper at 15 fps: a still 2 s rest, a 2 s rest that rolls the head 20 deg,
    and a still rest only 0.6 s long."""
    face = photos["grace_hopper.jpg"]
    height, width = (face.shape[0] // 2) * 2, (face.shape[1] // 2) * 2
    face = np.ascontiguousarray(face[:height, :width])
    folder = tmp_path_factory.mktemp("rest")
    moving = _rest_frames(face, 30, roll_to=20.0)
    clips = {
        "still": _rest_frames(face, 30),
        "moving": moving,
        "short": _rest_frames(face, 9),
        "settling": moving[:15] + _rest_frames(face, 24, seed=1),  # turns, jumps back, then holds still
    }
    paths = {}
    for name, frames in clips.items():
        paths[name] = folder / f"{name}.mp4"
        _write_clip(paths[name], frames, fps=15)
    return paths


def test_still_neutral_video_is_accepted(rest_videos: dict[str, Path], image_landmarker: object) -> None:
    calibration = calibrate_source(rest_videos["still"])
    assert calibration.method == "still-window" and calibration.frames >= 28  # grown over the whole rest
    assert calibration.source.startswith("video:")
    # The rest is the face's own values: close to the photo's, with small frame-to-frame spread.
    for name in ("brow_height_r", "brow_height_l", "mouth_width", "eye_aperture_r"):
        spread = calibration.spread[SIGNAL_INDEX[name]]
        assert 0 <= spread < 0.02, (name, spread)
    assert abs(calibration.value("head_roll")) < 5


def test_the_still_part_of_a_rest_is_used(rest_videos: dict[str, Path]) -> None:
    from facefit.signals.calibration import find_still_window
    from facefit.signals.extract import extract_signals

    series = extract_signals(rest_videos["settling"]).series
    window = find_still_window(series)
    assert window.start >= 14 and window.stop - window.start >= 15 and window.score <= 1
    settled = calibrate_source(rest_videos["settling"])
    still = calibrate_source(rest_videos["still"])
    assert settled.value("head_roll") == pytest.approx(still.value("head_roll"), abs=1.5)  # not the turn


def test_camera_recording_loop_stops_on_the_source_clock(rest_videos: dict[str, Path]) -> None:
    """The --camera path records N seconds by the frames' own timestamps (a video stands in for the
    camera device here: the loop is the same, only cv2.VideoCapture differs)."""
    from facefit.signals.calibration import _record_camera, calibrate_from_series

    told: list[int] = []
    series = _record_camera(
        rest_videos["still"], seconds=1.2, model_path=None, on_recording=lambda: told.append(1)
    )
    assert told == [1]  # the user is told once the source is open, before recording
    assert 18 <= len(series) <= 20 and series.t_ms[-1] >= 1200
    assert calibrate_from_series(series, source="camera:0").frames >= 15


def test_moving_rest_is_rejected_with_the_reason(rest_videos: dict[str, Path]) -> None:
    with pytest.raises(RestRejectedError, match=r"You moved during the rest \(head tilting changed"):
        calibrate_source(rest_videos["moving"])


def test_too_short_rest_is_rejected(rest_videos: dict[str, Path]) -> None:
    with pytest.raises(RestRejectedError, match=r"at least 1 s; only about 0\.5 s"):
        calibrate_source(rest_videos["short"])


def test_smiling_video_is_rejected(real_data: Path) -> None:
    with pytest.raises(RestRejectedError, match="smiling"):
        calibrate_source(real_data / "single_face.mp4")


def test_video_without_face_is_no_face_error(real_data: Path) -> None:
    with pytest.raises(NoFaceError, match=r"^No face found in no_face\.mp4\.$"):
        calibrate_source(real_data / "no_face.mp4")


# ------------------------------------------------------------------------------------------- values
def test_relative_subtracts_rest_and_keeps_face_present() -> None:
    rest = np.linspace(0, 1, K)
    calibration = Calibration(rest=rest, spread=np.zeros(K))
    values = np.vstack([rest + 0.25, np.full(K, np.nan)])
    values[0, SIGNAL_INDEX["face_present"]] = 1
    values[1, SIGNAL_INDEX["face_present"]] = 0
    relative = calibration.relative(values)
    assert relative[0, SIGNAL_INDEX["face_present"]] == 1 and relative[1, SIGNAL_INDEX["face_present"]] == 0
    assert np.allclose(np.delete(relative[0], SIGNAL_INDEX["face_present"]), 0.25)


def test_dict_round_trip_keeps_nan_and_tolerates_new_signals() -> None:
    rest = np.arange(K, dtype=float)
    rest[SIGNAL_INDEX["mouth_corner_lift_l"]] = np.nan
    calibration = Calibration(rest=rest, spread=np.full(K, 0.01), source="camera:0", method="still-window")
    data = calibration.to_dict()
    assert data["rest"]["mouth_corner_lift_l"] is None  # NaN is stored as null (JSON has no NaN)
    back = Calibration.from_dict(data)
    assert np.allclose(back.rest, rest, equal_nan=True) and back.created_at == calibration.created_at
    del data["rest"]["jaw_forward"]  # a row saved before a signal existed
    assert np.isnan(Calibration.from_dict(data).value("jaw_forward"))


def test_shape_is_validated() -> None:
    with pytest.raises(ValueError, match=rf"rest: expected \({K},\)"):
        Calibration(rest=np.zeros(3), spread=np.zeros(K))


def test_distance_ratio_against_the_rest() -> None:
    rest = np.full(K, 0.5)
    rest[SIGNAL_INDEX["scale"]] = 0.12
    calibration = Calibration(rest=rest, spread=np.zeros(K))
    frames = np.tile(rest, (2, 1))
    frames[1, SIGNAL_INDEX["scale"]] = 0.10  # face looks smaller: farther away
    assert np.allclose(calibration.distance_ratio(frames), [1.0, 1.2])
