"""Settings of one web app instance; tests build their own and pass them to ``create_app``.

Defaults are safe for a single user on loopback. Anything that weakens security for a public host
(cookies without ``Secure``) is refused unless the host is loopback.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

MB = 1024 * 1024


class WebSettings(BaseModel):
    """Everything the app factory needs; frozen so a running app cannot be reconfigured by accident.

    Attributes:
        db_url: SQLAlchemy URL (None: FACEFIT_DB_URL or the default SQLite file).
        secure_cookies: send cookies only over HTTPS (turn off only on loopback / in tests).
        session_days: how long a browser stays signed in.
        max_upload_bytes: largest accepted photo upload (checked by the photo routes, and by the body limit
            for them, so a refusal names this limit). Pixels have one limit at every door,
            ``facefit.vision.sources.MAX_IMAGE_PIXELS``.
        max_body_bytes: largest accepted request body that is not a multipart form (JSON).
        max_form_bytes: largest accepted multipart form (uploads: photos, offline practice recordings;
            their files are spooled to disk). Both body limits are enforced while the body is read,
            before sign-in is checked (413).
        login_failures: failed sign-ins allowed per email (and 4x per client address) before further
            attempts are refused; the count decays to zero over ``login_window_s`` (one more try every
            ``login_window_s / login_failures`` seconds).
        trusted_proxies: addresses of reverse proxies whose X-Forwarded-For/-Proto headers are believed
            (none by default: the connecting address is the client).
        api_docs: serve /docs and /openapi.json (off by default; on for development and the API tests).
        token_use_every_s: record an API token's last use at most this often (not a write per request).
        allowed_origins: extra origins allowed to open the coaching WebSocket with a cookie
            (the app's own origin is always allowed).
        model_path: the Face Landmarker ``.task`` to serve (None: the verified default).
        max_ws_message_bytes: largest accepted WebSocket message.
        ws_start_timeout_s: a coaching WebSocket that sends no valid ``start`` within this time is closed.
        tick_every: the live coaching state goes out when what the page shows changes and at least every
            n frames (events always at once); 15 is one sign of life a second at the 15 fps asked for.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    db_url: str | None = None
    secure_cookies: bool = True
    session_days: int = Field(default=14, ge=1, le=90)
    max_upload_bytes: int = Field(default=15 * MB, ge=1024, le=200 * MB)
    max_body_bytes: int = Field(default=1 * MB, ge=1024, le=200 * MB)
    max_form_bytes: int = Field(default=64 * MB, ge=1024, le=1024 * MB)
    login_failures: int = Field(default=5, ge=1, le=100)
    login_window_s: float = Field(default=300.0, gt=0)
    allowed_origins: tuple[str, ...] = ()
    trusted_proxies: tuple[str, ...] = ()
    api_docs: bool = False
    token_use_every_s: float = Field(default=60.0, ge=0, le=86400)
    model_path: Path | None = None
    max_ws_message_bytes: int = Field(default=64 * 1024, ge=1024)
    tick_every: int = Field(default=15, ge=1, le=60)
    ws_start_timeout_s: float = Field(default=30.0, gt=0, le=600)
