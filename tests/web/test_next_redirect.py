"""After sign-in the browser goes only to a path on this site (issue 13, finding 7): ``next`` is checked
on the server and again by the page's script; ``/\\evil.example``, ``/%5Cevil.example``, ``//evil`` and
absolute URLs lead to the dashboard."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from browser_kit import PASSWORD, chromium_args, live_server, require_chromium
from fastapi import FastAPI
from fastapi.testclient import TestClient

from facefit.web.security import safe_next

BAD = ["/\\evil.example", "/%5Cevil.example", "//evil.example", "/%2F/evil.example", "https://evil.example/",
       "javascript:alert(1)", "/\t/evil.example", "evil.example", "/%5C%5Cevil.example", "", None]
GOOD = ["/", "/practice", "/history?span=week", "/photos#latest"]


@pytest.mark.parametrize("raw", BAD)
def test_unsafe_next_goes_to_the_dashboard(raw: str | None) -> None:
    assert safe_next(raw) == "/"


@pytest.mark.parametrize("raw", GOOD)
def test_a_path_on_this_site_is_kept(raw: str) -> None:
    assert safe_next(raw) == raw


def test_the_sign_in_page_carries_only_a_checked_next(app: FastAPI) -> None:
    client = TestClient(app)
    for raw, expected in (("/%5Cevil.example", "/"), ("/\\evil.example", "/"), ("/practice", "/practice")):
        page = client.get(f"/login?next={quote(raw, safe='/%')}")
        assert re.search(r'data-next="([^"]*)"', page.text).group(1) == expected, raw  # type: ignore[union-attr]
    redirect = TestClient(app).get("/history", follow_redirects=False)
    assert redirect.headers["location"] == "/login?next=/history"


def test_signing_in_with_a_hostile_next_lands_on_the_dashboard_in_chromium(tmp_path: Path) -> None:
    require_chromium()
    from playwright.sync_api import sync_playwright
    from webtest_helpers import sign_up

    with live_server(f"sqlite:///{tmp_path / 'next.db'}") as (base, app), sync_playwright() as playwright:
        sign_up(app, "next@example.org")
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=chromium_args(None))
        try:
            for raw in ("/%5Cevil.example", "/\\evil.example"):
                page = browser.new_context().new_page()
                page.goto(f"{base}/login?next={raw}")
                page.fill("input[name=email]", "next@example.org")
                page.fill("input[name=password]", PASSWORD)
                page.click("button[type=submit]")
                page.wait_for_url(lambda url: "/login" not in url, timeout=30_000)
                assert page.url == f"{base}/", (raw, page.url)
                page.context.close()
        finally:
            browser.close()
