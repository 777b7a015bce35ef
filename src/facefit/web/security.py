"""Password hashing (argon2), random tokens, their digests, the sign-in rate limiter and the check of a
``next`` address after sign-in.

Cookies and API tokens are 256-bit random strings; the database keeps only their SHA-256 digests, so a
leaked database does not let anyone sign in. Passwords use argon2id with argon2-cffi's defaults.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from urllib.parse import unquote, urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """A real hash to verify against when the email is unknown, so timing does not reveal which emails
    exist (made on first use: hashing costs ~0.5 s and 64 MB, which importing this module should not)."""
    return _HASHER.hash("facefit-dummy-password")

API_TOKEN_PREFIX = "ffk_"


def hash_password(password: str) -> str:
    return _HASHER.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; always spends one argon2 verification (no user enumeration)."""
    try:
        return _HASHER.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """SHA-256 hex digest under which a cookie or API token is stored and looked up."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def same_secret(a: str | None, b: str | None) -> bool:
    """Constant-time comparison that is False when either side is missing."""
    if not a or not b:
        return False
    return hmac.compare_digest(a.encode(), b.encode())


def safe_next(raw: str | None, default: str = "/") -> str:
    """Where to send the browser after sign-in: ``raw`` if it is a path on this site, else ``default``.

    Browsers read a backslash as a slash and drop tabs and line breaks, so ``/\\evil.example``,
    ``/%5Cevil.example`` (the page's script decodes the query once more) and ``/<tab>/evil`` all lead to
    another site; anything but a plain ``/path`` is refused, before and after one more decoding.
    """
    if not raw or len(raw) > 2000:
        return default
    for text in (raw, unquote(raw)):
        if not text.startswith("/") or text.startswith("//") or "\\" in text:
            return default
        if any(ord(ch) <= 32 or ord(ch) == 127 for ch in text):
            return default
    parts = urlsplit(raw)
    return default if parts.scheme or parts.netloc else raw


class RateLimiter:
    """Failed-attempt counts per key (an email, a client address) that decay; thread-safe and atomic.

    Each failure adds one to its key's level, and the level drains at ``limit / window_s`` per second:
    after ``limit`` failures the next try waits ``window_s / limit`` seconds, and after ``window_s`` of
    quiet the key is clean again. A try takes a slot under every key *before* the password is checked
    (:meth:`acquire`) and gives it back afterwards (:meth:`release`), so 30 parallel guesses cannot all
    pass a count that none of them has raised yet. One server process holds the counts in memory; a
    restart forgets them, which only makes the limit lenient for one window.
    """

    def __init__(self, limit: int, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self.clock = clock
        self._levels: dict[str, tuple[float, float]] = {}  # key -> (level, when it was that)
        self._pending: dict[str, int] = {}
        self._lock = threading.Lock()

    def _level(self, key: str, limit: int, now: float) -> float:
        level, at = self._levels.get(key, (0.0, now))
        return max(0.0, level - (now - at) * limit / self.window_s)

    def _prune(self, now: float, limits: Mapping[str, int]) -> None:
        """Forget drained keys once there are many (a spray over random emails must not grow memory)."""
        if len(self._levels) < 10_000:
            return
        rate = min(limits.values())
        for key in [k for k, (level, at) in self._levels.items()
                    if level - (now - at) * rate / self.window_s <= 0 and k not in self._pending]:
            del self._levels[key]

    def acquire(self, limits: Mapping[str, int]) -> float:
        """Reserve one try under every key (``{key: its limit}``): 0.0 when granted, else the seconds to
        wait, with nothing reserved."""
        with self._lock:
            now = self.clock()
            self._prune(now, limits)
            wait = 0.0
            for key, limit in limits.items():
                over = self._level(key, limit, now) + self._pending.get(key, 0) + 1 - limit
                if over > 0:
                    wait = max(wait, over * self.window_s / limit)
            if wait > 0:
                return wait
            for key in limits:
                self._pending[key] = self._pending.get(key, 0) + 1
            return 0.0

    def release(self, limits: Mapping[str, int], *, failed: bool, clear: Iterable[str] = ()) -> None:
        """Give back the slots of :meth:`acquire`; a failure adds one under every key; ``clear`` forgets
        keys entirely (a correct password clears its email's count)."""
        with self._lock:
            now = self.clock()
            for key, limit in limits.items():
                left = self._pending.get(key, 1) - 1
                if left > 0:
                    self._pending[key] = left
                else:
                    self._pending.pop(key, None)
                if failed:
                    self._levels[key] = (self._level(key, limit, now) + 1, now)
            for key in clear:
                self._levels.pop(key, None)
