"""Every page at phone (390x844) and laptop (1280x800) size in Debian's Chromium: it fits the screen
width, has no console error and no serious or critical axe-core violation; the phone gets a tab bar and
a menu with every page, messages stay on screen, and the coaching view fits one phone screen.

Pages come from ``facefit.web.pages.NAV``, so a page added to the menu is checked here too.
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
    answer_screening,
    check_page,
    chromium,
    live_server,
    shots_folder,
    sign_up,
)

from facefit.store import web as accounts
from facefit.web.first_run import STAFF_START
from facefit.web.pages import NAV

pytestmark = pytest.mark.browser
# What a page says on <body> once its content is on screen: body[data-state=loaded], except the practice
# page (its data-state is the session's: running, ended) and calibrate (nothing to fetch before Start).
READY = {"/practice": "body[data-loaded=yes]", "/calibrate": None}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _inside_viewport(page: Any, selector: str) -> dict[str, float]:
    box = page.evaluate(f"""() => {{
      const r = document.querySelector({selector!r}).getBoundingClientRect();
      return {{top: r.top, bottom: r.bottom, left: r.left, right: r.right, w: innerWidth, h: innerHeight}};
    }}""")
    assert box["top"] >= 0 and box["left"] >= 0, (selector, box)
    assert box["bottom"] <= box["h"] + 0.5 and box["right"] <= box["w"] + 0.5, (selector, box)
    return box


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_every_page_fits_has_labels_and_no_console_error(browser: Any, size: str, tmp_path: Path) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'pages.db'}") as (base, app):
        context = browser.new_context(viewport=SIZES[size])
        page = context.new_page()
        shots.watch(page)
        for path, name in (("/", "landing"), ("/login", "login"), ("/signup", "signup")):
            page.goto(base + path)
            check_page(page, shots, f"pages-{name}")
        sign_up(page, base, f"pages-{size}@example.org")
        assert page.url == base + "/start"  # a new account lands on the first-run steps
        check_page(page, shots, "pages-start")
        for href, label in NAV:
            page.goto(base + href)
            # Not "networkidle": a page whose script is slow between its last answer and drawing it (a slow
            # phone, a loaded CI machine) is idle for 500 ms before its content is there.
            ready = READY.get(href, "body[data-state=loaded]")
            if ready:
                page.wait_for_selector(ready)
            if href in ("/", "/history"):  # nothing practised yet: the way to Practice, not a dead end
                assert page.is_visible("main :is(li, td):has-text('No sessions yet.') a[href='/practice']")
            check_page(page, shots, f"pages-{label.lower()}")
        answer_screening(page)  # the last screening in a person's words, not the terminal's "ok: ..."
        page.goto(base + "/screening")
        clearance = page.wait_for_selector("[data-testid=clearance]:has-text('Your screening of')")
        clearance = clearance.inner_text()
        assert ": No condition found that changes your programme." in clearance and "ok:" not in clearance
        # the answers given come back ticked: changing one does not mean answering all seven again
        assert page.is_checked("#screening-form input[value=no]") and page.eval_on_selector_all(
            "#screening-form input[value=no]", "boxes => boxes.every((box) => box.checked)")
        page.goto(base + "/safety/consult")  # nothing to clear: said without the level word either
        consult = page.inner_text("[data-testid=consult]")
        assert "clearance: no condition found that changes" in consult and "ok:" not in consult
        page.goto(base + "/coach")  # a member who finds the coaches' page: where to invite one, no error
        assert page.is_visible("main a[href='/account']") and not page.is_visible("#flash .toast")
        check_page(page, shots, "pages-clients-member")
        response = page.goto(base + "/no-such-page")  # a mistyped address: a page with the way back, not JSON
        assert response.status == 404 and page.is_visible("[data-testid=not-found] a[href='/']")
        assert "detail" not in page.inner_text("body")
        shots.errors[:] = [e for e in shots.errors if "/no-such-page" not in e]  # the browser logs the 404
        check_page(page, shots, "pages-not-found")
        page.goto(base + "/")
        page.wait_for_load_state("networkidle")
        page.evaluate("async () => (await import('/static/js/common.js')).flash("
                      "'A long message that must wrap on a phone and stay fully on the screen.', 'error')")
        toast = _inside_viewport(page, "#flash .toast")
        if size == "phone":
            tabbar = _inside_viewport(page, ".tabbar")
            assert toast["bottom"] <= tabbar["top"], "the message is hidden behind the tab bar"
            assert not page.is_visible("#site-nav a[href='/lifestyle']")
            page.click("#flash .toast button")  # close the message, then open the menu
            page.click("#menu-toggle")
            for href, _label in NAV:
                _inside_viewport(page, f"#site-nav a[href='{href}']")
                assert page.evaluate(f"""() => {{
                  const link = document.querySelector("#site-nav a[href='{href}']");
                  const r = link.getBoundingClientRect();
                  return link.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2));
                }}"""), f"the menu's {href} link is covered"
            check_page(page, shots, "pages-menu-open")
            page.keyboard.press("Escape")
            assert not page.is_visible("#site-nav a[href='/lifestyle']")
        else:
            assert not page.is_visible(".tabbar")
            for href, _label in NAV:
                _inside_viewport(page, f"#site-nav a[href='{href}']")
            coach = browser.new_context(viewport=SIZES[size]).new_page()  # a coach signs up: to their clients
            shots.watch(coach)
            coach.goto(base + "/signup")
            coach.fill("input[name=email]", "pages-coach@example.org")
            coach.fill("input[name=password]", PASSWORD)
            coach.check("input[name=role][value=coach]")
            coach.click("button[type=submit]")
            coach.wait_for_url(base + "/coach")
            check_page(coach, shots, "pages-coach-signed-up")
            coach.context.close()
        for role in ("admin", "rater"):  # staff: their own pages on /start, not the member's setup steps
            staff = browser.new_context(viewport=SIZES[size]).new_page()
            shots.watch(staff)
            email = f"pages-{role}-{size}@example.org"
            sign_up(staff, base, email)
            with app.state.store.transaction() as session:
                accounts.get_account_by_email(session=session, email=email).role = role  # type: ignore[union-attr]
            staff.goto(base + "/start")
            assert staff.is_visible("[data-testid=staff-start]") and not staff.is_visible("[data-step]")
            links = staff.query_selector_all("[data-testid=staff-pages] a")
            assert [a.get_attribute("href") for a in links] == [h for h, _, _ in STAFF_START[role].pages]
            check_page(staff, shots, f"pages-start-{role}")
            if role == "admin":  # no study on the server yet: the page says how an admin makes one
                staff.goto(base + "/study/coordinate")
                summary = staff.wait_for_selector(
                    "[data-testid=study-summary]:has-text('no study on this server')")
                text = summary.inner_text()
                assert "facefit study create" in text and "An admin links you" not in text, text
                assert not staff.is_visible("#enrol-form") and not staff.is_visible("#study-pick")
                check_page(staff, shots, "pages-study-coordinate-admin-empty")
            staff.context.close()
        context.close()


def test_the_coaching_view_fits_one_phone_screen(browser: Any, tmp_path: Path) -> None:
    """While coaching, camera, rep counter, hold countdown, cue and the stop button are all on screen."""
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'fit.db'}") as (base, _app):
        context = browser.new_context(viewport=SIZES["phone"])
        page = context.new_page()
        shots.watch(page)
        sign_up(page, base, "fit@example.org")
        page.goto(base + "/practice")
        page.wait_for_load_state("networkidle")
        page.evaluate("""() => {
          document.body.dataset.state = 'running';
          document.getElementById('cue').textContent =
            'Smile wide with your lips closed, lifting the cheeks towards the eyes.';
          document.getElementById('hold-text').textContent = 'Hold 2 more seconds';
        }""")
        for selector in (".live-stage", "#rep-count", "#hold-bar", "#hold-text", "#cue", "#pain", "#end"):
            _inside_viewport(page, selector)
        check_page(page, shots, "pages-practice-running", full_page=False)
        context.close()
