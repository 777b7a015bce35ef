"""Study mode as people use it, in Debian's Chromium at phone and laptop size: a coordinator enrols a
participant, the participant takes their three baseline photos on their study page, the coordinator
randomises them and queues the photo for the rater, the rater rates it. Every study page fits the screen,
has no console error and no serious/critical axe-core violation; screenshots go to FACEFIT_SCREENSHOTS.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from browser_kit import PASSWORD, SIZES, Shots, answer_screening, check_page, chromium, live_server
from browser_kit import shots_folder as folder_for

from facefit.photos.files import encode_jpeg, load_photo
from facefit.store import web as accounts
from facefit.study import service
from facefit.study.definition import EXAMPLE_PATH, load_study

pytestmark = pytest.mark.browser
FACE = Path(__file__).resolve().parents[2] / "src/facefit/synth/assets/grace_hopper_480.jpg"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def photo_files(image_landmarker: Any, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    from facefit.photos.gate import Reference, evaluate
    from facefit.photos.measure import measure_photo
    from facefit.photos.perturb import Perturbation

    rgb = load_photo(FACE).rgb
    base = measure_photo(rgb, image_landmarker)
    reference = Reference.from_measurement(base)
    rng = np.random.default_rng(8)
    takes = [rgb]
    while len(takes) < 3:  # re-takes the gate accepts against the first (a person re-takes the others)
        take = Perturbation.draw(rng).apply(rgb, base.landmarks, rng)
        if evaluate(measure_photo(take, image_landmarker), reference).accepted:
            takes.append(take)
    folder = tmp_path_factory.mktemp("visit-photos")
    paths = []
    for k, take in enumerate(takes):
        path = folder / f"visit-{k}.jpg"
        path.write_bytes(encode_jpeg(take))
        paths.append(path)
    return paths


def _account(context: Any, base: str, email: str, role: str = "member") -> Any:
    """Sign up through the API in this browser context (the pages' own forms are tested elsewhere)."""
    page = context.new_page()
    page.goto(f"{base}/login")
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "facefit_csrf")
    response = context.request.post(
        f"{base}/api/auth/signup",
        data={"email": email, "password": PASSWORD, "role": role},
        headers={"X-CSRF-Token": csrf},
    )
    assert response.status == 201, response.text()
    return page


