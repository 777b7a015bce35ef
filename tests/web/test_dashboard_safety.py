"""The dashboard says when practice is paused, in the practice layer's words, in Debian's Chromium.

A person who never screened sees a warning linking to /screening. After "It hurts: stop" the dashboard
shows "Practice is paused" with the stop's advice and a link to /safety/stop, and offers no routine to
start; acknowledging the stop there takes the notice away (and asks for a new screening). A
consult-first screening pauses practice with a link to /safety/consult. Each notice is
:func:`~facefit.practice.start.practice_gate`'s verdict (not a rule of the dashboard's own), and
`facefit today` says the same for the same profile. Every screen fits at 390x844 and 1280x800, has no
console error and no serious or critical axe-core violation; screenshots go to FACEFIT_SCREENSHOTS.
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
from typer.testing import CliRunner

from facefit.cli import app as cli_app
from facefit.practice.start import Refusal, practice_gate
from facefit.store.models import Profile
from facefit.store.web import get_account_by_email
from facefit.web.practice import PAGES

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _words(text: str) -> str:
    return " ".join(text.split())


def _dashboard(page: Any, base: str) -> None:
    page.goto(base + "/")
    page.wait_for_selector("body[data-state=loaded]")


def _gate(app: Any, profile_id: int) -> Any:
    with app.state.store.transaction() as db:
        return practice_gate(session=db, profile_id=profile_id)


def _today(profile: str) -> str:
    result = CliRunner().invoke(cli_app, ["today", "--profile", profile])
    assert result.exit_code == 0, result.output
    return _words(result.output)


def _check_paused(page: Any, gate: Any) -> None:
    """The dashboard's notice is the gate's refusal: its words, its advice and its page."""
    assert isinstance(gate, Refusal)
    notice = page.locator("[data-testid=paused]")
    assert notice.count() == 1 and notice.is_visible()
    text = _words(notice.inner_text())
    assert text.startswith("Practice is paused")
    assert _words(gate.message[:1].upper() + gate.message[1:]) in text and _words(gate.advice) in text
    assert notice.get_attribute("data-action") == str(gate.action)
    assert notice.locator("a[data-testid=resolve]").get_attribute("href") == PAGES[gate.action][0]
    assert page.locator("a", has_text="Start today's routine").count() == 0  # nothing to start


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_dashboard_says_practice_is_paused_until_the_stop_is_acknowledged(
    browser: Any, size: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'dashboard-safety.db'}"
    monkeypatch.setenv("FACEFIT_DB_URL", db_url)  # `facefit today` reads the web app's store
    shots = Shots(shots_folder(tmp_path))
    with live_server(db_url) as (base, app):
        page = browser.new_context(viewport=SIZES[size]).new_page()
        shots.watch(page)
        email = f"paused-{size}@example.org"
        sign_up(page, base, email)
        with app.state.store.transaction() as db:
            profile_id = get_account_by_email(session=db, email=email).profile_id
            profile = db.get(Profile, profile_id).name

        _dashboard(page, base)  # never screened: a warning that links to the screening, not a pause
        assert page.locator("[data-testid=paused]").count() == 0
        warning = page.locator("[data-testid=practice-warning][data-kind=not-screened]")
        assert "not been screened" in warning.inner_text()
        assert warning.locator("a").get_attribute("href") == "/screening"
        check_page(page, shots, f"dashboard-not-screened-{size}")

        with app.state.store.transaction() as db:  # "It hurts: stop" in a routine (screened first)
            STATES["pain"](db, profile_id)
        page.evaluate("async () => (await import('/static/js/common.js')).api('/api/habits/enrol', "
                      "{ method: 'POST', body: { programme_id: 'eight-week' } })")
        _dashboard(page, base)
        gate = _gate(app, profile_id)
        _check_paused(page, gate)
        assert "Stop for today and rest your face" in page.inner_text("[data-testid=paused]")
        assert page.locator("[data-testid=practice-warning]").count() == 0
        check_page(page, shots, f"dashboard-paused-pain-{size}")
        terminal = _today(profile)
        assert "Practice is paused" in terminal and "Run `facefit ack`." in terminal
        assert _words(gate.message) in terminal and "Start with" not in terminal

        page.click("[data-testid=paused] a[data-testid=resolve]")
        page.wait_for_url(f"{base}/safety/stop")
        page.check("input[name=understood]")
        page.click("form button[type=submit]")
        page.wait_for_selector("body[data-state=saved]")

        _dashboard(page, base)
        assert page.locator("[data-testid=paused]").count() == 0
        rescreen = page.locator("[data-testid=practice-warning][data-kind=rescreen]")
        assert "screen again" in rescreen.inner_text()
        assert rescreen.locator("a").get_attribute("href") == "/screening"
        check_page(page, shots, f"dashboard-acknowledged-{size}")
        terminal = _today(profile)
        assert "paused" not in terminal and "screen again" in terminal

        with app.state.store.transaction() as db:
            STATES["consult-first"](db, profile_id)
        _dashboard(page, base)
        _check_paused(page, _gate(app, profile_id))
        assert page.locator("[data-testid=paused] a[data-testid=resolve]").get_attribute("href") == \
            "/safety/consult"
        check_page(page, shots, f"dashboard-paused-consult-{size}")
        assert "Run `facefit ack --clinician-cleared`." in _today(profile)
