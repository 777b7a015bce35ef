"""The safety pages as a person meets them, in Debian's Chromium at phone and laptop size.

A consult-first screening: the practice page refuses and links to /safety/consult, where the person
records a clinician's clearance; then practice opens. A pain stop: the practice page refuses and links
to /safety/stop, which shows the advice; acknowledging it opens practice again, now asking for a new
screening. A TMJ screening: choosing the jaw-glide exercise on the practice page is refused by
/ws/coach with a link to choose another. Every page fits, has no console error and no serious or
critical axe-core violation; screenshots go to FACEFIT_SCREENSHOTS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    SIZES,
    Shots,
    check_page,
    chromium,
    live_server,
    shots_folder,
    sign_up,
)
from test_practice_doors import STATES

from facefit.safety.service import current_clearance, pending_safety_blocks
from facefit.store.web import get_account_by_email

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _profile(app: Any, email: str) -> int:
    with app.state.store.transaction() as db:
        return get_account_by_email(session=db, email=email).profile_id


def _arrange(app: Any, profile_id: int, state: str) -> None:
    with app.state.store.transaction() as db:
        STATES[state](db, profile_id)


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_refused_person_is_led_to_the_page_that_resolves_it(browser: Any, size: str,
                                                               tmp_path: Path) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'safety.db'}") as (base, app):
        page = browser.new_context(viewport=SIZES[size]).new_page()
        shots.watch(page)
        email = f"safety-{size}@example.org"
        sign_up(page, base, email)
        profile_id = _profile(app, email)

        page.goto(f"{base}/practice")  # never screened: allowed, with a warning linking to the screening
        notes = page.locator("[data-testid=practice-notes]")
        assert "not been screened" in notes.inner_text()
        assert notes.locator("a[href='/screening']").count() == 1
        check_page(page, shots, f"safety-practice-not-screened-{size}")

        _arrange(app, profile_id, "consult-first")
        page.goto(f"{base}/practice")
        assert page.locator("[data-testid=refusal]").get_attribute("data-action") == "clinician-clearance"
        assert "consult a clinician first" in page.inner_text("main")
        check_page(page, shots, f"safety-practice-consult-first-{size}")
        page.click("[data-testid=resolve]")
        page.wait_for_url(f"{base}/safety/consult")
        assert "Bell's palsy" in page.inner_text("main")
        check_page(page, shots, f"safety-consult-{size}")
        page.check("input[name=cleared]")
        page.fill("textarea[name=note]", "Dr. Shah, facial therapist, 3 March")
        page.click("form button[type=submit]")
        page.wait_for_selector("body[data-state=saved]")
        assert "a clinician has cleared you" in page.inner_text("#safety-result")
        check_page(page, shots, f"safety-consult-saved-{size}")
        with app.state.store.transaction() as db:
            assert current_clearance(session=db, profile_id=profile_id).consult_acknowledged

        page.goto(f"{base}/practice")
        assert page.locator("[data-testid=refusal]").count() == 0 and page.locator("#start").count() == 1

        _arrange(app, profile_id, "pain")
        page.goto(f"{base}/practice")
        assert page.locator("[data-testid=refusal]").get_attribute("data-action") == "acknowledge-stop"
        check_page(page, shots, f"safety-practice-pain-{size}")
        page.click("[data-testid=resolve]")
        page.wait_for_url(f"{base}/safety/stop")
        stop_text = page.inner_text("main")
        assert "Stop for today and rest your face" in stop_text  # the pain advice, in full
        check_page(page, shots, f"safety-stop-{size}")
        page.click("form button[type=submit]")  # not ticked: the browser asks for the box first
        assert page.locator("body[data-state=saved]").count() == 0
        page.check("input[name=understood]")
        page.click("form button[type=submit]")
        page.wait_for_selector("body[data-state=saved]")
        assert "screening again" in page.inner_text("#safety-result")
        with app.state.store.transaction() as db:
            assert pending_safety_blocks(session=db, profile_id=profile_id) == []
        page.goto(f"{base}/practice")
        assert "screen again" in page.inner_text("[data-testid=practice-notes]")
        check_page(page, shots, f"safety-practice-acknowledged-{size}")
        page.goto(f"{base}/safety/stop")
        assert "Nothing is waiting" in page.inner_text("main")


def test_the_practice_page_refuses_a_ruled_out_exercise_over_the_websocket(browser: Any,
                                                                          tmp_path: Path) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'tmj.db'}") as (base, app):
        page = browser.new_context(viewport=SIZES["phone"]).new_page()
        shots.watch(page)
        sign_up(page, base, "tmj@example.org")
        _arrange(app, _profile(app, "tmj@example.org"), "tmj")
        page.goto(f"{base}/practice")
        page.wait_for_load_state("networkidle")
        page.select_option("#exercise", "neck-tightener")
        page.click("#start")
        page.wait_for_selector("body[data-state=refused]", timeout=60_000)
        alert = page.locator("#safety")
        assert "jaw glide" in alert.inner_text() and alert.get_attribute("data-action") == "choose-another"
        assert alert.locator("a[data-testid=resolve]").get_attribute("href") == "/practice"
        check_page(page, shots, "safety-practice-ws-refused-phone")
        # An allowed exercise in a browser with no camera: the page says so in plain words and is ready
        # again (it used to wait for the rest face for ever, the camera's error uncaught)
        page.select_option("#routine", "daily-10")
        length = page.text_content("#routine-length") or ""
        assert length.startswith("Takes about 17 min"), length  # what it takes, not only what it is called
        page.select_option("#exercise", "cheek-lifter")
        page.click("#start")
        page.click("#go", timeout=60_000)
        page.wait_for_selector("#flash .toast[data-kind=error]", timeout=60_000)
        assert "camera" in page.text_content("#flash .toast") and page.is_visible("#setup")
        check_page(page, shots, "practice-no-camera-phone")
