"""``facefit analyze`` and ``facefit coach`` through the real CLI, model and SQLite store, on real videos."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.errors import CatalogError, InputError, NoFaceError
from facefit.practice.analyze import ANALYZE_FIELDS
from facefit.signals.calibration import Calibration
from facefit.signals.names import SIGNAL_NAMES
from facefit.store.calibration import save_calibration
from facefit.store.db import open_store
from facefit.store.models import PracticeSession, SessionEvent
from facefit.store.profiles import get_or_create_profile

runner = CliRunner()
pytestmark = pytest.mark.slow


def analyze_json(*args: str) -> dict[str, object]:
    result = runner.invoke(app, ["analyze", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # exactly one JSON object: anything else fails to parse


def test_analyze_single_face_video_prints_the_contract(real_data: Path) -> None:
    out = analyze_json(str(real_data / "single_face.mp4"), "--exercise", "cheek-lifter")
    assert tuple(out) == ANALYZE_FIELDS
    assert out["exercise"] == "cheek-lifter" and out["fps"] == pytest.approx(30.0)
    assert out["frames"] == 72 and out["frames_without_face"] == 0
    assert out["calibration"] == "first-second"
    assert isinstance(out["reps"], list) and isinstance(out["safety"], list)


def test_analyze_reports_frames_without_a_face(real_data: Path) -> None:
    out = analyze_json(str(real_data / "face_noface.mov"), "--exercise", "jawline-toner")
    assert 0 < out["frames_without_face"] < out["frames"]  # type: ignore[operator]
    assert out["reps"] == []


def test_analyze_uses_the_stored_calibration(real_data: Path) -> None:
    store = open_store()
    with store.transaction() as session:
        profile = get_or_create_profile(session=session)
        rest = np.zeros(len(SIGNAL_NAMES))
        calibration = Calibration(rest=rest, spread=np.zeros(len(SIGNAL_NAMES)), source="test")
        save_calibration(session=session, profile_id=profile.id, calibration=calibration)
    out = analyze_json(str(real_data / "single_face.mp4"), "-e", "brow-smoothener")
    assert out["calibration"] == "stored"


def test_analyze_without_json_prints_a_summary(real_data: Path) -> None:
    result = runner.invoke(app, ["analyze", str(real_data / "single_face.mp4"), "-e", "cheek-lifter"])
    assert result.exit_code == 0, result.output
    assert "rest face from your first still second" in result.stdout  # words, not the JSON's "first-second"
    assert "72 frames, 0 without a face" in result.stdout


def test_analyze_errors_name_the_problem(real_data: Path, tmp_path: Path) -> None:
    no_face = runner.invoke(app, ["analyze", str(real_data / "no_face.mp4"), "-e", "cheek-lifter", "--json"])
    assert isinstance(no_face.exception, NoFaceError) and "No face found" in str(no_face.exception)
    unknown = runner.invoke(app, ["analyze", str(real_data / "single_face.mp4"), "-e", "juggling"])
    assert isinstance(unknown.exception, CatalogError) and "cheek-lifter" in str(unknown.exception)
    missing = runner.invoke(app, ["analyze", str(tmp_path / "nope.mp4"), "-e", "cheek-lifter"])
    assert isinstance(missing.exception, InputError) and "There is no file" in str(missing.exception)
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    bad = runner.invoke(app, ["analyze", str(fake), "-e", "cheek-lifter"])
    assert isinstance(bad.exception, InputError) and "not a video or image" in str(bad.exception)
    folder = runner.invoke(app, ["analyze", str(tmp_path), "-e", "cheek-lifter"])
    assert isinstance(folder.exception, InputError) and "not a file" in str(folder.exception)


def test_coach_video_saves_the_session(real_data: Path) -> None:
    video = str(real_data / "face_noface.mov")
    result = runner.invoke(app, ["coach", "--exercise", "cheek-lifter", "--video", video])
    assert result.exit_code == 0, result.output
    assert "saved" in result.stdout
    # the live line is ended before the summary, also when stdout is not a terminal
    assert re.search(r"^session \d+ saved", result.stdout, re.MULTILINE), result.stdout
    store = open_store()
    with store.transaction() as session:
        rows = session.query(PracticeSession).all()
        assert [(r.kind, r.exercise_id, r.status) for r in rows] == [("coach", "cheek-lifter", "completed")]
        assert rows[0].ended_at is not None
        assert rows[0].summary["frames_without_face"] > 0
        events = session.query(SessionEvent).filter_by(session_id=rows[0].id).all()
        kinds = [e.kind for e in events]
        assert set(kinds) <= {"rep", "hold", "fault", "safety", "progress"}
        assert kinds.count("rep") == rows[0].summary["reps_done"]


def test_coach_needs_exactly_one_source() -> None:
    result = runner.invoke(app, ["coach", "--exercise", "cheek-lifter"])
    assert isinstance(result.exception, InputError) and "exactly one" in str(result.exception)


def test_coach_on_an_unusable_source_leaves_no_session(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    bad = runner.invoke(app, ["coach", "--exercise", "cheek-lifter", "--video", str(fake)])
    assert isinstance(bad.exception, InputError) and "not a video or image" in str(bad.exception)
    never = runner.invoke(app, ["coach", "-e", "cheek-lifter", "--video", str(fake), "--max-seconds", "0"])
    assert isinstance(never.exception, InputError) and "--max-seconds" in str(never.exception)
    with open_store().transaction() as session:
        assert session.query(PracticeSession).count() == 0


def test_analyze_of_a_crowd_says_the_largest_face_was_coached(real_data: Path, tmp_path: Path) -> None:
    import cv2

    from facefit.synth.writers import Y4mWriter

    bgr = cv2.imread(str(real_data / "multi_face.jpg"))
    rgb = cv2.cvtColor(bgr[: bgr.shape[0] // 2 * 2, : bgr.shape[1] // 2 * 2], cv2.COLOR_BGR2RGB)
    video = tmp_path / "crowd.y4m"
    writer = Y4mWriter(video, (rgb.shape[1], rgb.shape[0]), 10.0)
    for _ in range(10):
        writer.write(rgb)
    writer.close()
    result = runner.invoke(app, ["analyze", str(video), "-e", "cheek-lifter", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["frames"] == 10  # stdout is still only the JSON object
    assert "faces in a frame; the largest face was coached" in result.stderr
