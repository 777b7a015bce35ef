"""Progress (numbers and photo metrics over time) and the printable report (the reports stage)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import HTMLResponse, Response

from facefit.store import photos as photo_store
from facefit.web.deps import DbDep, MemberDep
from facefit.web.responses import MuscleWeekOut, ProgressOut

router = APIRouter(tags=["progress"])
Span = Literal["week", "month", "all"]
REPORT_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'"


@router.get("/api/progress", response_model=ProgressOut,
            summary="My progress: practice, adherence, safety and photo metrics")
def progress(request: Request, caller: MemberDep, span: Span = "all") -> dict[str, Any]:
    from facefit.reports.progress import progress as progress_verb

    return progress_verb(request.app.state.store, profile_id=caller.profile_id, span=span)


@router.get("/api/reports", response_class=HTMLResponse, summary="My report as one self-contained HTML page")
def report(request: Request, caller: MemberDep, span: Span = "month") -> Response:
    from facefit.reports.build import build_report

    with tempfile.TemporaryDirectory(prefix="facefit-report-") as tmp:
        out = Path(tmp) / "report.html"
        build_report(request.app.state.store, profile_id=caller.profile_id, span=span, out=out)
        html = out.read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_CSP, "Cache-Control": "no-store",
                                       "X-Frame-Options": "SAMEORIGIN"})


@router.get("/api/reports/pdf", response_class=Response, summary="My report as a PDF: the same page, "
            "printed by Chromium on A4", responses={200: {"content": {"application/pdf": {}}}})
def report_pdf(request: Request, caller: MemberDep, span: Span = "month") -> Response:
    from facefit.reports.build import build_report

    with tempfile.TemporaryDirectory(prefix="facefit-report-") as tmp:
        out = Path(tmp) / "report.html"
        result = build_report(request.app.state.store, profile_id=caller.profile_id, span=span, out=out,
                              pdf=True)
        if result.pdf is None:
            raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, result.note or "No PDF could be made.")
        data = result.pdf.read_bytes()
    return Response(data, media_type="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="facefit-report-{span}.pdf"',
        "Cache-Control": "no-store"})


@router.get("/api/progress/muscles", response_model=MuscleWeekOut,
            summary="This week's measured time under tension per muscle, and the "
            "face diagram of it (SVG)")
def muscles(db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from datetime import date

    from facefit.reports.muscles import muscle_week

    return muscle_week(session=db, profile_id=caller.profile_id, today=date.today()).to_dict()


@router.get("/api/progress/before-after", summary="My first and latest accepted photos, aligned side by side",
            response_class=Response, responses={200: {"content": {"image/png": {}}}})
def before_after(db: DbDep, caller: MemberDep) -> Response:
    from facefit.photos.progress import view_photo
    from facefit.photos.views import side_by_side
    from facefit.reports.plots import image_png

    photos = [p for p in photo_store.list_photos(session=db, profile_id=caller.profile_id) if p.accepted]
    if len(photos) < 2:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "A before/after picture needs two accepted photos.")
    picture = side_by_side(view_photo(photos[0]), view_photo(photos[-1]))
    return Response(image_png(picture), media_type="image/png", headers={"Cache-Control": "no-store"})
