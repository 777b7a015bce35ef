"""Acceptance: `facefit photo check/add` accept a good first photo and reject each broken copy by name."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.photos.measure import PhotoMeasurement

runner = CliRunner()
CHECK_NAMES = {
    "one_face",
    "yaw",
    "pitch",
    "roll",
    "distance",
    "resolution",
    "luminance",
    "balance",
    "sharpness",
    "eyes_open",
    "expression",
}


def check_json(path: Path) -> tuple[int, dict]:
    result = runner.invoke(app, ["photo", "check", str(path), "--json"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, json.loads(result.stdout)


def add_baseline(path: Path) -> None:
    result = runner.invoke(app, ["photo", "add", str(path)])
    assert result.exit_code == 0, result.output
    assert "(baseline)" in result.stdout


def test_grace_passes_as_first_photo_and_becomes_baseline(grace_path: Path) -> None:
    code, report = check_json(grace_path)
    assert code == 0
    assert report["accepted"] is True
    assert {c["name"] for c in report["checks"]} == CHECK_NAMES
    for check in report["checks"]:
        assert set(check) == {"name", "passed", "value", "limit", "advice"}
        assert check["passed"] is True
    assert report["metrics"]["baseline_photo_id"] is None  # judged as a baseline: within 10 deg of frontal
    assert all(abs(report["metrics"]["pose"][k]) <= 10 for k in ("pitch", "yaw", "roll"))
    add_baseline(grace_path)
    code, again = check_json(grace_path)
    assert code == 0 and again["metrics"]["baseline_photo_id"] == 1


@pytest.mark.parametrize(
    ("case", "must_fail"),
    [
        ("rotated10", {"roll"}),
        ("darkened", {"luminance"}),
        ("half_dark", {"balance"}),
        ("downscaled", {"distance"}),
        ("smile_warp", {"expression"}),
        ("single_face", {"expression", "yaw"}),
        ("multi_face", {"one_face"}),
        ("no_face", {"one_face"}),
    ],
)
def test_broken_copies_fail_the_named_check(
    case: str, must_fail: set[str], photo_files: dict[str, Path], grace_path: Path
) -> None:
    add_baseline(grace_path)
    code, report = check_json(photo_files[case])
    assert code == 1
    assert report["accepted"] is False
    failed = {c["name"]: c for c in report["checks"] if not c["passed"]}
    assert must_fail <= set(failed), f"{case}: failed {sorted(failed)}"
    for name in must_fail:
        assert failed[name]["advice"] and failed[name]["advice"] != "ok"


def test_only_the_intended_check_fails_for_single_rule_copies(
    photo_files: dict[str, Path], grace_path: Path
) -> None:
    """The light and roll copies break one rule; the others must not be collateral failures."""
    add_baseline(grace_path)
    for case, name in (
        ("rotated10", "roll"),
        ("darkened", "luminance"),
        ("half_dark", "balance"),
        ("downscaled", "distance"),
    ):
        _, report = check_json(photo_files[case])
        assert [c["name"] for c in report["checks"] if not c["passed"]] == [name], case


def test_advice_says_what_to_do(photo_files: dict[str, Path], grace_path: Path) -> None:
    add_baseline(grace_path)
    advice = {}
    for case in ("rotated10", "downscaled", "half_dark", "single_face"):
        _, report = check_json(photo_files[case])
        advice.update({c["name"]: c["advice"] for c in report["checks"] if not c["passed"]})
    assert "tilt it 10 deg" in advice["roll"]
    assert advice["distance"].startswith("move closer") and "15% smaller" in advice["distance"]
    assert "right side" in advice["balance"] and "darker" in advice["balance"]
    assert "to your left" in advice["yaw"]  # single_face is turned to the person's right


def test_smile_from_synth_fails_expression_against_calibration(
    grace_path: Path, image_landmarker: object, tmp_path: Path
) -> None:
    """The calibrated person (`facefit calibrate` on the clip's rest frame, also the baseline) and a
    cheek-lifter frame from `facefit synth`: the expression check fails, naming the calibrated rest."""
    synth = pytest.importorskip("facefit.synth")
    from PIL import Image

    clip = synth.prepare_clip(
        grace_path,
        synth.ClipSpec(exercise="cheek-lifter", reps=1, size=(512, 600)),
        landmarker=image_landmarker,
    )
    peak = int(np.argmax(clip.truth.column("strength")))
    rest_file, smile_file = tmp_path / "rest.png", tmp_path / "smile.png"
    Image.fromarray(clip.render(0)).save(rest_file)
    Image.fromarray(clip.render(peak)).save(smile_file)
    calibrated = runner.invoke(app, ["calibrate", "--image", str(rest_file)])
    assert calibrated.exit_code == 0, calibrated.output
    add_baseline(rest_file)
    code, report = check_json(rest_file)
    assert code == 0  # the rest itself is neutral against its own calibration
    code, report = check_json(smile_file)
    assert code == 1
    failed = {c["name"]: c for c in report["checks"] if not c["passed"]}
    assert "expression" in failed
    assert "calibrated rest" in failed["expression"]["advice"]


def test_add_rejects_then_force_stores_marked(photo_files: dict[str, Path], grace_path: Path) -> None:
    add_baseline(grace_path)
    rejected = runner.invoke(app, ["photo", "add", str(photo_files["darkened"])])
    assert rejected.exit_code == 1
    listing = json.loads(runner.invoke(app, ["photo", "list", "--all", "--json"]).stdout)
    assert len(listing) == 1
    forced = runner.invoke(
        app, ["photo", "add", str(photo_files["darkened"]), "--force", "--date", "2025-03-04"]
    )
    assert forced.exit_code == 0, forced.output
    listing = json.loads(runner.invoke(app, ["photo", "list", "--all", "--json"]).stdout)
    assert [(row["accepted"], row["baseline"]) for row in listing] == [(False, False), (True, True)]
    assert listing[0]["taken"] == "2025-03-04"
    accepted_only = json.loads(runner.invoke(app, ["photo", "list", "--json"]).stdout)
    assert len(accepted_only) == 1


def test_installed_command_exit_codes(
    grace_path: Path, photo_files: dict[str, Path], facefit_home: Path
) -> None:
    """The console script: exit 1 with JSON naming the failure; a bad file: exit 2, no traceback."""
    exe = Path(sys.executable).with_name("facefit")
    env = {**os.environ, "FACEFIT_HOME": str(facefit_home), "GLOG_minloglevel": "2"}
    done = subprocess.run(
        [exe, "photo", "check", str(photo_files["multi_face"]), "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert next(c["name"] for c in report["checks"] if not c["passed"]) == "one_face"
    empty = facefit_home / "empty.jpg"
    empty.write_bytes(b"")
    done = subprocess.run(
        [exe, "photo", "check", str(empty)], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == 2
    assert "empty (0 bytes)" in done.stderr and "Traceback" not in done.stderr


def test_measurement_has_mm_and_ipd_units(grace: PhotoMeasurement) -> None:
    summary = grace.summary()
    mm_per_ipd = summary["mm_per_ipd"]
    assert 50 < mm_per_ipd < 75  # adult IPD is 54-74 mm
    brow = summary["face"]["brow_height_r"]
    assert summary["face_mm"]["brow_height_r"] == pytest.approx(brow * mm_per_ipd, rel=1e-3)
    assert "jaw_width_ratio" not in summary["face_mm"]  # ratios have no millimetres
