"""Honest progress in the browser: photos uploaded through the Photos page, read on the Progress page.

The same face re-encoded differs by less than each metric's MDC95 and reads "No measurable change yet";
a photo with the jaw narrowed by a warp (photos.perturb.narrow_jaw) reads "Jaw width -N.N mm, beyond its
±N.N mm measurement error"; the band is in the chart data the server sends and drawn on the chart, and
no chart's y-range is narrower than its band.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
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

pytestmark = pytest.mark.browser


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def photo_files(tmp_path: Path, image_landmarker: Any) -> dict[str, Path]:
    """Grace Hopper (public domain), the same re-encoded at JPEG quality 80, and her jaw narrowed."""
    from PIL import Image

    from facefit.photos.files import load_photo
    from facefit.photos.measure import measure_photo
    from facefit.photos.perturb import narrow_jaw

    matplotlib_grace = Path(__import__("matplotlib.cbook").cbook.get_sample_data(
        "grace_hopper.jpg", asfileobj=False))
    rgb = load_photo(matplotlib_grace).rgb
    files = {"baseline": tmp_path / "baseline.jpg", "again": tmp_path / "again.jpg",
             "narrow": tmp_path / "narrow.png"}
    Image.fromarray(rgb).save(files["baseline"], quality=95)
    Image.fromarray(rgb).save(files["again"], quality=80)
    landmarks = measure_photo(rgb, image_landmarker).landmarks
    Image.fromarray(np.ascontiguousarray(narrow_jaw(rgb, landmarks, 0.12))).save(files["narrow"])
    return files


def _upload(page: Any, path: Path) -> None:
    page.set_input_files("#photo-file", str(path))
    page.wait_for_selector("#verdict p", timeout=120_000)
    verdict = page.text_content("#verdict p") or ""
    assert "Accepted" in verdict, (path.name, page.text_content("#verdict"))
    page.evaluate("document.getElementById('verdict').textContent = ''")


def _progress(page: Any, base: str) -> dict[str, Any]:
    page.goto(base + "/progress")
    page.wait_for_selector("body[data-state=loaded]")
    data = page.evaluate("window.facefitProgress")
    metrics = data["photos"]["metrics"]
    for m in metrics:
        assert m["band"] is not None, m  # the server sends the MDC95 band with the chart data
        low, high = m["y_range"]
        assert low <= m["band"]["low"] and high >= m["band"]["high"], m  # never narrower than the band
    assert page.locator("[data-testid=metric] svg rect.band").count() == len(metrics)
    return {m["metric"]: m for m in metrics}


@pytest.mark.parametrize("size", ["phone"])
def test_progress_says_no_change_within_error_and_names_a_real_change_in_mm(
    browser: Any, photo_files: dict[str, Path], tmp_path: Path, size: str
) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'progress.db'}") as (base, _app):
        page = browser.new_context(viewport=SIZES[size]).new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        sign_up(page, base, "progress@example.org")
        page.goto(base + "/photos")
        page.wait_for_selector("body[data-state=loaded]")
        _upload(page, photo_files["baseline"])
        _upload(page, photo_files["again"])

        same = _progress(page, base)
        check_page(page, shots, "progress-no-change")
        assert page.text_content("[data-testid=photo-headline]").startswith("No measurable change yet")
        for m in same.values():
            if not m["experimental"]:
                assert m["verdict"].startswith("No measurable change yet"), m
                assert abs(m["change"]) <= m["mdc95"], m
        assert same["brow_height_r"]["unit"] == "mm" and same["jaw_width_ratio"]["unit"] == "mm"
        assert 10 < same["brow_height_r"]["values"][0] < 40  # a brow sits 1-4 cm above the pupil

        page.goto(base + "/photos")
        page.wait_for_selector("body[data-state=loaded]")
        _upload(page, photo_files["narrow"])
        changed = _progress(page, base)
        check_page(page, shots, "progress-jaw-narrowed")
        jaw = changed["jaw_width_ratio"]
        assert jaw["measurable"] is True and jaw["change"] < -jaw["mdc95"] < 0
        pattern = r"Jaw width -\d+\.\d mm, beyond its ±\d+\.\d mm measurement error\."
        assert re.fullmatch(pattern, jaw["verdict"]), jaw["verdict"]
        card = page.locator("[data-testid=metric][data-metric=jaw_width_ratio] [data-testid=verdict]")
        assert card.text_content() == jaw["verdict"]
        assert "Jaw width" in (page.text_content("[data-testid=photo-headline]") or "")
