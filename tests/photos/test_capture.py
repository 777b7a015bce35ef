"""Capture: the gate decides frame by frame; a video stands in for the camera; no display degrades."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.photos.capture import CaptureGate, draw_status, ghost_overlay
from facefit.photos.gate import Reference
from facefit.photos.measure import PhotoMeasurement

runner = CliRunner()


def _write_mp4(frames: list[np.ndarray], path: Path, fps: int = 10) -> Path:
    import av

    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps, options={"crf": "12"})
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


@pytest.fixture(scope="session")
def rehearsal_video(tmp_path_factory: pytest.TempPathFactory, grace_rgb: np.ndarray) -> Path:
    """4 frames too dark, then 6 good frames: capture must wait for the good, steady part."""
    dark = (grace_rgb * 0.3).astype(np.uint8)
    return _write_mp4([dark] * 4 + [grace_rgb] * 6, tmp_path_factory.mktemp("video") / "rehearsal.mp4")


def test_capture_gate_needs_a_steady_streak(
    grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    gate = CaptureGate(image_landmarker, Reference.from_measurement(grace), hold_frames=3)
    dark = (grace_rgb * 0.3).astype(np.uint8)
    states = [gate.update(f) for f in (grace_rgb, grace_rgb, dark, grace_rgb, grace_rgb, grace_rgb)]
    assert [s.streak for s in states] == [1, 2, 0, 1, 2, 3]
    assert [s.ready for s in states] == [False] * 5 + [True]
    assert "luminance" in {c.name for c in states[2].result.failed}


def test_overlay_draws_ghost_and_checks(
    grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    frame = np.zeros_like(grace_rgb)
    ghost = ghost_overlay(frame, grace_rgb, alpha=0.35)
    assert abs(float(ghost.mean()) - 0.35 * float(grace_rgb.mean())) < 2
    status = CaptureGate(image_landmarker, None, hold_frames=2).update(grace_rgb)
    drawn = draw_status(ghost, status, 2)
    green = (drawn[..., 1] > 150) & (drawn[..., 0] < 100)
    assert green.sum() > 100  # passed checks are written in green


def test_capture_from_video_takes_the_first_steady_good_frame(
    grace_path: Path, rehearsal_video: Path
) -> None:
    assert runner.invoke(app, ["photo", "add", str(grace_path)]).exit_code == 0
    result = runner.invoke(
        app, ["photo", "capture", "--source", str(rehearsal_video), "--no-window", "--hold", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "stored as photo 2" in result.stdout
    listing = json.loads(runner.invoke(app, ["photo", "list", "--json"]).stdout)
    assert [row["source"].startswith("capture ") for row in listing] == [False, True]


def test_capture_gives_up_cleanly_when_no_frame_passes(
    grace_path: Path, grace_rgb: np.ndarray, tmp_path: Path
) -> None:
    assert runner.invoke(app, ["photo", "add", str(grace_path)]).exit_code == 0
    dark = _write_mp4([(grace_rgb * 0.3).astype(np.uint8)] * 4, tmp_path / "dark.mp4")
    result = runner.invoke(app, ["photo", "capture", "--source", str(dark), "--no-window"])
    assert result.exit_code == 1
    assert "no photo taken" in result.stdout


def test_capture_without_display_or_camera_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    result = runner.invoke(app, ["photo", "capture", "--camera", "0", "--window"])
    assert result.exit_code != 0
    assert "No display found" in str(result.exception)
    result = runner.invoke(app, ["photo", "capture", "--camera", "57", "--no-window"])
    assert result.exit_code != 0
    assert "camera 57 could not be opened" in str(result.exception)


def test_capture_window_under_a_virtual_display(
    grace_path: Path, rehearsal_video: Path, facefit_home: Path
) -> None:
    """The live window path (ghost, checks, imshow/waitKey) end to end, on Xvfb when it is installed."""
    import os
    import shutil
    import subprocess
    import sys
    import time

    xvfb = shutil.which("Xvfb")
    if xvfb is None:
        pytest.skip("Xvfb not installed (Debian package xvfb)")
    assert runner.invoke(app, ["photo", "add", str(grace_path)]).exit_code == 0
    display = f":{90 + os.getpid() % 9}"
    server = subprocess.Popen(
        [xvfb, display, "-screen", "0", "1024x768x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1.0)
        env = {**os.environ, "DISPLAY": display, "FACEFIT_HOME": str(facefit_home), "GLOG_minloglevel": "2"}
        done = subprocess.run(
            [
                Path(sys.executable).with_name("facefit"),
                "photo",
                "capture",
                "--source",
                str(rehearsal_video),
                "--hold",
                "3",
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=180,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "photo taken: stored as photo 2" in done.stdout


class CountingLandmarker:
    """The real landmarker, counting its calls (how many times capture runs the model per frame)."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.calls = 0

    def detect(self, rgb: np.ndarray, t_ms: int = 0) -> object:
        self.calls += 1
        return self.inner.detect(rgb, t_ms)  # type: ignore[attr-defined]


