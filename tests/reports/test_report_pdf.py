"""The PDF is the HTML report printed by Chromium: one page size (A4) on every page, the same pictures;
without Chromium the HTML is still written and a note says how to get a PDF. Time axes are whole days:
one day of data never labels hours, and the lifestyle axis counts whole days."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path

import pytest

from facefit.habits.adherence import PracticeDay
from facefit.habits.lifestyle import TargetSummary
from facefit.reports import plots
from facefit.reports.build import build_report
from facefit.reports.data import SessionPoint
from facefit.reports.pdf import find_chromium
from facefit.store.db import open_store
from habits.history import build


def _need_chromium() -> None:
    if find_chromium() is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed in CI (make sysdeps installs it)")
        pytest.skip("chromium not installed")


def test_pdf_is_the_html_printed_on_one_page_size(tmp_path: Path) -> None:
    _need_chromium()
    store = open_store(f"sqlite:///{tmp_path / 'pdf.db'}")
    history = build(store, screening=None)
    result = build_report(store, profile="me", span="all", out=tmp_path / "r.html", pdf=True,
                          today=history.today)
    store.close()
    assert result.pdf == tmp_path / "r.pdf" and result.note is None
    data = result.pdf.read_bytes()
    found = re.findall(rb"/MediaBox\s*\[([^\]]+)\]", data)
    boxes = {tuple(round(float(v)) for v in box.split()) for box in found}
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert pages >= 2 and boxes == {(0, 0, 595, 842)}, (pages, boxes)  # every page A4 portrait
    images = len(re.findall(rb"/Subtype\s*/Image", data))
    assert images >= result.pictures  # the report's pictures, not a separate matplotlib dump


def test_without_chromium_the_html_is_written_and_the_note_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FACEFIT_CHROMIUM", str(tmp_path / "no-such-chromium"))
    store = open_store(f"sqlite:///{tmp_path / 'none.db'}")
    result = build_report(store, profile="me", span="all", out=tmp_path / "r.html", pdf=True)
    store.close()
    assert result.pdf is None and not (tmp_path / "r.pdf").exists()
    assert result.note is not None and "Chromium" in result.note and "print it" in result.note
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def _labels(fig: object) -> list[str]:
    fig.canvas.draw()  # type: ignore[attr-defined]
    return [t.get_text() for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]  # type: ignore[attr-defined]


def test_one_day_of_data_is_labelled_in_days_not_hours() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    day = date(2026, 3, 14)
    minutes = plots.minutes_chart({day: PracticeDay(sessions=1, completed=1, minutes=7.0)}, [], day, day)
    point = SessionPoint(day, "coach", "cheek-lifter", "completed", 3.0, 10, 90.0, 95.0)
    reps = plots.reps_form_chart([point])
    for fig in (minutes, reps):
        assert fig is not None
        FigureCanvasAgg(fig)
        labels = _labels(fig)
        assert "14 Mar" in labels and not any(":" in label for label in labels), labels


def test_lifestyle_axis_counts_whole_days() -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = plots.lifestyle_chart([TargetSummary("spf", "sunscreen applied", 1, 1),
                                 TargetSummary("sleep_h", "7-9 h sleep", 1, 0)])
    assert fig is not None
    FigureCanvasAgg(fig)
    labels = _labels(fig)
    assert labels and all(re.fullmatch(r"\d+", label) for label in labels), labels
