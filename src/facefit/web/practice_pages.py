"""The practice page and the safety pages its refusals link to.

``/practice`` asks the practice layer first: a refused person gets a page that says why and links to
the page that resolves it (``/screening``, ``/safety/consult``, ``/safety/stop``), never the camera.
An allowed person gets the coaching page with the plan's warnings and skipped steps above it.
``/safety/consult`` records a clinician's clearance after a consult-first screening; ``/safety/stop``
shows the advice of each unacknowledged pain, twitch or new-asymmetry stop and acknowledges them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from facefit.errors import CatalogError
from facefit.practice.start import Refusal, practice_gate, start_practice
from facefit.safety.conditions import Level
from facefit.safety.service import current_clearance, pending_safety_blocks
from facefit.web.deps import DbDep, OptionalCallerDep, SettingsDep
from facefit.web.pages import _render as render
from facefit.web.practice import refusal_body, warning_body

router = APIRouter(include_in_schema=False)


def _login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


@router.get("/practice", response_class=HTMLResponse)
def practice_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep, db: DbDep,
                  routine: str | None = None, exercise: str | None = None) -> Response:
    """The coaching page, or why practice cannot start (for ``?routine=``/``?exercise=`` when given)."""
    if caller is None:
        return _login(request)
    target = routine or exercise
    verdict: Any = None
    if target:
        try:
            verdict = start_practice(session=db, profile_id=caller.profile_id, target=target)
        except CatalogError:
            verdict = None  # an unknown id in the address: the page's own choices list the real ones
    if verdict is None:
        verdict = practice_gate(session=db, profile_id=caller.profile_id)
    if isinstance(verdict, Refusal):
        return render(request, settings, "practice_refused.html", caller, page="practice",
                      refusal=refusal_body(verdict))
    notes = {"warnings": [warning_body(w) for w in verdict.warnings],
             "skipped": verdict.step_lines() if hasattr(verdict, "step_lines") else []}
    return render(request, settings, "practice.html", caller, page="practice", practice_notes=notes)


@router.get("/safety/consult", response_class=HTMLResponse)
def consult_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep, db: DbDep) -> Response:
    if caller is None:
        return _login(request)
    clearance = current_clearance(session=db, profile_id=caller.profile_id)
    view = None if clearance is None else {
        "summary": clearance.summary(), "sentence": clearance.sentence(), "reasons": list(clearance.reasons),
        "consult_first": clearance.level is Level.CONSULT_FIRST,
        "acknowledged": clearance.consult_acknowledged,
    }
    return render(request, settings, "safety_consult.html", caller, page="safety-consult", clearance=view)


@router.get("/safety/stop", response_class=HTMLResponse)
def stop_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep, db: DbDep) -> Response:
    if caller is None:
        return _login(request)
    pending = [{"kind": e.kind, "what": e.describe(), "advice": e.what_to_do}
               for e in pending_safety_blocks(session=db, profile_id=caller.profile_id)]
    return render(request, settings, "safety_stop.html", caller, page="safety-stop", pending=pending)
