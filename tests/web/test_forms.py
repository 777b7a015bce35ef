"""Forms a person expects, used in Chromium at phone size: the lifestyle log as yes/no choices and
steppers with units and targets; deleting a photo or the account asks first (Cancel keeps it); the
password can be changed; API tokens sit in a closed developer section."""

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
    sign_up,
)

pytestmark = pytest.mark.browser
GRACE = Path(__file__).resolve().parents[2] / "src/facefit/synth/assets/grace_hopper_480.jpg"
ICON = Path(__file__).resolve().parents[2] / "src/facefit/web/static/icons/icon-512.png"
NEW_PASSWORD = "a different horse battery"
SLOW_REREAD = """
(() => {
  const real = window.fetch.bind(window);
  let reads = 0;
  window.fetch = async (url, options) => {
    const get = !options || !options.method || options.method === "GET";
    const log = get && String(url).endsWith("/api/lifestyle");
    if (log && reads++ > 0) await new Promise((r) => setTimeout(r, 1000));
    return real(url, options);
  };
})();
"""


@pytest.fixture
def page_at(tmp_path: Path) -> Iterator[tuple[Any, str, Shots]]:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'forms.db'}") as (base, _app), chromium() as browser:
        page = browser.new_context(viewport=SIZES["phone"]).new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        yield page, base, shots


def test_lifestyle_is_inputs_with_units_and_targets(page_at: tuple[Any, str, Shots]) -> None:
    page, base, shots = page_at
    sign_up(page, base, "life@example.org")
    # A slow server: every read of the log after the first waits 1 s, so the page must not call itself
    # loaded (nor the test read the list) before the list shows what was just saved.
    page.add_init_script(SLOW_REREAD)
    page.goto(base + "/lifestyle")
    page.wait_for_selector("body[data-state=loaded]")
    assert page.is_visible("label[for=f-sleep_h]") and "(h)" in page.text_content("label[for=f-sleep_h]")
    assert "Target: 7-9 h sleep" in page.text_content("#f-sleep_h-help")
    page.fill("#f-sleep_h", "7")
    page.click("button[aria-label='More sleep']")  # the stepper: +0.5 h
    assert page.input_value("#f-sleep_h") == "7.5"
    page.click("label[for=spf-yes]")
    page.click("label[for=smoking-no]")
    check_page(page, shots, "lifestyle-filled")
    page.click("#lifestyle-form button[type=submit]")
    page.wait_for_selector("#flash .toast")
    assert "Saved" in page.text_content("#flash .toast")
    page.wait_for_selector("body[data-state=loaded]")
    logged = page.text_content("table tbody") or ""
    assert "sleep 7.5 h ✓" in logged and "Sunscreen applied: yes ✓" in logged and "Smoked: no ✓" in logged
    assert page.input_value("#f-sleep_h") == "7.5"  # today's values are shown again for editing
    page.fill("#f-sleep_h", "30")
    page.click("#lifestyle-form button[type=submit]")
    page.wait_for_selector("#flash .toast[data-kind=error]")
    assert "out of range" in page.text_content("#flash .toast")
    assert "sleep 7.5 h" in (page.text_content("table tbody") or "")  # nothing saved by the bad entry


def test_deleting_asks_first_password_changes_tokens_are_for_developers(
    page_at: tuple[Any, str, Shots],
) -> None:
    page, base, shots = page_at
    sign_up(page, base, "forms@example.org")

    page.goto(base + "/photos")
    page.wait_for_selector("body[data-state=loaded]")
    page.click("#photos-app button:has-text('Start camera')")  # this browser has no camera
    page.wait_for_selector("#flash .toast[data-kind=error]")
    assert "upload a photo" in page.text_content("#flash .toast")
    page.click("#flash .toast button")  # an error stays until closed
    page.set_input_files("#photo-file", str(ICON))  # no face: the failed check is named in plain words
    page.wait_for_selector("#verdict p:has-text('Not stored')")
    assert "✗ Face: no face found" in page.text_content("#verdict")
    page.set_input_files("#photo-file", str(GRACE))
    page.wait_for_selector("#photo-list figure")
    page.click("#photo-list figure button")
    dialog = page.locator("dialog.confirm")
    assert "baseline" in dialog.text_content()
    check_page(page, shots, "photos-delete-confirm", full_page=False)
    dialog.locator("button", has_text="Cancel").click()
    assert page.locator("#photo-list figure").count() == 1  # cancel keeps the photo
    page.click("#photo-list figure button")
    page.locator("dialog.confirm button", has_text="Delete photo").click()
    page.wait_for_selector("#photo-list figure", state="detached")

    page.goto(base + "/account")
    page.wait_for_selector("body[data-state=loaded]")
    assert not page.is_visible("#new-token")  # API tokens are in the closed developer section
    page.click("#developer summary")
    page.fill("#new-token input[name=name]", "my script")
    page.click("#new-token button")
    page.wait_for_selector("#token-once:has-text('ffat_'), #token-once:has-text('shown only once')")
    page.fill("#password-form input[name=current_password]", PASSWORD)
    page.fill("#password-form input[name=new_password]", NEW_PASSWORD)
    page.fill("#password-form input[name=repeat]", NEW_PASSWORD)
    page.click("#password-form button")
    page.wait_for_selector("#flash .toast:has-text('Password changed')")
    check_page(page, shots, "account")

    page.fill("#delete input[name=password]", NEW_PASSWORD)
    page.click("#delete button")
    page.locator("dialog.confirm button", has_text="Cancel").click()
    page.goto(base + "/account")  # still signed in: nothing was deleted
    page.wait_for_selector("body[data-state=loaded]")

    page.click("#menu-toggle")  # on a phone, "Sign out" is in the More menu
    page.click("#logout")
    page.wait_for_url("**/login")
    page.fill("input[name=email]", "forms@example.org")
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/")
    page.goto(base + "/account")
    page.wait_for_selector("body[data-state=loaded]")
    page.fill("#delete input[name=password]", NEW_PASSWORD)
    page.click("#delete button")
    page.locator("dialog.confirm button", has_text="Delete everything").click()
    page.wait_for_url("**/signup")
