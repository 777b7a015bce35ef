"""The acceptance journey of a new person, in Debian's Chromium at 390x844 and 1280x800, with a
``facefit synth`` clip (cheek lifter, 3 reps, known truth) as the fake webcam:

landing -> sign up -> getting started -> screening -> calibration -> programme -> first routine coached
(the camera's rep count equals the clip's truth) -> session summary -> progress (muscle map) -> lifestyle
-> report (and its PDF). Every page at both sizes: no horizontal scroll, no console error, axe-core
without serious or critical violations, and a screenshot (FACEFIT_SCREENSHOTS or the test's tmp dir).
The practice page's frame rate is read from the page and printed (the fake camera's clip sets its cap).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    PASSWORD,
    SIZES,
    Shots,
    check_page,
    chromium,
    live_server,
    shots_folder,
)
from sqlalchemy import select

from facefit.safety.conditions import CONDITION_IDS
from facefit.store.models import PracticeSession, SessionEvent

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser(synth_clip: tuple[Path, dict[str, Any]]) -> Iterator[Any]:
    with chromium(synth_clip[0]) as launched:
        yield launched


def _continue_to_start(page: Any, base: str) -> None:
    page.wait_for_selector("#continue:not([hidden]) a")
    page.click("#continue a")
    page.wait_for_url(f"{base}/start")


def _first_routine(page: Any, shots: Shots, name: str) -> list[dict[str, Any]]:
    """Start the routine with 1 set of 3 reps per coached exercise; coach the cheek lifter, skip the rest."""
    page.wait_for_selector("body[data-loaded=yes]")
    page.click("details.adjust summary")
    page.fill("#sets", "1")
    page.fill("#reps", "3")
    check_page(page, shots, f"{name}-practice")
    page.check("#speak")  # voice cues on (recorded by the stub installed in the test)
    page.click("#start-routine")
    coached = 0
    while True:
        page.wait_for_selector("#go:visible, #session-summary:not([hidden])", timeout=120_000)
        if page.is_visible("#session-summary"):
            break
        step = page.text_content("#exercise-name")
        if step != "Cheek lifter":
            page.click("#skip")
            continue
        check_page(page, shots, f"{name}-step-intro", full_page=False)
        page.click("#go")
        page.wait_for_selector("[data-testid=rep-count]:text('1')", timeout=120_000)
        check_page(page, shots, f"{name}-coaching", full_page=False)  # camera, counter, hold, cue on screen
        for selector in (".live-stage", "#rep-count", "#hold-bar", "#hold-text", "#cue", "#pain"):
            box = page.locator(selector).bounding_box()
            assert box and box["y"] + box["height"] <= page.viewport_size["height"] + 1, (selector, box)
        page.wait_for_selector("[data-testid=set-summary]:not([hidden])", timeout=120_000)
        page.wait_for_selector("#next:visible", timeout=60_000)  # the set's summary stays until "Next"
        summary = page.inner_text("[data-testid=set-summary]")
        assert "Set 1 of 1: 3 reps of 3." in summary
        # a symmetric smile: evenness is the engine's asymmetry fault, no sentence of the page's own
        assert "side" not in summary, summary
        blank = page.evaluate("() => { const c = document.getElementById('overlay');"
                              " if (!c.width) return true;"
                              " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                              " for (let i = 3; i < d.length; i += 4) if (d[i]) return false;"
                              " return true; }")
        assert blank, "landmark points are left on the picture after the set"
        said = page.evaluate("window.__said")
        assert {"Set 1. Begin.", "Hold", "1", "2", "3"} <= set(said), said
        assert "Release" not in said  # every hold was short of the card's 5 s: never told it was long enough
        check_page(page, shots, f"{name}-set-summary", full_page=False)
        page.click("#next")
        coached += 1
    assert coached == 1
    check_page(page, shots, f"{name}-summary")
    return page.evaluate("window.facefit.results.map((r) => ({name: r.step.name, status: r.status, "
                         "sets: r.sets, sessionId: r.sessionId || null}))")


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_new_person_from_landing_to_report(
    browser: Any, synth_clip: tuple[Path, dict[str, Any]], size: str, tmp_path: Path
) -> None:
    _clip, truth = synth_clip
    shots = Shots(shots_folder(tmp_path))
    name = f"journey-{size}"
    with live_server(f"sqlite:///{tmp_path / 'journey.db'}") as (base, app):
        context = browser.new_context(viewport=SIZES[size])
        context.add_init_script("window.__said = []; if (window.speechSynthesis) {"
                                " speechSynthesis.speak = (u) => window.__said.push(u.text);"
                                " speechSynthesis.cancel = () => {}; }")
        page = context.new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)

        page.goto(base + "/")
        assert "video never leaves your device" in page.inner_text("main")
        check_page(page, shots, f"{name}-landing")
        page.click("main a[href='/signup']")
        page.fill("input[name=email]", f"{size}@example.org")
        page.fill("input[name=password]", PASSWORD)
        check_page(page, shots, f"{name}-signup")
        page.click("button[type=submit]")
        page.wait_for_url(f"{base}/start")
        check_page(page, shots, f"{name}-start")

        page.click("[data-testid=next-step]")  # screening
        page.wait_for_selector("#screening-form")
        for condition in CONDITION_IDS:
            page.click(f"label[for={condition}-no]")
        check_page(page, shots, f"{name}-screening")
        page.click("#screening-form button[type=submit]")
        page.wait_for_selector("[data-testid=clearance]:has-text('You answered no to every question')")
        _continue_to_start(page, base)

        calibrate = page.get_attribute("[data-testid=next-step]", "href")
        page.goto(f"{base}{calibrate}&seconds=3")  # the clip's still rest lasts 4 s
        check_page(page, shots, f"{name}-calibrate")
        page.click("#start")
        page.wait_for_selector("body[data-state=ended]", timeout=120_000)  # the model loads first
        assert page.text_content("[data-testid=calibration-result]") == "saved", page.text_content("#status")
        check_page(page, shots, f"{name}-calibrated", full_page=False)
        _continue_to_start(page, base)

        page.select_option("#programme-pick", "eight-week")
        page.click("#programme button[type=submit]")
        page.wait_for_selector("li[data-step=first-routine][aria-current=step]")
        check_page(page, shots, f"{name}-start-ready")
        page.click("[data-testid=next-step]")
        page.wait_for_url(f"{base}/practice?routine=starter")
        results = _first_routine(page, shots, name)

        cheek = next(r for r in results if r["name"] == "Cheek lifter")
        assert cheek["status"] == "done" and [s["reps"] for s in cheek["sets"]] == [len(truth["reps"])]
        assert "Cheek lifter: 3 reps in 1 set" in page.inner_text("[data-testid=session-summary]")
        fps = float(page.evaluate("window.facefit.fps"))
        print(f"\n{size}: practice frame loop {fps:.1f} fps (fake camera clip at {truth['fps']} fps)")
        with app.state.store.transaction() as db:
            session = db.get(PracticeSession, cheek["sessionId"])
            reps = db.scalars(select(SessionEvent).where(SessionEvent.session_id == session.id,
                                                         SessionEvent.kind == "rep")).all()
            assert session.source == "web" and session.ended_at is not None
            assert len(reps) == len(truth["reps"])

        page.click("[data-testid=session-summary] a[href='/']")
        page.wait_for_selector("body[data-state=loaded]")
        # Only the cheek lifter was coached (the fake camera's clip): the starter's jawline definition is
        # still to do, so the day is not done and no adherence is claimed (facefit.habits.adherence).
        assert page.text_content("[data-testid=today-status]") == "to do"
        assert page.text_content("[data-testid=adherence]") == "—"
        check_page(page, shots, f"{name}-today")

        page.goto(base + "/progress")
        page.wait_for_selector("body[data-state=loaded]")
        zygomaticus = page.locator("[data-testid=muscle-map] g[data-muscle='zygomaticus major']")
        assert float(zygomaticus.get_attribute("data-seconds")) > 0  # the coached holds, measured
        check_page(page, shots, f"{name}-progress")

        page.goto(base + "/lifestyle")
        page.wait_for_selector("body[data-state=loaded]")
        page.fill("#f-sleep_h", "7.5")
        page.click("label[for=spf-yes]")
        page.click("#lifestyle-form button[type=submit]")
        page.wait_for_selector("#flash .toast:has-text('Saved')")
        check_page(page, shots, f"{name}-lifestyle")

        page.goto(base + "/reports")
        page.wait_for_selector("body[data-state=loaded]")
        page.frame_locator("iframe.report").locator("#summary").wait_for()
        page.wait_for_function(  # the frame is as tall as the report: no scroll inside the page's scroll
            "() => { const f = document.querySelector('iframe.report'); const d = f.contentDocument;"
            " return d && d.documentElement.scrollHeight <= f.clientHeight + 2; }"
        )
        check_page(page, shots, f"{name}-reports")
        pdf = page.request.get(base + "/api/reports/pdf?span=month")
        assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
        context.close()
