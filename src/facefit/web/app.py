"""The app factory: ``create_app(settings)`` builds a fresh app; nothing is created at import time.

Errors a user can act on come back as ``{"detail": "<one sentence>"}`` with a 4xx status: bad JSON,
failed validation (the first problem named by field), FaceFitError from any stage. Security headers
(no sniffing, no framing, a strict Content-Security-Policy without third-party origins) go on every
response.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response, status
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from facefit.errors import FaceFitError, InputError, ModelNotFoundError
from facefit.store.db import open_store
from facefit.web.assets import STATIC_DIR
from facefit.web.deps import TokenUse
from facefit.web.limits import BodyLimit
from facefit.web.security import RateLimiter
from facefit.web.settings import WebSettings

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'"
)


STARLETTE_WORDS = {
    "Not Found": "There is nothing at {path}.",
    "Method Not Allowed": "The address {path} does not take a {method} request.",
    "There was an error parsing the body": "The request body could not be read.",
}
PLACES = {"query": "The query parameter", "path": "The path parameter", "header": "The header",
          "cookie": "The cookie"}


def _describe_validation(error: RequestValidationError) -> str:
    """The first problem as one sentence naming its field (e.g. ``The field email is missing.``)."""
    problems = error.errors()
    if not problems:
        return "The request is not valid."
    first = problems[0]
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "")
        return f"The request body is not valid JSON{': ' + str(detail) if detail else ''}."
    loc = [str(p) for p in first.get("loc", ())]
    place = PLACES.get(loc[0], "The field") if loc else "The field"
    name = ".".join(loc[1:] if loc and loc[0] in (*PLACES, "body") else loc)
    what = f"{place} {name}" if name else "The request body"
    more = len(problems) - 1
    more_text = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    kind = first.get("type")
    if kind == "missing":
        return f"{what} is missing{more_text}."
    if kind == "string_pattern_mismatch":  # pydantic's text quotes the regular expression
        form = ("an email address (it looks like name@example.org)" if name.endswith("email")
                else "in the expected form")
        return f"{what} is not {form}{more_text}."
    message = str(first.get("msg", "invalid")).rstrip(".")
    message = message.removeprefix("Value error, ")
    return f"{what} is not valid: {message[:1].lower()}{message[1:]}{more_text}."


def create_app(settings: WebSettings | None = None) -> FastAPI:
    """A new FaceFit web app on its own store (migrated on open)."""
    settings = settings or WebSettings()
    store = open_store(settings.db_url)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        from facefit.web import perception

        perception.close(app.state)
        store.close()

    docs = settings.api_docs
    app = FastAPI(
        title="FaceFit", version="0.1.0", lifespan=lifespan,
        description="Camera-coached facial exercise: accounts, sessions, photos, reports and live coaching.",
        openapi_url="/openapi.json" if docs else None, docs_url="/docs" if docs else None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.login_limiter = RateLimiter(settings.login_failures, settings.login_window_s)
    app.state.token_use = TokenUse(store, settings.token_use_every_s)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _describe_validation(error)},
                            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> Response:
        # FastAPI answers a body its JSON parser cannot read with "There was an error parsing the body";
        # a body nested past Python's recursion limit (a few KB of '[') is that, and worth naming.
        if isinstance(error.__cause__, RecursionError):
            return JSONResponse({"detail": "The request body is not valid JSON: it is nested far deeper than "
                                           "any FaceFit request; nothing was done."},
                                status_code=status.HTTP_400_BAD_REQUEST)
        if error.status_code == status.HTTP_404_NOT_FOUND and error.detail == "Not Found":  # no such route
            from facefit.web.pages import not_found_page

            page = not_found_page(request)
            if page is not None:
                return page
        worded = STARLETTE_WORDS.get(str(error.detail))  # Starlette's own title-case phrases, as sentences
        if worded is not None:
            return JSONResponse({"detail": worded.format(path=request.url.path, method=request.method)},
                                status_code=error.status_code, headers=error.headers)
        return await http_exception_handler(request, error)

    @app.exception_handler(FaceFitError)
    async def _user_error(_request: Request, error: FaceFitError) -> JSONResponse:
        code = status.HTTP_400_BAD_REQUEST
        if isinstance(error, ModelNotFoundError):
            code = status.HTTP_503_SERVICE_UNAVAILABLE
        elif isinstance(error, InputError):
            code = getattr(error, "http_status", status.HTTP_422_UNPROCESSABLE_CONTENT)
        from facefit.web.responses import error_text

        return JSONResponse({"detail": error_text(error)}, status_code=code)

    from facefit.web import assets, pages
    from facefit.web.api.main import api_router
    from facefit.web.responses import ERRORS

    app.include_router(api_router, responses=ERRORS)  # the one error shape, in every route's schema
    app.include_router(assets.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes, form_limit=settings.max_form_bytes,
                       photo_limit=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    if settings.trusted_proxies:  # outermost: everything below sees the client the proxy names
        from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=list(settings.trusted_proxies))
    return app


SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"content-security-policy", CSP.encode()),
    (b"permissions-policy", b"camera=(self), microphone=()"),
)


HSTS = b"max-age=31536000; includeSubDomains"


class SecurityHeaders:
    """Plain ASGI middleware (no per-request task like BaseHTTPMiddleware): adds the security headers
    a response does not set itself, ``no-store`` on API responses, and HSTS when the request came over
    HTTPS (never over plain HTTP: a browser would then refuse the loopback app). WebSockets pass
    untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        api = scope["path"].startswith("/api/")
        https = scope.get("scheme") == "https"  # as the client sees it (a trusted proxy may say so)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in present]
                if api and b"cache-control" not in present:
                    headers.append((b"cache-control", b"no-store"))
                if https:
                    headers.append((b"strict-transport-security", HSTS))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