def test_the_gate_measures_a_frame_from_the_observation_it_is_given(
    grace: PhotoMeasurement, grace_rgb: np.ndarray, image_landmarker: object
) -> None:
    """Given the frame's observation (the signal stream's), the gate runs the model only on the mirror
    image, and judges exactly as when it detects the face itself."""
    from facefit.photos.library import check_rgb
    from facefit.vision.observation import FaceObservation

    counting = CountingLandmarker(image_landmarker)
    reference = Reference.from_measurement(grace)
    seen = image_landmarker.detect(grace_rgb)  # type: ignore[attr-defined]
    given = check_rgb(grace_rgb, landmarker=counting, reference=reference, observation=seen)
    assert counting.calls == 1  # the mirror image only
    own = check_rgb(grace_rgb, landmarker=counting, reference=reference)
    assert counting.calls == 3  # the photo and its mirror
    assert given.accepted and given.to_dict() == own.to_dict()
    nobody = check_rgb(grace_rgb, landmarker=counting, reference=reference,
                       observation=FaceObservation.empty(0, (grace_rgb.shape[1], grace_rgb.shape[0])))
    assert counting.calls == 3 and not nobody.accepted  # no face: no mirror to look at


def test_capture_runs_on_the_signal_stream_one_model_call_per_frame_and_its_mirror(
    grace_path: Path, rehearsal_video: Path, image_landmarker: object
) -> None:
    """Capture reads the camera through signals.stream.SignalStream; each frame is detected once (by
    the stream) and its mirror once (by the gate), and it waits for the steady good part as before."""
    from facefit.photos.capture import CaptureStatus, run_capture
    from facefit.photos.library import baseline_reference, import_photo
    from facefit.signals.stream import SignalStream
    from facefit.store.db import open_store
    from facefit.store.profiles import get_or_create_profile

    store = open_store()
    try:
        with store.transaction() as db:
            profile_id = get_or_create_profile(session=db).id
        assert import_photo(grace_path, store=store, profile_id=profile_id,
                            landmarker=image_landmarker).is_baseline
        counting = CountingLandmarker(image_landmarker)
        seen: list[CaptureStatus] = []
        with SignalStream(rehearsal_video, landmarker=counting) as stream:  # type: ignore[arg-type]
            outcome = run_capture(stream, store=store, profile_id=profile_id, landmarker=counting,
                                  reference=baseline_reference(store=store, profile_id=profile_id),
                                  baseline_rgb=None, window=False, hold_frames=3, on_status=seen.append)
    finally:
        store.close()
    assert outcome is not None and outcome.stored and outcome.photo_id == 2
    assert [s.streak for s in seen] == [0, 0, 0, 0, 1, 2, 3]  # 4 dark frames, then 3 good in a row
    assert all(s.result.measurement.present for s in seen)
    assert counting.calls == 2 * len(seen) + 2  # frame + mirror per frame; the import checks its photo
