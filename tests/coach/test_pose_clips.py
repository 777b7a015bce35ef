"""Turned and tilted heads through the real Face Landmarker: rendered clips, counted by the engine (issue 15).

A symmetric smile drawn with the head turned either way is counted the same and never called uneven; a
head-back toner from a rest tilted up (a webcam below the eyes) counts and is not taken for a jaw glide;
a head turned 35 deg is told to face the camera and nothing is counted.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from coach.clips import signals_of_clip
from facefit.practice.analyze import analyze_series
from facefit.signals.names import SignalSeries

pytestmark = pytest.mark.slow
SIZE = (480, 360)
FPS = 15.0
SMILE = {"reps": 2, "hold_s": 2.0, "rest_s": 1.5}
# multi_face.jpg cropped to the young man with curly hair (the largest face in this box).
CURLY_BOX = (400, 110, 650, 330)


@pytest.fixture(scope="module")
def clip_signals(real_data: Path, image_landmarker: Any) -> Callable[..., tuple[SignalSeries, Any]]:
    """``make(face, exercise, **spec)`` -> (signals, truth) of an "obama" or "curly" clip, built once."""
    from facefit.synth.clip import prepare_clip
    from facefit.synth.face import prepare_face
    from facefit.synth.spec import ClipSpec
    from facefit.vision.sources import read_image

    x0, y0, x1, y1 = CURLY_BOX
    photos = {"obama": str(real_data / "obama.jpg"),
              "curly": np.ascontiguousarray(read_image(real_data / "multi_face.jpg")[y0:y1, x0:x1])}
    faces = {name: prepare_face(photo, SIZE, landmarker=image_landmarker) for name, photo in photos.items()}
    cache: dict[tuple[Any, ...], tuple[SignalSeries, Any]] = {}

    def make(face: str, exercise: str, **spec: Any) -> tuple[SignalSeries, Any]:
        key = (face, exercise, *sorted(spec.items()))
        if key not in cache:
            clip = prepare_clip(faces[face], ClipSpec(exercise=exercise, fps=FPS, size=SIZE, seed=3, **spec))
            cache[key] = (signals_of_clip(clip), clip.truth)
        return cache[key]

    return make


def _smiles(make: Callable[..., Any], face: str, yaw: float) -> tuple[list[float], list[str], float]:
    series, truth = make(face, "cheek-lifter", head_yaw_deg=yaw, **SMILE)
    result, _engine = analyze_series(series, exercise_id="cheek-lifter", fps=FPS)
    assert len(result["reps"]) == len(truth.reps), result
    faults = [f for rep in result["reps"] for f in rep["faults"]] + [f["kind"] for f in result["faults"]]
    rest_yaw = float(np.nanmedian(series.column("head_yaw")[series.t_ms < 1500]))
    return [rep["symmetry"] for rep in result["reps"]], faults, rest_yaw


def test_a_symmetric_smile_reads_the_same_with_the_head_turned_either_way(clip_signals: Any) -> None:
    # Drawn so the landmarker reads about 15 deg either way on this face (its own pose reads +5 deg, and
    # the model answers a drawn turn by 1.1-1.4x to its left, 0.7x to its right).
    frontal, faults, _ = _smiles(clip_signals, "curly", 0.0)
    assert "asymmetry" not in faults
    for drawn in (9.0, -20.0):
        turned, faults, yaw = _smiles(clip_signals, "curly", drawn)
        assert 12.0 <= abs(yaw) <= 20.0, yaw
        assert "asymmetry" not in faults and "face-camera" not in faults
        assert abs(np.mean(turned) - np.mean(frontal)) <= 10.0, (drawn, turned, frontal)


def test_a_turned_symmetric_smile_is_never_called_uneven(clip_signals: Any) -> None:
    # On this face the model reads the far side of a turned smile lower (about 65% symmetry at +13 deg
    # against 88% facing the camera: the symmetry is not the same); the engine must still not call it
    # uneven, and must count it.
    for drawn in (15.0, -15.0):
        _symmetry, faults, yaw = _smiles(clip_signals, "obama", drawn)
        assert abs(yaw) >= 10.0
        assert "asymmetry" not in faults


def test_a_head_back_toner_from_a_rest_tilted_up_counts_and_is_no_jaw_glide(clip_signals: Any) -> None:
    series, truth = clip_signals("obama", "jawline-toner", reps=2, hold_s=3.0, rest_s=1.5, tempo_up_s=1.5,
                                 tempo_down_s=1.5, head_pitch_deg=12.0)
    rest = series.t_ms < 1500
    assert np.nanmedian(series.column("head_pitch")[rest]) >= 8.0  # the rest is tilted up
    result, _engine = analyze_series(series, exercise_id="jawline-toner", fps=FPS)
    assert len(result["reps"]) == len(truth.reps), result
    assert not any(f["kind"] == "wrong-exercise" for f in result["faults"]), result["faults"]


def test_a_head_turned_35_degrees_is_told_to_face_the_camera_and_nothing_counts(clip_signals: Any) -> None:
    series, _truth = clip_signals("obama", "cheek-lifter", head_yaw_deg=35.0, **SMILE)
    result, _engine = analyze_series(series, exercise_id="cheek-lifter", fps=FPS)
    said = [f for f in result["faults"] if f["kind"] == "face-camera"]
    assert len(said) == 1 and "Turn to face the camera" in said[0]["message"]
    assert result["reps"] == []
