"""``facefit landmarks`` / ``facefit calibrate``: the real process for errors (one line, exit code, no
traceback), the in-process app for the outputs (JSON, tidy CSV, stored calibration)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from facefit.cli import app
from facefit.signals.names import SIGNAL_NAMES
from facefit.store.calibration import calibration_history, load_calibration
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile

FACEFIT = str(Path(sys.executable).with_name("facefit"))


def run_facefit(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "FACEFIT_DB_URL"}
    env |= {"FACEFIT_HOME": str(home), "GLOG_minloglevel": "2", "COLUMNS": "200"}
    return subprocess.run([FACEFIT, *args], capture_output=True, text=True, env=env, timeout=120)


def error_lines(stderr: str) -> list[str]:
    """The lines FaceFit wrote (MediaPipe's native logging is not ours)."""
    return [line for line in stderr.splitlines() if line.startswith("error:")]


@pytest.fixture(scope="module")
def bad_files(real_data: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("bad")
    truncated = folder / "truncated.jpg"
    truncated.write_bytes((real_data / "obama.jpg").read_bytes()[:10_000])
    empty = folder / "empty.jpg"
    empty.touch()
    text = folder / "text.mp4"
    text.write_text("not a video\n")
    huge = folder / "huge.png"
    Image.new("1", (20_000, 20_000)).save(huge)
    return {"truncated": truncated, "empty": empty, "text": text, "huge": huge}


def run_main(
    args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[int, str, str]:
    """``facefit ARGS`` through the console-script entry point, in this process (no 1 s start-up)."""
    from facefit.cli import main

    monkeypatch.setattr(sys, "argv", ["facefit", *args])
    with pytest.raises(SystemExit) as stopped:
        main()
    captured = capsys.readouterr()
    return int(stopped.value.code or 0), captured.out, captured.err


BAD_FILE_MESSAGES = {
    "truncated": "truncated.jpg is corrupt or truncated",
    "empty": "empty.jpg is empty (0 bytes)",
    "text": "text.mp4 is not a video or image FaceFit can read",
    "huge": "The photo huge.png has far more pixels than the 64 megapixel limit; resize it first.",
}


@pytest.mark.parametrize("key", sorted(BAD_FILE_MESSAGES))
def test_bad_files_get_one_clear_error_and_no_traceback(
    bad_files: dict[str, Path], key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(["landmarks", str(bad_files[key]), "--json"], monkeypatch, capsys)
    assert code == 2 and out == "" and "Traceback" not in err
    lines = error_lines(err)
    assert len(lines) == 1 and BAD_FILE_MESSAGES[key] in lines[0]


def test_real_process_prints_one_line_for_a_bad_file(bad_files: dict[str, Path], facefit_home: Path) -> None:
    done = run_facefit("landmarks", str(bad_files["truncated"]), "--csv", home=facefit_home)
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert error_lines(done.stderr) == [line for line in done.stderr.splitlines() if line.strip()]
    assert BAD_FILE_MESSAGES["truncated"] in done.stderr


def test_no_face_photo_exits_3_in_a_real_process(real_data: Path, facefit_home: Path) -> None:
    photo = str(real_data / "free-mountain-vector-01.jpg")
    done = run_facefit("landmarks", photo, "--json", home=facefit_home)
    assert done.returncode == 3 and "Traceback" not in done.stderr and done.stdout == ""
    assert error_lines(done.stderr) == ["error: No face found in free-mountain-vector-01.jpg."]
    # MediaPipe's start-up chatter on fd 2 is hidden: the user sees exactly one line.
    assert [line for line in done.stderr.splitlines() if line.strip()] == error_lines(done.stderr)


def test_no_face_video_exits_3(
    real_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_main(["landmarks", str(real_data / "no_face.mp4"), "--csv"], monkeypatch, capsys)
    assert code == 3 and out == "" and error_lines(err) == ["error: No face found in no_face.mp4."]


def test_calibrate_rejection_is_exit_4_and_stores_nothing(
    real_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    photo = str(real_data / "0-f15-hao-ph.jpg")
    code, _, err = run_main(["calibrate", "--image", photo], monkeypatch, capsys)
    assert code == 4 and "Traceback" not in err
    assert "you are smiling" in error_lines(err)[0]
    store = open_store()
    try:
        with store.transaction() as db:
            assert load_calibration(session=db, profile_id=get_or_create_profile(session=db).id) is None
    finally:
        store.close()


# ------------------------------------------------------------------------------------------- outputs
runner = CliRunner()


def test_landmarks_json_for_a_photo(real_data: Path) -> None:
    result = runner.invoke(app, ["landmarks", str(real_data / "multi_face.jpg"), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["kind"] == "image" and document["frames"] == 1 and document["max_faces_seen"] > 1
    frame = document["frames_detail"][0]
    assert frame["face_present"] and frame["faces_found"] == document["max_faces_seen"]
    assert set(frame["head_pose"]) == {"pitch", "yaw", "roll"}
    assert len(frame["blendshapes"]) == 51 and "mouthSmileLeft" in frame["blendshapes"]
    assert "brow_height_r" in frame["signals"]
    assert "largest face" in result.stderr


def test_landmarks_json_summary(real_data: Path) -> None:
    video = str(real_data / "single_face.mp4")
    result = runner.invoke(app, ["landmarks", video, "--json", "--summary", "--max-side", "320"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["frames"] == 72 and document["frames_without_face"] == 0
    assert document["missing_frames"] == []
    assert (document["width"], document["height"]) == (320, 180) and document["fps"] == pytest.approx(30)
    stats = document["summary"]["mouth_width"]
    assert stats["p5"] <= stats["median"] <= stats["p95"]
    assert "frames_detail" not in document


def test_landmarks_csv_is_tidy(real_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "signals.csv"
    video = str(real_data / "face_noface.mov")
    result = runner.invoke(app, ["landmarks", video, "--csv", "--out", str(out), "--max-side", "480"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == 169
    assert list(rows[0]) == ["frame", "t_ms", "faces_found", *SIGNAL_NAMES]
    missing = [r for r in rows if r["face_present"] == "0"]
    assert missing and all(r["brow_height_r"] == "" and r["faces_found"] == "0" for r in missing)
    present = [r for r in rows if r["face_present"] == "1"]
    assert all(float(r["mouth_width"]) > 0 for r in present)
    assert [int(r["t_ms"]) for r in rows] == sorted({int(r["t_ms"]) for r in rows})


def test_landmarks_with_landmarks_flag(real_data: Path) -> None:
    result = runner.invoke(app, ["landmarks", str(real_data / "biden.jpg"), "--json", "--with-landmarks"])
    points = json.loads(result.stdout)["frames_detail"][0]["landmarks"]
    assert len(points) == 478 and all(len(p) == 3 for p in points)


def test_calibrate_from_photo_stores_history(real_data: Path) -> None:
    for _ in range(2):
        result = runner.invoke(app, ["calibrate", "--image", str(real_data / "biden.jpg"), "--json"])
        assert result.exit_code == 0, result.output
    stored = json.loads(result.stdout)
    assert stored["method"] == "photo-mirror" and stored["rest"]["brow_height_r"] > 0
    store = open_store()
    try:
        with store.transaction() as db:
            profile = get_or_create_profile(session=db)
            history = calibration_history(session=db, profile_id=profile.id)
            assert len(history) == 2 and history[0].id == stored["id"]
    finally:
        store.close()


def test_calibrate_needs_exactly_one_source(real_data: Path) -> None:
    from facefit.errors import InputError

    result = runner.invoke(app, ["calibrate"])
    assert isinstance(result.exception, InputError)
    both = runner.invoke(app, ["calibrate", "--image", str(real_data / "biden.jpg"), "--video", "x.mp4"])
    assert isinstance(both.exception, InputError) and "exactly one" in str(both.exception)


def test_every_command_has_help() -> None:
    for command in ("landmarks", "calibrate"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0 and "Exit codes" in result.stdout
