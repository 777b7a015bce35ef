"""The practice page's frame loop in Chromium with the fake webcam (static/js/landmarks.js).

Where the browser reports two or more cores the Face Landmarker runs in two workers that take alternate
camera frames; the answers still reach the coach in camera order (each frame sent to the server is newer
than the last) and the coach counts the clip's true reps. With one core it runs in one worker; where a
worker cannot run the model (no WebGL in an OffscreenCanvas) the page runs it itself. How fast the loop
runs is measured in bench/bench_browser_fps.py, not here.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_kit import SIZES, Shots, answer_screening, chromium, live_server, shots_folder, sign_up

pytestmark = pytest.mark.browser
PRACTICE = "/practice?exercise=cheek-lifter&sets=1&reps=3"

# The frames the page sends to the server's coach: each one's camera time and whether it holds a face
# (live/protocol.py's layout), and the whole frame for the first 60.
RECORD_SENT = """
window.__sent = [];
const send = WebSocket.prototype.send;
WebSocket.prototype.send = function (data) {
  if (data instanceof ArrayBuffer && new DataView(data).getUint8(0) === 1) {
    const v = new DataView(data);
    window.__sent.push({ tMs: v.getFloat64(8, true), face: (v.getUint8(1) & 1) === 1,
                         bytes: window.__sent.length < 60 ? Array.from(new Uint8Array(data)) : null });
  }
  return send.call(this, data);
};
"""
ONE_CORE = "Object.defineProperty(Navigator.prototype, 'hardwareConcurrency', { get: () => 1 });"
# A worker that cannot run the model says so when asked to start, as landmarker_worker.js does then.
NO_WEBGL_WORKER = ('self.onmessage = () => self.postMessage({ type: "failed", '
                   'message: "no WebGL in an OffscreenCanvas" });')


def _coach(page: Any, base: str) -> None:
    page.goto(base + PRACTICE)
    page.wait_for_selector("body[data-loaded=yes]")
    page.click("#start")
    page.wait_for_selector("#go:visible", timeout=120_000)  # the model loads first
    page.click("#go")


def _in_camera_order(sent: list[dict[str, Any]]) -> None:
    assert len(sent) > 10, sent
    assert all(b["tMs"] > a["tMs"] for a, b in itertools.pairwise(sent)), sent
    assert sum(frame["face"] for frame in sent) > 0.9 * len(sent)


def _lift_off_rest(sent: list[dict[str, Any]]) -> list[float]:
    """How far each of the first frames' cheek lift (the cheek lifter's drive, either side) is from the
    face the landmarker settles on: the median of the frames 1-2.5 s after the first one sent, still inside
    the clip's 4 s of rest. The coach learns its rest face from the first still second."""
    from facefit.coach.features import FEATURE_INDEX, MATRIX
    from facefit.web.live.coaching import FrameSignals
    from facefit.web.live.protocol import decode_frame, landmark_indices

    indices = landmark_indices()
    signals = FrameSignals(indices)
    kept = [frame for frame in sent if frame["bytes"] is not None]
    rows = np.array([signals(decode_frame(bytes(frame["bytes"]), len(indices))) for frame in kept])
    since = np.array([frame["tMs"] - kept[0]["tMs"] for frame in kept])
    settled = np.median(rows[(since >= 1000) & (since <= 2500)], axis=0)
    lift = (rows - settled) @ MATRIX[:, [FEATURE_INDEX["smile_r"], FEATURE_INDEX["smile_l"]]]
    return np.abs(lift).max(axis=1).tolist()


def test_two_workers_answer_in_camera_order_and_the_coach_counts_the_clip(
    synth_clip: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    clip, truth = synth_clip
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'loop.db'}") as (base, _app), chromium(clip) as browser:
        context = browser.new_context(viewport=SIZES["laptop"])
        context.add_init_script(RECORD_SENT + "Object.defineProperty(Navigator.prototype, "
                                "'hardwareConcurrency', { get: () => 2 });")
        page = context.new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        sign_up(page, base, "loop@example.org")
        answer_screening(page)
        _coach(page, base)
        for _ in range(1200):  # wait_for_function evaluates a string, which the page's CSP forbids
            if page.evaluate("window.facefit ? window.facefit.reps : 0") >= 1:
                break
            page.wait_for_timeout(100)
        # no stored calibration: the hint to keep still is gone once the coach has the rest face
        assert "Keep still" not in (page.text_content("#status") or "")
        page.wait_for_selector("[data-testid=session-summary]:not([hidden])", timeout=120_000)
        assert page.evaluate("window.facefit.landmarker.workers") == 2
        assert page.evaluate("window.facefit.reps") == len(truth["reps"])
        sent = page.evaluate("window.__sent")
        _in_camera_order(sent)
        # Each worker's first answers are still locking on to the face (0.014 IPD off on the first:
        # face_model.js lockOn): the coach gets none of them, whatever the load, so it learns the true rest.
        assert max(_lift_off_rest(sent)[:4]) < 0.004
        assert shots.errors == []


@pytest.mark.parametrize("case", ["one core", "no worker"])
def test_fewer_cores_or_no_worker_still_run_the_loop(
    case: str, synth_clip: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    clip, _truth = synth_clip
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'loop.db'}") as (base, _app), chromium(clip) as browser:
        # No service worker: it would serve the landmarker's worker from its cache, past the route below.
        context = browser.new_context(viewport=SIZES["phone"], service_workers="block")
        context.add_init_script(RECORD_SENT + (ONE_CORE if case == "one core" else ""))
        if case == "no worker":
            context.route("**/static/js/landmarker_worker.js", lambda route: route.fulfill(
                status=200, content_type="text/javascript", body=NO_WEBGL_WORKER))
        page = context.new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        sign_up(page, base, f"{case.replace(' ', '-')}@example.org")
        answer_screening(page)
        _coach(page, base)
        page.wait_for_function("() => window.__sent.length > 20", timeout=120_000)
        workers = page.evaluate("window.facefit.landmarker.workers ?? 0")
        assert workers == (1 if case == "one core" else 0)
        _in_camera_order(page.evaluate("window.__sent"))
        assert shots.errors == []
