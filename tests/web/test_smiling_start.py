"""Someone already smiling when the coach starts, in Chromium at phone size with the fake webcam.

The camera clip opens in a held smile (one frame of the synth clip's first smile, held 20 s: longer than the
model takes to load, so the coach's first still second is that smile), then relaxes and keeps still, then
smiles twice. Before coach/engine.py REST_AGAIN_S the page counted nothing for this person; now it says the
rest face was not one, learns it again and counts the smiles after it. The set asks for the catalog's 10, so
its time limit does not end it before the second smile on a slow machine; the person then ends the session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    SIZES,
    Shots,
    answer_screening,
    check_page,
    chromium,
    live_server,
    shots_folder,
    sign_up,
)

pytestmark = pytest.mark.browser
PRACTICE = "/practice?exercise=cheek-lifter&sets=1"
SMILING_S, RELAXED_S = 20.0, 4.0


def _frames(clip: Path) -> tuple[bytes, list[bytes], float]:
    """A y4m's header line, its frames (each with its FRAME line) and its frame rate."""
    data = clip.read_bytes()
    header, _, body = data.partition(b"\n")
    fields = dict((f[:1], f[1:]) for f in header.split()[1:])
    width, height = int(fields[b"W"]), int(fields[b"H"])
    num, den = (int(v) for v in fields[b"F"].split(b":"))
    size = len(b"FRAME\n") + width * height * 3 // 2  # 4:2:0
    return header + b"\n", [body[k:k + size] for k in range(0, len(body), size)], num / den


def smiling_start(clip: Path, truth: dict[str, Any], out: Path) -> Path:
    """``clip`` re-cut: its first smile's hold held SMILING_S, the relaxed face after it held RELAXED_S,
    then the rest of the clip (its second and third smiles)."""
    header, frames, fps = _frames(clip)
    first, second = truth["reps"][:2]
    held = round((first["hold_start_s"] + first["hold_end_s"]) / 2 * fps)
    relaxed = round((first["end_s"] + second["start_s"]) / 2 * fps)
    cut = ([frames[held]] * round(SMILING_S * fps) + frames[held:relaxed]
           + [frames[relaxed]] * round(RELAXED_S * fps) + frames[relaxed:])
    out.write_bytes(header + b"".join(cut))
    return out


def test_a_person_smiling_at_the_start_is_told_and_then_counted(
    synth_clip: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    clip = smiling_start(*synth_clip, tmp_path / "smiling.y4m")
    shots = Shots(shots_folder(tmp_path))
    with live_server(f"sqlite:///{tmp_path / 'smiling.db'}") as (base, _app), chromium(clip) as browser:
        page = browser.new_context(viewport=SIZES["phone"]).new_page()
        page.set_default_timeout(60_000)
        shots.watch(page)
        sign_up(page, base, "smiling@example.org")
        answer_screening(page)
        page.goto(base + PRACTICE)
        page.wait_for_selector("body[data-loaded=yes]")
        page.click("#start")
        page.wait_for_selector("#go:visible", timeout=120_000)  # the model loads first
        page.click("#go")
        page.wait_for_selector("#events li:has-text('not your rest face')", state="attached", timeout=120_000)
        check_page(page, shots, "rest-again")
        for _ in range(900):  # wait_for_function evaluates a string, which the page's CSP forbids
            if page.evaluate("window.facefit.reps") >= 2:
                break
            page.wait_for_timeout(100)
        assert page.evaluate("window.facefit.reps") == 2  # the clip's two smiles after the relaxed face
        page.click("#end")
        page.wait_for_selector("[data-testid=session-summary]:not([hidden])", timeout=60_000)
        summary = page.text_content("[data-testid=session-summary]") or ""
        assert "Cheek lifter: 2 reps in 1 set." in summary, summary  # ended early, the count is kept
        also = summary.split("Also:")[1]  # how the coach saw the face is not a fault of form
        assert "the rest face learned again once" in also and "rest face" not in summary.split("Also:")[0]
        check_page(page, shots, "rest-again-done")
        assert shots.errors == [], json.dumps(shots.errors)
