"""The whole app in a real browser: Debian's Chromium (no browser download) with a synth clip as the
fake webcam. Sign up, calibrate, coach cheek-lifter live: the rep count on the page equals the clip's
truth, and the session is saved. Screenshots of the dashboard, coaching and progress pages are checked
(non-empty, expected elements visible); set FACEFIT_SCREENSHOTS=<dir> to keep them."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from facefit.store.models import PracticeSession, SessionEvent
from facefit.web.app import create_app
from facefit.web.settings import WebSettings

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.browser


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[tuple[str, Any]]:
    import uvicorn

    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'browser.db'}", secure_cookies=False))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}", app
    server.should_exit = True
    thread.join(timeout=10)


def _check_screenshot(path: Path) -> None:
    from PIL import Image

    with Image.open(path) as image:
        pixels = np.asarray(image.convert("L"), dtype=float)
    assert pixels.shape[0] > 300 and pixels.shape[1] > 600
    assert pixels.std() > 10, f"{path.name} looks blank"


def test_signup_calibrate_and_coach_cheek_lifter_in_chromium(
    live_server: tuple[str, Any], synth_clip: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is not installed in CI (make sysdeps installs it)")
        pytest.skip("Debian chromium not installed")
    from playwright.sync_api import sync_playwright

    base, app = live_server
    clip, truth = synth_clip
    shots = tmp_path / "shots"
    shots.mkdir()
    errors: list[str] = []
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--use-fake-device-for-media-stream",  # Playwright gives each launch a new user-data-dir
            "--use-fake-ui-for-media-stream", f"--use-file-for-fake-video-capture={clip}"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=args)
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(60_000)

        page.goto(f"{base}/signup")
        page.fill("input[name=email]", "browser@example.org")
        page.fill("input[name=password]", "correct horse battery staple")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/start")  # a new account lands on the first-run steps

        page.goto(f"{base}/calibrate?seconds=3")  # the clip starts with 4 s of still, neutral face
        page.click("#start")
        page.wait_for_selector("body[data-state=ended]")
        assert page.text_content("#result") == "saved", page.text_content("#status")

        duration = truth["duration_s"]
        page.goto(f"{base}/practice?exercise=cheek-lifter&stop_after={duration + 0.3:.1f}")
        page.wait_for_selector("#exercise option[value=cheek-lifter]", state="attached")
        page.click("#start")
        page.wait_for_selector("#session-id:not(:text('—'))")
        page.wait_for_timeout(int(duration * 500))
        page.screenshot(path=shots / "coaching.png")
        page.wait_for_selector("body[data-state=ended]", timeout=int(duration * 1000) + 60_000)
        page.wait_for_timeout(500)
        reps_on_page = int(page.text_content("[data-testid=rep-count]") or -1)
        assert reps_on_page == len(truth["reps"])
        assert page.locator("#events li.ev-rep").count() == len(truth["reps"])
        session_id = int(page.text_content("#session-id") or 0)

        page.goto(f"{base}/")
        page.wait_for_selector("[data-testid=recent] li a")
        assert page.locator("[data-testid=streak]").is_visible()
        page.screenshot(path=shots / "dashboard.png", full_page=True)

        page.goto(f"{base}/progress")
        page.wait_for_selector("[data-testid=progress]")
        page.wait_for_selector("body[data-state=loaded]")
        page.screenshot(path=shots / "progress.png", full_page=True)
        browser.close()

    assert not errors, errors
    for name in ("dashboard.png", "coaching.png", "progress.png"):
        _check_screenshot(shots / name)
    keep = os.environ.get("FACEFIT_SCREENSHOTS")
    if keep:
        shutil.copytree(shots, keep, dirs_exist_ok=True)
    with app.state.store.transaction() as db:
        session = db.get(PracticeSession, session_id)
        reps = db.scalars(select(SessionEvent).where(SessionEvent.session_id == session_id,
                                                     SessionEvent.kind == "rep")).all()
        assert session is not None and session.ended_at is not None and session.source == "web"
        assert session.summary["last_set"]["calibration"] == "stored"
        assert len(reps) == len(truth["reps"])
