"""Reports on the simulated 12 weeks: the HTML is self-contained, every picture is a real, non-empty PNG."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.errors import InputError
from facefit.reports.build import build_report
from facefit.store.db import Store, open_store
from habits.history import History, build

CHROMIUM = "/usr/bin/chromium"
EXPECTED_PICTURES = {"calendar", "frequency", "minutes", "reps", "safety", "lifestyle", "expectations"}


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str]] = []
        self.external: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "img":
            self.images.append(values)
        for key in ("src", "href"):
            if key in values and values[key].startswith(("http:", "https:", "//")):
                self.external.append(values[key])


def inline_pngs(html: str) -> list[tuple[str, np.ndarray]]:
    """(alt, pixels) of every <img>; fails if one is not an inline, decodable, non-blank PNG."""
    from matplotlib.image import imread

    parser = _Images()
    parser.feed(html)
    assert parser.external == []
    out = []
    for image in parser.images:
        prefix = "data:image/png;base64,"
        assert image["src"].startswith(prefix), image["src"][:40]
        data = base64.b64decode(image["src"][len(prefix):], validate=True)
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 2000
        pixels = imread(io.BytesIO(data), format="png")
        assert pixels.shape[0] > 50 and pixels.shape[1] > 200
        assert float(pixels[..., :3].std()) > 0.02, f"{image['alt']} looks blank"
        assert image.get("alt")
        out.append((image["alt"], pixels))
    return out


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Iterator[History]:
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('r') / 'report.db'}")
    yield build(store, screening=None)
    store.close()


def test_all_report_has_every_plot_inline(history: History, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    result = build_report(history.store, profile="me", span="all", out=out, pdf=True, today=history.today)
    html = out.read_text(encoding="utf-8")
    images = inline_pngs(html)
    assert len(images) == result.pictures >= len(EXPECTED_PICTURES)
    for section in ("adherence", "minutes", "reps", "safety", "photos", "lifestyle", "expectations"):
        assert f'id="{section}"' in html
    assert "No photos yet" in html  # honest empty panel: this history has no photos
    assert "93%" in html  # 67 of 72 planned days covered
    assert "pain" in html and "twitch" in html
    assert "complements, and does not replace" in html
    assert result.pdf is not None and result.pdf.read_bytes()[:5] == b"%PDF-"


def test_week_report_covers_only_the_last_seven_days(history: History, tmp_path: Path) -> None:
    out = tmp_path / "w.html"
    build_report(history.store, profile="me", span="week", out=out, today=history.today - timedelta(days=1))
    html = out.read_text(encoding="utf-8")
    assert "last 7 days" in html and "2026-03-23 to 2026-03-29" in html
    assert "No safety events in this period" in html
    inline_pngs(html)


def test_empty_profile_report_says_what_is_missing(tmp_path: Path) -> None:
    store: Store = open_store(f"sqlite:///{tmp_path / 'empty.db'}")
    out = tmp_path / "e.html"
    build_report(store, profile="me", span="all", out=out)
    html = out.read_text(encoding="utf-8")
    build_report(store, profile="web:me@example.org", span="all", out=tmp_path / "w.html")
    web = (tmp_path / "w.html").read_text(encoding="utf-8")
    store.close()
    assert "Not screened yet" in html and "No programme yet" in html and "No photos yet" in html
    assert "<code>facefit screen</code>" in html and "<code>facefit" not in web  # the web names its pages
    assert "Screening page" in web and "Photos page" in web and "Lifestyle page" in web
    assert len(inline_pngs(html)) == 1  # only the expectations timeline has something to show


def test_cli_report_all(tmp_path: Path) -> None:
    store = open_store()
    build(store)
    store.close()
    out = tmp_path / "cli.html"
    result = CliRunner().invoke(app, ["report", "--all", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(inline_pngs(out.read_text(encoding="utf-8"))) >= len(EXPECTED_PICTURES)
    clash = CliRunner().invoke(app, ["report", "--week", "--month", "--out", str(out)])
    assert clash.exit_code != 0


def test_an_out_path_that_is_also_the_pdf_is_refused_before_any_work(tmp_path: Path) -> None:
    out = tmp_path / "report.pdf"
    result = CliRunner().invoke(app, ["report", "--pdf", "--out", str(out)])
    assert isinstance(result.exception, InputError) and "both the HTML report and its PDF" in str(
        result.exception)
    assert not out.exists()


@pytest.mark.browser
def test_headless_chromium_renders_the_plots(history: History, tmp_path: Path) -> None:
    if not (os.path.exists(CHROMIUM) and shutil.which(CHROMIUM)):
        pytest.skip("Debian chromium not installed")
    out = tmp_path / "r.html"
    build_report(history.store, profile="me", span="all", out=out, today=history.today)
    shot = tmp_path / "r.png"
    subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}", "--window-size=1200,3000",
         out.as_uri()],
        check=True, capture_output=True, timeout=120,
    )
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    # The plots are drawn in colour; a text-only page would be (near) grey everywhere.
    saturation = pixels.max(axis=2) - pixels.min(axis=2)
    assert float((saturation > 0.25).mean()) > 0.01
    keep = os.environ.get("FACEFIT_KEEP_SCREENSHOT")
    if keep:
        shutil.copy(shot, keep)
