"""How many live connections an account holds, counted in the database so the limit holds across every
server process and host on it (``store.live.LiveConnection``).

A connection claims a place when it starts and gives it back when it ends. Each process renews all of
its claims with one UPDATE every ``RENEW_EVERY_S``; a process that dies stops renewing, and its claims
lapse after ``TTL_S`` (the next claim of that account removes them). Within one process the count is
also kept in memory, so two tabs starting in the same instant cannot both slip under the limit.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from typing import Any

from facefit.store import live
from facefit.store.base import utcnow
from facefit.store.db import Store
from facefit.web.live.per_loop import for_this_loop

log = logging.getLogger(__name__)

TTL_S = 60.0
"""A claim not renewed for this long (its server died) no longer counts."""
RENEW_EVERY_S = 20.0


def server_name() -> str:
    """This process, as its claims name it: host, pid and a random part (pids are reused)."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


class LiveClaims:
    """One per event loop (see the module docstring)."""

    def __init__(self, store: Store, limit: int) -> None:
        self.store = store
        self.limit = limit
        self.server = server_name()
        self.here: dict[int, int] = {}  # profile id -> connections held in this process
        self._renewer: asyncio.Task[None] | None = None

    async def claim(self, profile_id: int) -> int | None:
        """A claim id, or None when the account already holds ``limit`` live connections anywhere."""
        if self.here.get(profile_id, 0) >= self.limit:
            return None
        self.here[profile_id] = self.here.get(profile_id, 0) + 1
        try:
            claim = await asyncio.to_thread(self._claim, profile_id)
        except BaseException:
            self._forget(profile_id)
            raise
        if claim is None:
            self._forget(profile_id)
            return None
        if self._renewer is None or self._renewer.done():
            self._renewer = asyncio.get_running_loop().create_task(self._renew())
        return claim

    def _claim(self, profile_id: int) -> int | None:
        with self.store.transaction() as db:
            return live.claim_live_connection(session=db, profile_id=profile_id, server=self.server,
                                              limit=self.limit, now=utcnow(), ttl_s=TTL_S)

    async def release(self, profile_id: int, claim: int) -> None:
        self._forget(profile_id)
        try:
            await asyncio.to_thread(self._release, claim)
        except Exception:  # it lapses after TTL_S anyway
            log.warning("could not release live connection claim %s", claim, exc_info=True)

    def _release(self, claim: int) -> None:
        with self.store.transaction() as db:
            live.release_live_connection(session=db, connection_id=claim)

    def _forget(self, profile_id: int) -> None:
        left = self.here.get(profile_id, 0) - 1
        if left > 0:
            self.here[profile_id] = left
        else:
            self.here.pop(profile_id, None)

    async def _renew(self) -> None:
        while self.here:
            await asyncio.sleep(RENEW_EVERY_S)
            with contextlib.suppress(Exception):  # a database hiccup: the next round renews them
                await asyncio.to_thread(self._renew_all)

    def _renew_all(self) -> None:
        with self.store.transaction() as db:
            live.renew_live_connections(session=db, server=self.server, now=utcnow(), ttl_s=TTL_S)


def claims_for(app: Any, limit: int) -> LiveClaims:
    """The app's claims for the running event loop (created on first use)."""
    return for_this_loop(app, "live_claims", lambda: LiveClaims(app.state.store, limit))
