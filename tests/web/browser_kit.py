"""Driving the app in Debian's Chromium as a person would: a live server, a browser with a synth clip as
the fake webcam, and the checks every page must pass at phone and laptop size.

``check_page`` is the one place those checks live: no horizontal scroll (``scrollWidth <= innerWidth``),
no console error, axe-core (pinned in ``src/facefit/web/package.json``) reporting no serious or
critical violation, and a screenshot written to ``FACEFIT_SCREENSHOTS`` (or the test's tmp dir) for a
person to look at.
"""

from __future__ import annotations

import json
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from facefit.web.app import create_app
from facefit.web.settings import WebSettings

CHROMIUM = Path("/usr/bin/chromium")
AXE = Path(__file__).resolve().parents[2] / "src/facefit/web/node_modules/axe-core/axe.min.js"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
SIZES = {"phone": PHONE, "laptop": LAPTOP}
PASSWORD = "correct horse battery staple"
BENIGN_CONSOLE = {"INFO: Created TensorFlow Lite XNNPACK delegate for CPU."}


def require_chromium() -> None:
    if not CHROMIUM.is_file():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium is not installed in CI (make sysdeps installs it)")
        pytest.skip("Debian chromium not installed")


def chromium_args(clip: Path | None) -> list[str]:
    """Flags for a headless run; with ``clip`` (a .y4m) the camera plays it (and loops)."""
    args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"]
    if clip is not None:
        args += ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                 f"--use-file-for-fake-video-capture={clip}"]
    return args


@contextmanager
def chromium(clip: Path | None = None) -> Iterator[Any]:
    """Debian's Chromium, headless, with ``clip`` (a .y4m) as the camera when given; closed afterwards."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=chromium_args(clip))
        try:
            yield browser
        finally:
            browser.close()


def answer_screening(page: Any, answer: str = "no") -> None:
    """Answer every screening question through the signed-in page's API helper (not the form)."""
    from facefit.safety.conditions import CONDITION_IDS

    page.evaluate("""async ([ids, answer]) => {
      const { api } = await import('/static/js/common.js');
      const body = Object.fromEntries(ids.map((id) => [id, answer]));
      await api('/api/screening', { method: 'POST', body });
    }""", [list(CONDITION_IDS), answer])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(db_url: str, **settings: Any) -> Iterator[tuple[str, Any]]:
    """A real uvicorn server on a free port in a thread; yields (base URL, app)."""
    import uvicorn

    app = create_app(WebSettings(db_url=db_url, secure_cookies=False, **settings))
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@dataclass
class Shots:
    """Where screenshots go, and the console errors seen on each page."""

    folder: Path
    errors: list[str] = field(default_factory=list)
    taken: list[Path] = field(default_factory=list)

    def watch(self, page: Any) -> None:
        """Collect uncaught exceptions and console errors of ``page`` (MediaPipe's wasm writes its
        informational start-up line to the error console; that one line is not an error)."""
        page.on("pageerror", lambda error: self.errors.append(f"{page.url}: {error}"))
        page.on("console", lambda msg: self.errors.append(f"{page.url}: {msg.text}")
                if msg.type == "error" and msg.text not in BENIGN_CONSOLE else None)


def shots_folder(tmp_path: Path) -> Path:
    keep = os.environ.get("FACEFIT_SCREENSHOTS")
    folder = Path(keep) if keep else tmp_path / "shots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as it is now (WCAG 2.x A/AA rules)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # evaluate is not subject to the page's CSP
    result = page.evaluate(
        "async () => JSON.stringify((await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations)")
    found = json.loads(result)
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in found if v["impact"] in ("serious", "critical")]


def horizontal_overflow(page: Any) -> dict[str, Any] | None:
    """None when the page fits its width; else the widths and the widest elements sticking out."""
    return page.evaluate("""() => {
      const w = window.innerWidth, sw = document.documentElement.scrollWidth;
      if (sw <= w) return null;
      const right = (e) => Math.round(e.getBoundingClientRect().right);
      const wide = [...document.querySelectorAll('body *')].filter((e) => right(e) > w)
        .slice(0, 8).map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className} right=${right(e)}`);
      return {innerWidth: w, scrollWidth: sw, wide};
    }""")


def _wait_for_images(page: Any, timeout_s: float = 30.0) -> None:
    """Until every <img> has loaded (polled: wait_for_function would eval, which the page's CSP forbids)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate("() => [...document.images].every((img) => img.complete)"):
        assert time.monotonic() < deadline, "images still loading"
        page.wait_for_timeout(100)


def check_page(page: Any, shots: Shots, name: str, *, full_page: bool = True) -> Path:
    """Assert the page fits, has no console error and no serious/critical axe violation; screenshot it."""
    size = page.viewport_size
    _wait_for_images(page)
    path = shots.folder / f"{name}-{size['width']}x{size['height']}.png"
    page.screenshot(path=str(path), full_page=full_page)
    shots.taken.append(path)
    overflow = horizontal_overflow(page)
    assert overflow is None, f"{name} scrolls sideways at {size}: {overflow}"
    violations = axe_violations(page)
    assert not violations, f"{name} at {size}: {json.dumps(violations, indent=1)}"
    assert not shots.errors, f"console errors up to {name}: {shots.errors}"
    return path


def sign_up(page: Any, base: str, email: str) -> None:
    """Create an account through the sign-up page and wait for the next page."""
    page.goto(f"{base}/signup")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: not url.endswith("/signup"))
