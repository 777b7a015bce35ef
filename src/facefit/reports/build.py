"""Build a report: gather the data, draw the figures, write the HTML (and optionally a PDF) atomically."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matplotlib.figure import Figure

from facefit.catalog.loader import Catalog
from facefit.errors import InputError
from facefit.fileio import write_atomic
from facefit.reports import plots
from facefit.reports.data import ReportData, gather, report_owner
from facefit.reports.html import Picture, render_html
from facefit.reports.muscles import muscle_week
from facefit.store.db import Store

StepCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportResult:
    html: Path
    pdf: Path | None
    pictures: int
    note: str | None = None  # why there is no PDF when one was asked for


def figures(data: ReportData) -> dict[str, tuple[str, Figure | None]]:
    """Section key -> (alt text, figure or None when there is nothing to draw)."""
    return {
        "calendar": ("Calendar of planned, done, missed and rest days", plots.calendar_heatmap(data.records)),
        "frequency": ("Days practised per week against 5-7", plots.frequency_chart(data.weeks)),
        "minutes": ("Minutes of exercise per day",
                    plots.minutes_chart(data.practice, data.records, data.first, data.last)),
        "reps": ("Reps and form score over time", plots.reps_form_chart(data.sessions)),
        "safety": ("Safety events over time", plots.safety_chart(data.safety, data.first, data.last)),
        "photos": ("Photo metrics over time with MDC95 bands",
                   plots.photo_metrics_chart(data.photos) if data.photos else None),
        "lifestyle": ("Lifestyle days on target", plots.lifestyle_chart(data.lifestyle)),
        "expectations": ("Where you are on the 4-6 and 8-12 week timeline",
                         plots.expectations_chart(data.programme_week, data.programme_weeks)),
    }


def build_report(
    store: Store, *, profile: str | None = None, profile_id: int | None = None, span: str, out: Path,
    pdf: bool = False, today: date | None = None, catalog: Catalog | None = None,
    on_step: StepCallback | None = None,
) -> ReportResult:
    """Write ``out`` (HTML) and, with ``pdf``, the same page printed by Chromium to ``out`` with a .pdf
    suffix (one page size; without Chromium ``note`` says why there is no PDF); returns the paths."""
    out = out.expanduser()
    if pdf and out.suffix.lower() == ".pdf":
        raise InputError(f"{out} would be both the HTML report and its PDF; name the HTML file (e.g. "
                         f"{out.with_suffix('.html').name}) and the PDF is written beside it.")
    step = on_step or (lambda _label, _done, _total: None)
    step("reading the store", 0, 4)
    data = gather(store, profile=profile, profile_id=profile_id, span=span, today=today, catalog=catalog)
    with store.transaction() as session:  # the profile by id (the web) or by name (the terminal)
        owner = report_owner(session, profile=profile, profile_id=profile_id)
        muscles = muscle_week(session=session, profile_id=owner.id, today=data.today, catalog=catalog)
    step("drawing", 1, 4)
    drawn = figures(data)
    pictures = {key: Picture(key, alt, plots.png(fig))
                for key, (alt, fig) in drawn.items() if fig is not None}
    if data.photos is not None and data.photos.before_after is not None:
        pictures["before_after"] = Picture("before_after", "Aligned first and latest photo, side by side",
                                           plots.image_png(data.photos.before_after))
    step("writing HTML", 2, 4)
    write_atomic(out, render_html(data, pictures, muscles=muscles).encode("utf-8"))
    pdf_path = None
    note = None
    if pdf:
        step("printing the PDF", 3, 4)
        from facefit.reports.pdf import PdfUnavailable, print_pdf

        try:
            pdf_path = print_pdf(out, out.with_suffix(".pdf"))
        except PdfUnavailable as error:
            note = str(error)
    step("done", 4, 4)
    return ReportResult(out, pdf_path, len(pictures), note)
