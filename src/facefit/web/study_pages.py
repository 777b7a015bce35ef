"""Study pages: ``/study`` (a participant's visits and programme, with links for coordinators and raters),
``/study/coordinate`` (coordinators), ``/study/rate`` (raters) and ``/study/staff`` (admins: who coordinates
and rates each study). All data comes from the JSON API in
``facefit.web.api.routes.study``; the pages only say who they are for.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from facefit.web.deps import OptionalCallerDep, SettingsDep
from facefit.web.pages import _render as render

router = APIRouter(include_in_schema=False)


def _login(request: Request) -> Response:
    return RedirectResponse(f"/login?next={request.url.path}", status_code=303)


@router.get("/study", response_class=HTMLResponse)
def participant_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
    if caller is None:
        return _login(request)
    return render(request, settings, "study_participant.html", caller, page="study")


@router.get("/study/coordinate", response_class=HTMLResponse)
def coordinator_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
    if caller is None:
        return _login(request)
    return render(request, settings, "study_coordinator.html", caller, page="study-coordinate")


@router.get("/study/rate", response_class=HTMLResponse)
def rater_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
    if caller is None:
        return _login(request)
    return render(request, settings, "study_rate.html", caller, page="study-rate")


@router.get("/study/staff", response_class=HTMLResponse)
def staff_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
    """Admins only: anyone else signed in is sent to their own start page (the API refuses them too)."""
    if caller is None:
        return _login(request)
    if caller.role != "admin":
        return RedirectResponse("/", status_code=303)
    return render(request, settings, "study_staff.html", caller, page="study-staff")
