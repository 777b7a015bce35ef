"""``facefit serve`` (the web app) and ``facefit web-role`` (make an account a coach or admin).

Heavy imports (FastAPI app, uvicorn) happen inside the commands so ``facefit --help`` stays fast.
"""

from __future__ import annotations

import gc
import ipaddress
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facefit.cli._common import console
from facefit.errors import InputError

if TYPE_CHECKING:
    from facefit.web.settings import WebSettings


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on (loopback by default: nothing leaves the "
                                           "machine unless you choose another address).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.", min=1, max=65535)] = 8000,
    db_url: Annotated[str | None, typer.Option("--db-url", help="SQLAlchemy URL (default: FACEFIT_DB_URL "
                                                                "or the local SQLite file).")] = None,
    secure_cookies: Annotated[bool | None, typer.Option(
        "--secure-cookies/--no-secure-cookies",
        help="Send cookies over HTTPS only (default: on unless the host is loopback; put a TLS proxy in "
             "front for any other host).")] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
    tick_every: Annotated[int, typer.Option(help="Send the live coaching state at least every n frames "
                                                 "(and whenever it changes; events at once).", min=1,
                                            max=60)] = 15,
    trusted_proxy: Annotated[list[str] | None, typer.Option(
        "--trusted-proxy", help="Address of a reverse proxy whose X-Forwarded-For/-Proto headers are "
                                "believed (repeatable; none by default, so nobody can claim another "
                                "address).")] = None,
    api_docs: Annotated[bool, typer.Option(
        "--api-docs/--no-api-docs", help="Serve the API description at /docs and /openapi.json "
                                         "(off by default).")] = False,
    workers: Annotated[int, typer.Option(
        help="Server processes sharing the port (use PostgreSQL via --db-url for more than one; live "
             "sessions resume on any process or host on the same database: docs/deploy.md).",
        min=1, max=64)] = 1,
) -> None:
    """Serve the FaceFit web app: dashboard, live camera coaching, photos, progress, reports."""
    from pydantic import ValidationError

    from facefit.config import db_url as db_url_default
    from facefit.web.settings import WebSettings

    secure = (not _loopback(host)) if secure_cookies is None else secure_cookies
    for address in trusted_proxy or ():
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise InputError(
                f"The --trusted-proxy value {address!r} is not an IP address or network.") from None
    try:
        settings = WebSettings(db_url=db_url, secure_cookies=secure, tick_every=tick_every,
                               trusted_proxies=tuple(trusted_proxy or ()), api_docs=api_docs)
    except ValidationError as error:
        raise InputError(f"Bad server settings: {error.errors()[0]['msg']}.") from None
    if workers > 1 and (settings.db_url or db_url_default()).startswith("sqlite"):
        console.print("[yellow]Note:[/yellow] several processes on one SQLite file take turns to write; "
                      "use PostgreSQL (--db-url) for more than one (docs/deploy.md).")
    processes = f", {workers} processes" if workers > 1 else ""
    console.print(f"FaceFit on http://{host}:{port}  (cookies {'HTTPS-only' if secure else 'plain HTTP'}"
                  f"{processes})")
    run_server(settings, host=host, port=port, log_level=log_level, workers=workers)


SETTINGS_ENV = "FACEFIT_SERVE_SETTINGS"
"""How ``facefit serve --workers N`` hands its settings (JSON) to the worker processes it starts."""


def run_server(settings: WebSettings, *, host: str, port: int, log_level: str = "info",
               workers: int = 1) -> None:
    """Build the app and serve it with uvicorn as ``facefit serve`` does (tests start servers with this).

    uvicorn's own proxy-header handling is off (it believes X-Forwarded-For from loopback by default);
    the app believes only ``settings.trusted_proxies``. With ``workers`` > 1, uvicorn's supervisor
    binds the port and starts that many processes, each building its app with
    :func:`app_from_environment`; they share nothing but the database.
    """
    import os

    import uvicorn

    options = dict(host=host, port=port, log_level=log_level, **uvicorn_options(settings))
    if workers > 1:
        os.environ[SETTINGS_ENV] = settings.model_dump_json()
        uvicorn.run("facefit.cli.web:app_from_environment", factory=True, workers=workers, **options)
        return
    uvicorn.run(build_app(settings), **options)


def uvicorn_options(settings: WebSettings) -> dict[str, Any]:
    """The uvicorn settings ``facefit serve`` runs with (``bench/bench_ws_server.py`` uses them too).

    Per-message deflate is off: uvicorn offers it by default, and a browser accepts it, after which every
    ~760-byte landmark frame is inflated and every reply deflated on the server's one core (our frames are
    float32 numbers, which barely compress). proxy_headers off: see :func:`run_server`.
    """
    return dict(ws=LIVE_PROTOCOL, http="httptools", loop="uvloop", ws_max_size=settings.max_ws_message_bytes,
                ws_ping_interval=20, ws_ping_timeout=20, ws_per_message_deflate=False, proxy_headers=False,
                server_header=False)


LIVE_PROTOCOL = "facefit.web.live.fastpath:LiveWebSocketProtocol"
"""uvicorn's sans-I/O WebSocket protocol (the fastest of its three; ``auto`` picks it too) with the live
frames' short path (``web/live/fastpath.py``); httptools and uvloop are named rather than left to
``auto``, so a missing one fails at start instead of quietly serving slower."""


def build_app(settings: WebSettings) -> Any:
    """The app, with the garbage collector set for a long-running server."""
    from facefit.web.app import create_app

    app = create_app(settings)
    # Everything loaded so far lives for the whole process: keep it out of the garbage collector's
    # full collections, which otherwise pause the event loop (and every live stream) for ~100 ms.
    # Live streams allocate small objects at thousands of frames/s; collecting the young generation
    # every 700 allocations (the default) would run it hundreds of times a second.
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    return app


def app_from_environment() -> Any:
    """A worker process's app (``facefit serve --workers N``): the settings the command put in
    ``FACEFIT_SERVE_SETTINGS``."""
    import os

    from facefit.web.settings import WebSettings

    return build_app(WebSettings.model_validate_json(os.environ[SETTINGS_ENV]))


def web_role(
    email: Annotated[str, typer.Argument(help="The account's email.")],
    role: Annotated[str, typer.Argument(help="member, coach or admin.")],
) -> None:
    """Change a web account's role (e.g. make the first admin)."""
    from facefit.cli._common import store
    from facefit.store import web as accounts

    if role not in accounts.ROLES:
        raise InputError(f"The role must be one of {', '.join(accounts.ROLES)}, got {role!r}.")
    with store().transaction() as session:
        account = accounts.get_account_by_email(session=session, email=email)
        if account is None:
            raise InputError(f"There is no web account with email {email!r}.")
        account.role = role
    console.print(f"{email} is now {role}")


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("web-role")(web_role)
