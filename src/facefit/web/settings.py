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
        max_upload_bytes: largest accepted photo upload.
        max_image_pixels: largest accepted decoded image (width * height): stops decompression bombs.
        login_failures: failed sign-ins allowed per email (and 4x per client address) within
            ``login_window_s`` before further attempts are refused.
        allowed_origins: extra origins allowed to open the coaching WebSocket with a cookie
            (the app's own origin is always allowed).
        model_path: the Face Landmarker ``.task`` to serve (None: the verified default).
        max_ws_message_bytes: largest accepted WebSocket message.
        ws_start_timeout_s: a coaching WebSocket that sends no valid ``start`` within this time is closed.
        tick_every: send the coaching state for frames whose seq is a multiple of n (events are always
            sent at once); 2 gives the page 15 updates a second at 30 fps, plenty for a hold ring.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    db_url: str | None = None
    secure_cookies: bool = True
    session_days: int = Field(default=14, ge=1, le=90)
    max_upload_bytes: int = Field(default=15 * MB, ge=1024, le=200 * MB)
    max_image_pixels: int = Field(default=40_000_000, ge=10_000)
    login_failures: int = Field(default=5, ge=1, le=100)
    login_window_s: float = Field(default=300.0, gt=0)
    allowed_origins: tuple[str, ...] = ()
    model_path: Path | None = None
    max_ws_message_bytes: int = Field(default=64 * 1024, ge=1024)
    tick_every: int = Field(default=2, ge=1, le=30)
    ws_start_timeout_s: float = Field(default=30.0, gt=0, le=600)
