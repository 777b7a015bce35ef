"""With photos from the photos stage the report plots metrics with MDC95 bands and an aligned before/after."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import numpy as np
import pytest

from facefit.photos.files import LoadedPhoto, load_photo
from facefit.photos.library import import_photo
from facefit.reports.build import build_report
from facefit.store.db import open_store
from facefit.store.photos import save_repeatability
from facefit.store.profiles import get_or_create_profile

from .test_report import inline_pngs


@pytest.mark.slow
def test_report_with_photos(image_landmarker: object, tmp_path: Path) -> None:
    import matplotlib.cbook

    grace = load_photo(Path(matplotlib.cbook.get_sample_data("grace_hopper.jpg", asfileobj=False)))
    store = open_store(f"sqlite:///{tmp_path / 'p.db'}")
    with store.transaction() as db:
        pid = get_or_create_profile(session=db).id
    first = import_photo(grace, store=store, profile_id=pid, landmarker=image_landmarker,
                         taken_at=datetime(2026, 1, 5, 9, tzinfo=UTC), source_name="week0.jpg")
    assert first.stored, first
    # The "after" photo: the same face mirrored (a different picture, same measured face).
    mirrored = LoadedPhoto(**{**grace.__dict__, "rgb": np.ascontiguousarray(grace.rgb[:, ::-1])})
    second = import_photo(mirrored, store=store, profile_id=pid, landmarker=image_landmarker,
                          taken_at=datetime(2026, 3, 30, 9, tzinfo=UTC), source_name="week12.jpg", force=True)
    assert second.stored, second
    with store.transaction() as db:
        save_repeatability(session=db, profile_id=pid, source="test table",
                           table={"jaw_width_ratio": (0.004, 0.011, 16),
                                  "lower_face_ratio": (0.003, 0.008, 16)})
    out = tmp_path / "photos.html"
    build_report(store, profile="me", span="all", out=out, today=date(2026, 3, 31))
    store.close()
    html = out.read_text(encoding="utf-8")
    alts = [alt for alt, _ in inline_pngs(html)]
    assert "Photo metrics over time with MDC95 bands" in alts
    assert "Aligned first and latest photo, side by side" in alts
    assert "No photos yet" not in html and "MDC95" in html
