"""Demonstrations: each checked exercise gets a short looping WebM made by FaceFit's own synth from the
bundled public-domain portrait (cached in the data folder, nothing downloaded), played on its card in
Chromium; "see yourself do it" is made from the user's baseline photo, served only to them with
no-store and never written to disk."""

from __future__ import annotations

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

from facefit.web.demos import DEMO_VERSION, PORTRAIT, demo_exercises, demo_spec, render_demo

GRACE = PORTRAIT


def test_every_checked_exercise_has_a_demo_spec() -> None:
    from facefit.coach.specs import checked_exercises

    assert set(demo_exercises()) == set(checked_exercises())
    for exercise in demo_exercises():
        spec = demo_spec(exercise)
        assert spec.reps == 1 and spec.hold_s <= 3.0


def test_a_demo_is_a_webm_of_one_visible_rep(image_landmarker: Any) -> None:
    from facefit.vision.sources import import_av

    data = render_demo(PORTRAIT, "cheek-lifter", image_landmarker)
    assert data[:4] == b"\x1a\x45\xdf\xa3"  # EBML: a Matroska/WebM file
    av = import_av()
    import io

    with av.open(io.BytesIO(data)) as container:
        frames = [f.to_ndarray(format="rgb24").astype(np.int16) for f in container.decode(video=0)]
    spec = demo_spec("cheek-lifter")
    assert len(frames) >= spec.fps * (spec.lead_rest_s + spec.hold_s)
    def moved(frame: np.ndarray) -> float:  # the 99th percentile pixel change from the first frame
        return float(np.percentile(np.abs(frame - frames[0]), 99))

    still, peak = moved(frames[5]), max(moved(f) for f in frames)
    assert peak > 4 * max(still, 2.0), (still, peak)  # the face moves during the rep, not only encoder noise


@pytest.mark.browser
def test_cards_play_the_demo_and_your_own_stays_private(tmp_path: Path, facefit_home: Path) -> None:
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'demos.db'}") as (base, _app), chromium() as browser:
        page = browser.new_context(viewport=SIZES["phone"]).new_page()
        page.set_default_timeout(120_000)
        shots.watch(page)
        sign_up(page, base, "demos@example.org")
        page.goto(base + "/exercises")
        assert page.locator("article.exercise video").count() == len(demo_exercises())
        assert page.locator(".show-me").count() == 0  # no baseline photo yet
        card = page.locator("article#cheek-lifter")
        card.locator(".show-demo").click()
        page.wait_for_function("() => { const v = document.querySelector('#cheek-lifter video');"
                               " return v.readyState >= 2 && v.currentTime > 0.2 && v.loop; }")
        assert (facefit_home / "demos" / f"cheek-lifter-v{DEMO_VERSION}.webm").is_file()
        check_page(page, shots, "exercises")

        page.goto(base + "/photos")
        page.wait_for_selector("body[data-state=loaded]")
        page.set_input_files("#photo-file", str(GRACE))
        page.wait_for_selector("#photo-list figure")
        page.goto(base + "/exercises")
        card = page.locator("article#cheek-lifter")
        with page.expect_response("**/demos/cheek-lifter/me.webm") as own:
            card.locator(".show-me").click()
        assert own.value.status == 200 and "no-store" in own.value.headers["cache-control"]
        page.wait_for_function("() => { const v = document.querySelector('#cheek-lifter video');"
                               " return v.readyState >= 2 && v.currentTime > 0.2; }")
        assert "only to you" in (card.locator(".demo-status").text_content() or "")
        assert [p.name for p in (facefit_home / "demos").iterdir()] == [f"cheek-lifter-v{DEMO_VERSION}.webm"]
        other = browser.new_context(viewport=SIZES["phone"]).new_page()
        sign_up(other, base, "someone-else@example.org")
        refused = other.request.get(base + "/demos/cheek-lifter/me.webm")
        assert refused.status == 404 and "no baseline photo" in refused.text()  # never someone else's face
    assert not shots.errors, shots.errors
