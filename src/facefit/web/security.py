"""Password hashing (argon2), random tokens, their digests, and the sign-in rate limiter.

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
from collections import deque

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


class RateLimiter:
    """Sliding-window failure counter per key (email, client address); thread-safe, in memory.

    One server process holds the counts; a restart forgets them, which only makes the limit lenient
    for one window.
    """

    def __init__(self, limit: int, window_s: float) -> None:
        if limit < 1 or window_s <= 0:
            raise ValueError("limit must be >= 1 and window_s > 0")
        self.limit = limit
        self.window_s = window_s
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        failures = self._failures.setdefault(key, deque())
        while failures and now - failures[0] > self.window_s:
            failures.popleft()
        return failures

    def retry_after(self, key: str, limit: int | None = None) -> float:
        """Seconds until ``key`` may try again (0 when it may try now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) < (limit or self.limit):
                return 0.0
            return max(0.0, self.window_s - (now - failures[0]))

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())

    def reset(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