def _api(context: Any, base: str, method: str, path: str, body: Any = None) -> Any:
    csrf = next(c["value"] for c in context.cookies() if c["name"] == "facefit_csrf")
    response = context.request.fetch(
        f"{base}{path}", method=method, data=body, headers={"X-CSRF-Token": csrf}
    )
    assert response.ok, response.text()
    return response.json()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_coordinator_participant_and_rater_pages(
    browser: Any, size: str, tmp_path: Path, photo_files: list[Path]
) -> None:
    shots = Shots(folder_for(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'study.db'}") as (base, app):
        with app.state.store.transaction() as session:
            service.create_study(
                session=session, definition=load_study(EXAMPLE_PATH), seed=4, actor="statistician"
            )
        people = {
            name: browser.new_context(viewport=SIZES[size]) for name in ("admin", "coord", "rater", "ada")
        }
        pages = {
            name: _account(ctx, base, f"{name}-{size}@example.org", "coach" if name == "coord" else "member")
            for name, ctx in people.items()
        }
        for page in pages.values():
            shots.watch(page)
        with app.state.store.transaction() as session:
            for name, role in (("admin", "admin"), ("rater", "rater")):
                account = accounts.get_account_by_email(session=session, email=f"{name}-{size}@example.org")
                account.role = role  # type: ignore[union-attr]
        coord = pages["coord"]  # before an admin links the coordinator: only what is missing is said
        coord.goto(f"{base}/study/coordinate")
        coord.wait_for_selector("[data-testid=study-summary]:has-text('An admin links you')")
        summary = coord.inner_text("[data-testid=study-summary]")
        assert "facefit" not in summary  # no terminal command for a coach
        assert not coord.is_visible("#enrol-form") and not coord.is_visible("#show-results")
        for name, role in (("coord", "coordinator"), ("rater", "rater")):
            _api(
                people["admin"],
                base,
                "POST",
                "/api/study/studies/face-exercise-rct/staff",
                {"email": f"{name}-{size}@example.org", "role": role},
            )
        answer_screening(pages["ada"])

        coord.goto(f"{base}/study/coordinate")  # a coordinator assesses Ada, mistyping her age first
        coord.wait_for_selector("[data-testid=study-summary]:has-text('assessed')")
        coord.fill("#enrol-form input[name=email]", f"ada-{size}@example.org")
        coord.fill("#enrol-form input[name=age]", "12")
        coord.select_option("#enrol-form select[name=sex]", "female")
        coord.click("#enrol-form button[type=submit]")
        coord.wait_for_selector("#flash .toast[data-kind=error]:has-text('assess again')")
        assert coord.input_value("#enrol-form input[name=email]") == f"ada-{size}@example.org"  # kept
        row = "#people tr:has-text('P0001')"  # not eligible: no visit follows
        coord.wait_for_selector(f"{row} td:nth-child(4):has-text('No visits: not eligible for the study.')")
        coord.click("#flash .toast button")
        coord.fill("#enrol-form input[name=age]", "52")
        coord.click("#enrol-form button[type=submit]")
        coord.wait_for_selector("#people tr:has-text('P0001') td:nth-child(2):text-is('enrolled')")
        visits = coord.inner_text(f"{row} td:nth-child(4)")  # visit states in words (the API's are ids)
        assert "Week 8: not yet randomised, 0 of 3 photos" in visits and "not-yet" not in visits
        assert "sealed" in coord.text_content(row)
        # no Randomise to press before the baseline is in (the server would only refuse it)
        assert "Randomise after the baseline visit (0 of 3 photos)." in coord.text_content(row)
        assert coord.locator("#people button:has-text('Randomise P0001')").count() == 0
        check_page(coord, shots, f"study-coordinator-enrolled-{size}")

        ada = pages["ada"]  # Ada takes her three baseline photos on her study page
        for k, photo in enumerate(photo_files):
            ada.goto(f"{base}/study")
            ada.wait_for_selector("#file-baseline")
            if k == 0:
                check_page(ada, shots, f"study-participant-before-{size}")
            ada.set_input_files("#file-baseline", str(photo))
            ada.click("#study-app button:has-text('Upload')")
            ada.wait_for_selector(
                f"#study-app :text('{k + 1} of 3 photos'), #flash [data-kind=error]", timeout=60_000
            )
            assert not ada.is_visible("#flash [data-kind=error]"), ada.text_content("#flash")
        assert ada.is_visible("#study-app :text('done')")
        check_page(ada, shots, f"study-participant-baseline-done-{size}")

        coord.reload()
        coord.wait_for_selector("#people button:has-text('Randomise P0001')")
        coord.click("#people button:has-text('Randomise P0001')")  # irreversible: asked first
        coord.wait_for_selector("dialog.confirm:has-text('cannot be undone')")
        coord.click("dialog.confirm button:has-text('Cancel')")
        assert coord.text_content(f"{row} td:nth-child(2)") == "enrolled"
        coord.click("#people button:has-text('Randomise P0001')")
        coord.click("dialog.confirm button.danger:has-text('Randomise P0001')")
        coord.wait_for_selector("#people tr:has-text('P0001') td:nth-child(2):text-is('randomised')")
        arm = coord.text_content("#people tr:has-text('P0001') td:nth-child(3)")
        assert arm in ("exercise", "control")
        coord.click(f"#raters button:has-text('Queue photos for rater-{size}@example.org')")
        coord.wait_for_selector("#raters :text('0 of 1 rated')")
        check_page(coord, shots, f"study-coordinator-randomised-{size}")

        rater = pages["rater"]  # the rater sees a face and nothing else, and rates it
        rater.goto(f"{base}/study/rate")
        rater.wait_for_selector("#item-photo:not([hidden])")
        item = rater.text_content("section.card") or ""  # the queue picker shows the study's id, nothing more
        assert not any(word in item for word in ("P0001", "baseline", "week", arm, "ada", "2025", "2026"))
        src = rater.get_attribute("#item-photo", "src") or ""
        assert src.startswith("/api/rate/face-exercise-rct/photo/") and len(src.rsplit("/", 1)[1]) == 32
        check_page(rater, shots, f"study-rater-item-{size}")
        rater.fill("#apparent-age", "61")
        rater.check("label[for=upper_cheek-2]")
        rater.check("label[for=lower_cheek-1]")
        rater.click("#rate-form button[type=submit]")
        rater.wait_for_selector("[data-testid=rate-status]:has-text('All photos rated (1)')")
        check_page(rater, shots, f"study-rater-done-{size}")

        ada.goto(f"{base}/study")
        # "Your group:" and the group, not "Your group is decided after your first visit." (true before too)
        ada.wait_for_selector("#study-app :text('Your group:')")
        check_page(ada, shots, f"study-participant-randomised-{size}")
        for ctx in people.values():
            ctx.close()
