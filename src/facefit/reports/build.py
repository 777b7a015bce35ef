"""Build a report: gather the data, draw the figures, write the HTML (and optionally a PDF) atomically."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matplotlib.figure import Figure

from facefit.catalog.loader import Catalog
from facefit.errors import InputError
from facefit.fileio import write_atomic
from facefit.reports import plots
from facefit.reports.data import ReportData, gather
from facefit.reports.html import EXPECTATIONS, Picture, render_html
from facefit.store.db import Store

StepCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class ReportResult:
    html: Path
    pdf: Path | None
    pictures: int


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


def _summary_page(data: ReportData) -> Figure:
    fig = Figure(figsize=(8.27, 11.69))
    lines = [f"FaceFit report - {data.profile}", f"{data.first} to {data.last}", ""]
    if data.clearance:
        lines.append(f"Screening: {data.clearance.summary()}")
    if data.adherence is not None:
        lines.append(f"Adherence {data.adherence:.0f}%, streak {data.streaks.current} (longest "
                     f"{data.streaks.longest})")
    lines += [f"Sessions {len(data.sessions)}, minutes {sum(s.minutes for s in data.sessions):.0f}",
              f"Safety events {len(data.safety)}", "", "What to expect:", *[f"- {t}" for t in EXPECTATIONS]]
    if data.photos is None:
        lines += ["", "No photos yet."]
    import textwrap

    wrapped = [w for line in lines for w in (textwrap.wrap(line, 95) or [""])]
    fig.text(0.06, 0.95, "\n".join(wrapped), va="top", fontsize=9, family="sans-serif")
    return fig


def build_report(
    store: Store, *, profile: str, span: str, out: Path, pdf: bool = False, today: date | None = None,
    catalog: Catalog | None = None, on_step: StepCallback | None = None,
) -> ReportResult:
    """Write ``out`` (HTML) and, with ``pdf``, ``out`` with a .pdf suffix; returns the paths."""
    out = out.expanduser()
    if pdf and out.suffix.lower() == ".pdf":
        raise InputError(f"{out} would be both the HTML report and its PDF; name the HTML file (e.g. "
                         f"{out.with_suffix('.html').name}) and the PDF is written beside it.")
    step = on_step or (lambda _label, _done, _total: None)
    step("reading the store", 0, 4)
    data = gather(store, profile=profile, span=span, today=today, catalog=catalog)
    step("drawing", 1, 4)
    drawn = figures(data)
    pictures = {key: Picture(key, alt, plots.png(fig))
                for key, (alt, fig) in drawn.items() if fig is not None}
    if data.photos is not None and data.photos.before_after is not None:
        pictures["before_after"] = Picture("before_after", "Aligned first and latest photo, side by side",
                                           plots.image_png(data.photos.before_after))
    step("writing HTML", 2, 4)
    write_atomic(out, render_html(data, pictures).encode("utf-8"))
    pdf_path = None
    if pdf:
        step("writing PDF", 3, 4)
        from matplotlib.backends.backend_pdf import PdfPages

        buffer = io.BytesIO()
        with PdfPages(buffer) as pages:
            pages.savefig(_summary_page(data))
            for _alt, fig in drawn.values():
                if fig is not None:
                    pages.savefig(fig, bbox_inches="tight")
        pdf_path = out.with_suffix(".pdf")
        write_atomic(pdf_path, buffer.getvalue())
    step("done", 4, 4)
    return ReportResult(out, pdf_path, len(pictures))
