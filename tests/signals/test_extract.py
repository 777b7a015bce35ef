"""extract_signals on the real videos and photos: missing frames marked, crowd reported, time kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from facefit.errors import InputError
from facefit.signals.extract import Extraction, extract_signals
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES


@pytest.fixture(scope="session")
def face_noface(real_data: Path) -> Extraction:
    return extract_signals(real_data / "face_noface.mov", keep_landmarks=True)


def test_face_noface_marks_the_frames_where_the_face_is_gone(face_noface: Extraction) -> None:
    e = face_noface
    assert e.kind == "video" and e.frames == 169 and e.series.values.shape == (169, len(SIGNAL_NAMES))
    present = e.series.column("face_present")
    assert np.array_equal(present == 0, e.missing_mask)
    assert 30 <= e.frames_without_face <= 140
    assert present[:30].all()  # the video starts with the face
    gone = np.flatnonzero(e.missing_mask)
    assert np.isnan(e.series.values[gone][:, 1:]).all()  # missing frames are NaN rows, not zeros
    assert np.isnan(e.landmarks[gone]).all() and np.isfinite(e.landmarks[~e.missing_mask]).all()
    assert np.all(np.diff(e.series.t_ms) > 0) and e.duration_s == pytest.approx(6.36, abs=0.1)
    assert e.max_faces_seen == 1 and not e.truncated


def test_single_face_video_is_steady(real_data: Path) -> None:
    e = extract_signals(real_data / "single_face.mp4", max_side=480)
    assert e.frames == 72 and e.frames_without_face == 0 and e.fps == pytest.approx(30)
    assert e.size == (480, 270)
    brow = e.series.column("brow_height_r")
    assert np.isfinite(brow).all() and np.std(brow) < 0.05
    assert np.isfinite(e.series.column("head_pitch")).all()


def test_no_face_video_has_every_frame_missing(real_data: Path) -> None:
    e = extract_signals(real_data / "no_face.mp4")
    assert e.frames > 50 and e.frames_without_face == e.frames and e.max_faces_seen == 0


def test_photo_extraction_reports_the_crowd(real_data: Path) -> None:
    e = extract_signals(real_data / "multi_face.jpg")
    assert e.kind == "image" and e.frames == 1 and e.max_faces_seen > 1
    assert e.series.values[0, SIGNAL_INDEX["face_present"]] == 1
    assert e.fps is None and e.duration_s == 0.0


def test_bad_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.mov"
    path.write_bytes(b"\x00" * 64)
    with pytest.raises(InputError, match=r"broken\.mov"):
        extract_signals(path)


def test_chunked_signals_match_one_block(real_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long videos are processed in chunks (bounded memory); chunk edges change nothing."""
    import facefit.signals.extract as extract_module

    video = real_data / "single_face.mp4"
    whole = extract_signals(video, max_side=320, keep_landmarks=True)
    monkeypatch.setattr(extract_module, "CHUNK_FRAMES", 25)
    chunked = extract_signals(video, max_side=320, keep_landmarks=True)
    assert np.array_equal(whole.series.t_ms, chunked.series.t_ms)
    assert np.allclose(whole.series.values, chunked.series.values, equal_nan=True)
    assert chunked.landmarks is not None and chunked.landmarks.shape == (72, 478, 3)
