"""Practice without a connection, in Chromium with the fake webcam: once the service worker is installed,
the practice page loads and coaches with the network blocked (its files, MediaPipe's wasm and the face
model come from the worker's cache; the coaching comes from the card); the face points are kept on the
device and, when the connection is back, the server's own coach counts them: the session appears in the
history with the clip's true rep count."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    SIZES,
    Shots,
    answer_screening,
    check_page,
    chromium,
    live_server,
    shots_folder,
    sign_up,
)
from sqlalchemy import select

from facefit.store.models import PracticeSession, SessionEvent

pytestmark = pytest.mark.browser
PRACTICE = "/practice?exercise=cheek-lifter&sets=1&reps=3"


def _wait_for_offline_files(page: Any, timeout_s: float = 120.0) -> None:
    """Until the service worker controls the page and holds the model and the wasm."""
    deadline = time.monotonic() + timeout_s
    ready = ("async () => { if (!navigator.serviceWorker.controller) return false;"
             " const keys = await caches.keys();"
             " const files = keys.find((k) => k.startsWith('facefit-files-'));"
             " if (!files) return false; const c = await caches.open(files);"
             " return Boolean(await c.match('/models/face_landmarker.task'))"
             " && Boolean(await c.match('/vendor/tasks-vision/wasm/vision_wasm_internal.wasm')); }")
    active_uncontrolled = ("async () => { const r = await navigator.serviceWorker.getRegistration();"
                           " return Boolean(r && r.active) && !navigator.serviceWorker.controller; }")
    while not page.evaluate(ready):
        if page.evaluate(active_uncontrolled):
            # The worker finished installing after this page loaded (a slow first install): like a person's
            # next visit, a reload is what puts the page under it.
            page.reload()
            page.wait_for_selector("body[data-loaded=yes]")
            continue
        if time.monotonic() > deadline:
            state = page.evaluate(
                "async () => { const r = await navigator.serviceWorker.getRegistration();"
                " const out = {controller: Boolean(navigator.serviceWorker.controller),"
                " installing: Boolean(r && r.installing), waiting: Boolean(r && r.waiting),"
                " active: Boolean(r && r.active), caches: {}};"
                " for (const k of await caches.keys()) out.caches[k] = (await (await caches.open(k)).keys())"
                ".map((q) => new URL(q.url).pathname); return out; }")
            raise AssertionError(f"the service worker did not cache the practice files: {state}")
        page.wait_for_timeout(500)


def test_practice_offline_then_counted_when_back_online(
    synth_clip: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    clip, truth = synth_clip
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'offline.db'}") as (base, app), chromium(clip) as browser:
        context = browser.new_context(viewport=SIZES["phone"])
        page = context.new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        sign_up(page, base, "offline@example.org")
        answer_screening(page)
        page.goto(base + PRACTICE)
        page.wait_for_selector("body[data-loaded=yes]")
        page.reload()  # the worker now controls the page
        page.wait_for_selector("body[data-loaded=yes]")
        _wait_for_offline_files(page)
        manifest = page.request.get(base + page.get_attribute("link[rel=manifest]", "href")).json()
        assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
        assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}  # installable

        context.set_offline(True)
        page.reload()
        page.wait_for_selector("body[data-loaded=yes]")
        assert not page.is_hidden("#offline-note")
        check_page(page, shots, "offline-practice")
        page.click("#start")
        page.wait_for_selector("#go:visible", timeout=120_000)
        page.click("#go")
        page.wait_for_selector("body[data-offline=yes]")
        page.wait_for_selector("[data-testid=hold-text]:text-matches('Hold|Lift|Release')")
        check_page(page, shots, "offline-coaching", full_page=False)
        page.wait_for_selector("[data-testid=session-summary]:not([hidden])", timeout=120_000)
        assert "when you are back online" in page.inner_text("[data-testid=session-summary]")
        with app.state.store.transaction() as db:
            assert db.scalars(select(PracticeSession)).all() == []  # nothing reached the server yet

        context.set_offline(False)
        page.wait_for_selector("body[data-synced='1']", timeout=120_000)
        page.goto(base + "/history")
        page.wait_for_selector("body[data-state=loaded]")
        row = page.locator("[data-testid=history] tbody tr").first
        assert "practised offline" in row.inner_text()
        assert row.locator("td[data-label=Reps]").inner_text() == str(len(truth["reps"]))
        check_page(page, shots, "offline-history")
        with app.state.store.transaction() as db:
            session = db.scalars(select(PracticeSession)).one()
            reps = db.scalars(select(SessionEvent).where(SessionEvent.session_id == session.id,
                                                         SessionEvent.kind == "rep")).all()
            assert session.source == "web-offline" and session.ended_at is not None
            assert len(reps) == len(truth["reps"])
