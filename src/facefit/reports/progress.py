"""Progress as JSON-ready dicts: what the web app's dashboard and progress page draw in the browser.

Same numbers as the HTML report (both come from :func:`facefit.reports.data.gather`), as plain
lists and dicts with ISO dates, so the web layer only serialises them.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

from facefit.catalog.loader import Catalog
from facefit.reports.data import ReportData, describe_event, gather
from facefit.reports.face_map import headline_with_lines
from facefit.reports.html import EXPECTATIONS
from facefit.reports.photo_change import headline
from facefit.store.db import Store

SCHEMA_VERSION = 1


def _num(value: float | None, digits: int = 2) -> float | None:
    return None if value is None or not math.isfinite(value) else round(value, digits)


def to_dict(data: ReportData) -> dict[str, Any]:
    """The report's data as JSON-ready values (schema ``SCHEMA_VERSION``)."""
    clearance = data.clearance
    photos = data.photos
    views = photos.views() if photos is not None else []
    return {
        "schema": SCHEMA_VERSION,
        "profile": data.profile,
        "span": data.span,
        "first": data.first.isoformat(),
        "last": data.last.isoformat(),
        "clearance": None if clearance is None else {
            "level": clearance.level.value, "conditions": list(clearance.conditions),
            "screened_at": clearance.screened_at.isoformat() if clearance.screened_at else None,
            "consult_acknowledged": clearance.consult_acknowledged, "summary": clearance.summary(),
        },
        "programme": None if data.enrolment is None else {
            "id": data.enrolment.programme_id, "name": data.programme_name,
            "start": data.enrolment.start_date.isoformat(), "weeks": data.programme_weeks,
            "current_week": data.programme_week,
        },
        "adherence": _num(data.adherence, 1),
        "streak": {"current": data.streaks.current, "longest": data.streaks.longest},
        "weeks": [{"week": w.week, "first": w.first.isoformat(), "last": w.last.isoformat(),
                   "planned": w.planned, "practised": w.practised, "adherence": _num(w.adherence, 1),
                   "minutes": _num(w.minutes, 1), "frequency_ok": w.frequency_ok, "complete": w.complete}
                  for w in data.weeks],
        "days": [{"date": r.date.isoformat(), "routine": r.routine_id, "status": r.status,
                  "planned_minutes": _num(r.planned_minutes, 1), "minutes": _num(r.practice.minutes, 1)}
                 for r in data.records],
        "sessions": [{"date": s.day.isoformat(), "kind": s.kind, "name": s.name, "status": s.status,
                      "minutes": _num(s.minutes, 1), "reps": s.reps, "form_score": _num(s.form_score, 1),
                      "symmetry": _num(s.symmetry, 1)} for s in data.sessions],
        "safety": [describe_event(e) for e in data.safety],
        "lifestyle": [{"field": t.field, "target": t.text, "met": t.met, "logged": t.logged}
                      for t in data.lifestyle],
        "photos": None if photos is None else {
            "dates": [d.isoformat() for d in photos.dates],
            "series": {k: [_num(v, 5) for v in values] for k, values in photos.series.items()},
            "mdc95": {k: _num(v, 5) for k, v in photos.mdc95.items()}, "units": photos.units,
            # per metric in display units (mm where a scale exists), its MDC95 band and plain verdict
            "metrics": [view.to_dict() for view in views],
            "headline": headline_with_lines(headline(views), photos.regions, photos.structure),
            # lines and folds per region (first vs latest photo, beyond MDC95 or not, or why not measurable),
            # the face map of them (inline SVG), and the structure metrics' changes in plain words
            "regions": [r.to_dict() for r in photos.regions], "face_map_svg": photos.face_map,
            "structure": [c.to_dict() for c in photos.structure],
        },
        "expectations": EXPECTATIONS,
        "notes": data.notes,
    }


def progress(store: Store, *, profile: str | None = None, profile_id: int | None = None, span: str = "all",
             today: date | None = None, catalog: Catalog | None = None) -> dict[str, Any]:
    """Gather and convert in one call (what a web route returns); the profile by id (the web) or by
    local name (the terminal), as ``reports.data.gather``."""
    return to_dict(gather(store, profile=profile, profile_id=profile_id, span=span, today=today,
                          catalog=catalog))
