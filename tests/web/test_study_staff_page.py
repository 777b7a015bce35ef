"""The admin's Study staff page in Debian's Chromium at phone (390x844) and laptop (1280x800) size: an
admin with no member data of their own finds it first in their menu, links a coach as a coordinator and
a rater account as a rater, sees them listed, and unlinks the rater. The page fits, has no console error
and no serious or critical axe-core violation; screenshots go to FACEFIT_SCREENSHOTS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import SIZES, Shots, check_page, chromium, live_server, shots_folder, sign_up
from test_error_sentences import terminal_words

from facefit.store import web as accounts
from facefit.study import service
from facefit.study.definition import EXAMPLE_PATH, load_study

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_an_admin_links_and_unlinks_study_staff(browser: Any, size: str, tmp_path: Path) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'staff.db'}") as (base, app):
        with app.state.store.transaction() as session:
            service.create_study(session=session, definition=load_study(EXAMPLE_PATH), seed=5,
                                 actor="statistician")
        pages = {}
        for name in ("admin", "coach", "rater"):
            page = browser.new_context(viewport=SIZES[size]).new_page()
            shots.watch(page)
            sign_up(page, base, f"{name}-{size}@example.org")
            pages[name] = page
        with app.state.store.transaction() as session:
            for name in ("admin", "coach", "rater"):
                account = accounts.get_account_by_email(session=session, email=f"{name}-{size}@example.org")
                account.role = name  # type: ignore[union-attr]
        admin = pages["admin"]
        admin.goto(f"{base}/account")  # an admin with no member data: their pages lead the menu
        if size == "phone":
            tabs = [a.get_attribute("href") for a in admin.query_selector_all(".tabbar a")]
            assert tabs == ["/study/coordinate", "/study/staff", "/coach", "/account"], tabs
            admin.click(".tabbar a[href='/study/staff']")
        else:
            links = [a.get_attribute("href") for a in admin.query_selector_all("#site-nav a")]
            assert links[:3] == ["/study/coordinate", "/study/staff", "/coach"], links
            admin.click("#site-nav a[href='/study/staff']")
        admin.wait_for_url(f"{base}/study/staff")
        admin.wait_for_selector("[data-study] h3:has-text('Raters') + ul li:has-text('No raters yet.')")
        assert "statistician (no web account)" in admin.inner_text("[data-study]")
        check_page(admin, shots, "study-staff-empty")

        admin.select_option("#link-form select[name=role]", "rater")  # a member's email: refused in words
        admin.fill("#link-form input[name=email]", f"nobody-{size}@example.org")
        admin.click("#link-form button[type=submit]")
        toast = admin.wait_for_selector("#flash .toast[data-kind=error]").inner_text()
        assert "is not a rater account" in toast and not terminal_words(toast), toast
        shots.errors[:] = [e for e in shots.errors if "status of 422" not in e]  # logged refusal
        admin.click("#flash .toast button")
        for name, role in (("coach", "coordinator"), ("rater", "rater")):
            admin.select_option("#link-form select[name=role]", role)
            admin.fill("#link-form input[name=email]", f"{name}-{size}@example.org")
            admin.click("#link-form button[type=submit]")
            admin.wait_for_selector(f"#flash .toast:has-text('is now a {role} of face-exercise-rct.')")
            admin.wait_for_selector(f"[data-study] li:has-text('{name}-{size}@example.org')")
        # The last message closed if it is still up: an information message goes by itself after 6 s, and
        # waiting for the list can take that long on a loaded machine (a click would then wait for nothing).
        admin.evaluate("() => document.querySelector('#flash .toast button')?.click()")
        check_page(admin, shots, "study-staff-linked")

        pages["rater"].goto(f"{base}/study/rate")  # the link works at once
        pages["rater"].wait_for_selector("option[value='face-exercise-rct']", state="attached")
        admin.click(f"button[aria-label='Unlink rater-{size}@example.org as rater']")
        admin.click("dialog.confirm button.danger")
        admin.wait_for_selector("#flash .toast:has-text('is no longer a rater of face-exercise-rct.')")
        admin.wait_for_selector(f"[data-study] li:has-text('rater-{size}@example.org (no web account)')")
        check_page(admin, shots, "study-staff-unlinked")

        coach = pages["coach"]  # not an admin: sent away from the page
        coach.goto(f"{base}/study/staff")
        assert not coach.url.endswith("/study/staff")
        for page in pages.values():
            page.context.close()
