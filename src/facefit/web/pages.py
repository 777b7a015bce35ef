"""HTML pages: Jinja2 templates that load small JS modules; all data comes from the JSON API.

Pages need a signed-in browser (else they redirect to /login). A page whose stage is not installed says
so plainly instead of showing made-up data.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from facefit.web import demos, offline
from facefit.web.assets import STATIC_DIR, TASKS_VISION_DIR, TEMPLATES_DIR
from facefit.web.deps import CSRF_COOKIE, DbDep, OptionalCallerDep, SettingsDep
from facefit.web.first_run import setup_steps, staff_start
from facefit.web.security import new_token, safe_next

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=TEMPLATES_DIR)

NAV: tuple[tuple[str, str], ...] = (
    ("/", "Today"), ("/practice", "Practice"), ("/calibrate", "Calibrate"), ("/screening", "Screening"),
    ("/photos", "Photos"), ("/progress", "Progress"), ("/lifestyle", "Lifestyle"), ("/reports", "Reports"),
    ("/history", "History"), ("/exercises", "Exercises"), ("/account", "Account"),
)
# The phone's bottom tab bar: the four pages used most (href, label, a 24x24 stroke icon path); the
# "More" button in the bar opens NAV.
TABS: tuple[tuple[str, str, str], ...] = (
    ("/", "Today", "M5 5h14v15H5zM5 9h14M9 3v4M15 3v4"),
    ("/practice", "Practice", "M8 5l11 7-11 7z"),
    ("/progress", "Progress", "M4 19h16M5 15l4-5 4 3 6-7"),
    ("/photos", "Photos", "M4 8h4l2-3h4l2 3h4v11H4zM12 16.5a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z"),
)
# An admin's own pages: what the account is for. They lead the menu of an admin with no member data of
# their own (no screening, calibration, programme, session or photo), whose phone tab bar shows them
# instead of the member's; an admin who also practises keeps the member's menu with these after it.
ADMIN_NAV: tuple[tuple[str, str], ...] = (
    ("/study/coordinate", "Studies"), ("/study/staff", "Study staff"), ("/coach", "Clients"),
)
ADMIN_TABS: tuple[tuple[str, str, str], ...] = (
    ("/study/coordinate", "Studies", "M6 4h12v16H6zM9 4v2h6V4M9 11h6M9 15h6"),
    ("/study/staff", "Staff", "M9 11a3 3 0 1 0 0-6 3 3 0 0 0 0 6zM3 20c0-3.3 2.7-6 6-6s6 2.7 6 6"
                              "M17 11a2.5 2.5 0 1 0 0-5M21 20c0-2.6-1.6-4.8-4-5.6"),
    ("/coach", "Clients", "M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM4 21c0-4.4 3.6-8 8-8s8 3.6 8 8"),
    ("/account", "Account", "M5 11h14v9H5zM8 11V8a4 4 0 0 1 8 0v3"),
)


Menu = tuple[tuple[tuple[str, str], ...], tuple[tuple[str, str, str], ...]]


def menu(request: Request, caller: Any) -> Menu:
    """The menu and the phone's tab bar for ``caller``: a member's, a coach's (plus Clients), an admin's."""
    if caller is None or caller.role not in ("coach", "admin"):
        return NAV, TABS
    if caller.role == "coach":
        return (*NAV, ("/coach", "Clients")), TABS
    from facefit.web.first_run import has_member_data

    with request.app.state.store.transaction() as session:
        practises = has_member_data(session=session, profile_id=caller.profile_id)
    if practises:
        return (*NAV, *ADMIN_NAV), TABS
    return (*ADMIN_NAV, *NAV), ADMIN_TABS


# Which module each page needs from the stages below the web app.
STAGES: dict[str, str] = {
    "screening": "facefit.safety.service",
    "photos": "facefit.photos.library",
    "progress": "facefit.reports.progress",
    "lifestyle": "facefit.habits.service",
    "reports": "facefit.reports.build",
    "dashboard": "facefit.habits.service",
}


def stage_ready(page: str) -> bool:
    module = STAGES.get(page)
    return module is None or importlib.util.find_spec(module) is not None


def _render(request: Request, settings: SettingsDep, name: str, caller: Any, **context: Any) -> Response:
    nav, tabs = menu(request, caller)
    response = templates.TemplateResponse(request, name, {
        "caller": caller, "nav": nav, "tabs": tabs, "nav_hrefs": [href for href, _ in nav],
        "path": request.url.path, "ready": stage_ready, **context,
    })
    if not request.cookies.get(CSRF_COOKIE):
        response.set_cookie(CSRF_COOKIE, new_token(), httponly=False, samesite="strict",
                            secure=settings.secure_cookies, path="/")
    return response


def _page(name: str, template: str, *, coach_ok: bool = False) -> None:
    def view(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
        if caller is None:
            return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
        return _render(request, settings, template, caller, page=name,
                       next=safe_next(request.query_params.get("next"), default=""))

    view.__name__ = f"page_{name}"
    router.add_api_route(f"/{name}", view, methods=["GET"], response_class=HTMLResponse)


# /practice and the safety pages its refusals link to are in facefit.web.practice_pages.
for _name in ("calibrate", "screening", "photos", "progress", "lifestyle",
              "reports", "history", "account", "coach"):
    _page(_name, f"{_name}.html")


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep, db: DbDep) -> Response:
    """Today for a signed-in person (with the setup steps still to do); the landing page for a visitor.
    Whether practice is paused, and why, is the practice layer's verdict (``practice_gate``), shown
    with the link to the page that resolves it, the same as the practice page and ``facefit today``."""
    from facefit.practice.start import practice_gate
    from facefit.web.practice import gate_body

    if caller is None:
        return _render(request, settings, "landing.html", None, page="landing")
    steps = setup_steps(session=db, profile_id=caller.profile_id) if caller.role == "member" else []
    return _render(request, settings, "dashboard.html", caller, page="dashboard",
                   setup=[s for s in steps if not s.done], setup_total=len(steps),
                   practice=gate_body(practice_gate(session=db, profile_id=caller.profile_id)))


@router.get("/start", response_class=HTMLResponse)
def start_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep, db: DbDep) -> Response:
    """The first-run path: each step, why it matters, and whether it is done (resumes where you left)."""
    from facefit.catalog.loader import load_catalog

    if caller is None:
        return RedirectResponse("/signup?next=/start", status_code=303)
    if caller.role == "coach":  # a coach reads their members' practice (the dashboard has no setup for them)
        return RedirectResponse("/coach", status_code=303)
    staff = staff_start(caller.role)
    if staff is not None:  # an admin or a rater: no member setup (nor on the dashboard), their own pages
        return _render(request, settings, "start.html", caller, page="start", staff=staff, steps=[],
                       current=None)
    steps = setup_steps(session=db, profile_id=caller.profile_id)
    current = next((s for s in steps if not s.done), None)
    return _render(request, settings, "start.html", caller, page="start", steps=steps, current=current,
                   programmes=list(load_catalog().programmes.values()))


@router.get("/exercises", response_class=HTMLResponse)
def exercises_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep, db: DbDep) -> Response:
    """Every exercise card: how to do it, its dose and cautions, and a demonstration clip."""
    from facefit.catalog.loader import load_catalog
    from facefit.store.photos import get_baseline

    if caller is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    catalog = load_catalog()
    return _render(request, settings, "exercises.html", caller, page="exercises",
                   exercises=list(catalog.exercises.values()), demos=demos.demo_exercises(),
                   relax=catalog.guidance.relax_not_train,
                   has_baseline=get_baseline(session=db, profile_id=caller.profile_id) is not None)


router.include_router(demos.router)
router.include_router(offline.router)


def not_found_page(request: Request) -> Response | None:
    """A browser that asks for a page that does not exist gets a page saying so, with the way back (not
    the API's JSON); None for anything else (API calls, files, scripts), which keep the JSON answer."""
    from facefit.web.deps import SESSION_COOKIE, caller_from_credentials

    path = request.url.path
    if (request.method != "GET" or path.startswith(("/api/", "/static/", "/ws"))
            or "text/html" not in request.headers.get("accept", "")):
        return None
    with request.app.state.store.transaction() as db:
        caller = caller_from_credentials(session=db, bearer=None, cookie=request.cookies.get(SESSION_COOKIE))
    response = _render(request, request.app.state.settings, "not_found.html", caller, page="not-found")
    response.status_code = 404
    return response


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
    return _render(request, settings, "login.html", caller, page="login",
                   next=safe_next(request.query_params.get("next")))


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request, caller: OptionalCallerDep, settings: SettingsDep) -> Response:
    return _render(request, settings, "signup.html", caller, page="signup",
                   next=safe_next(request.query_params.get("next"), default="/start"))


@functools.lru_cache(maxsize=1)
def _app_version() -> str:
    """A digest of the files the service worker keeps (our static files and MediaPipe's package): a new
    build gets a new cache, and the old one is dropped."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode() + path.read_bytes())
    package = TASKS_VISION_DIR / "package.json"
    if package.is_file():
        digest.update(package.read_bytes())
    return digest.hexdigest()[:16]


@router.get("/sw.js", include_in_schema=False)
def service_worker() -> Response:
    """The service worker, served from the root so it may control every page (see static/sw.js)."""
    code = (STATIC_DIR / "sw.js").read_text(encoding="utf-8").replace("__VERSION__", _app_version())
    return Response(code, media_type="text/javascript", headers={"Cache-Control": "no-cache"})


@router.get("/manifest.webmanifest", include_in_schema=False)
def manifest() -> Response:
    """The web app manifest: FaceFit can be installed on a phone's home screen."""
    return Response((STATIC_DIR / "manifest.webmanifest").read_bytes(),
                    media_type="application/manifest+json", headers={"Cache-Control": "no-cache"})


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, Any]:
    return {"ok": True, "browser_assets": TASKS_VISION_DIR.is_dir()}
