"""One background writer per event loop: live sessions' rows go to the store in batched transactions.

It is the web's side of the practice layer's recorder protocol: a connection's
:class:`facefit.practice.recorder.QueuedRecorder` queues the rows, this writes them.

The frame path never waits for the database. Connections hand their queued rows (events, finished
sets, the session's end) to :meth:`SessionWriter.submit`; the writer commits everything queued since
its last commit in one transaction in a worker thread, so a hundred streams cost one SQLite commit
instead of a hundred. A connection awaits the returned future only when it must confirm a save (a
finished set or the end of the session) - never for ordinary events.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from sqlalchemy import insert

from facefit.practice.recorder import PendingRows, SessionInfo
from facefit.practice.sets import SetPlan
from facefit.store import live
from facefit.store import sessions as practice
from facefit.store.base import utcnow
from facefit.store.db import Store
from facefit.store.models import SessionEvent
from facefit.web.live.per_loop import for_this_loop

log = logging.getLogger(__name__)

COMMIT_GAP_S = 0.25
"""The writer starts a transaction at most this often; what is submitted meanwhile waits and goes in the
next one. Each transaction costs ~0.4 ms of Python (SQLAlchemy's session and commit) in a thread that
holds the GIL the event loop needs: hundreds of streams flushing every few seconds made tens of small
transactions a second. A finished set's "saved" comes at most this much later."""


@dataclass(frozen=True)
class ResumeAt:
    """Where a live session continues if its connection drops: the next set, and the rest the coach
    found in its first still second (signal values, NaN as None; None when not found yet)."""

    next_set: int
    rest: list[float | None] | None


def write_rows(store: Store, batch: list[tuple[int, PendingRows]],
               resume: dict[int, ResumeAt] | None = None) -> None:
    """Write every queued row of every session in one transaction (all or nothing), and where each live
    session would resume (``store.live``; a finished session can no longer be resumed).

    Events go in with one multi-row INSERT (not one ORM flush per row): this runs in a worker thread
    and every millisecond it holds the GIL is a millisecond the event loop cannot answer frames.
    """
    now = utcnow()
    events = [{"session_id": session_id, "kind": kind, "t_s": t_s, "payload": payload, "created_at": now}
              for session_id, unsaved in batch for kind, t_s, payload in unsaved.events]
    ended: set[int] = set()
    with store.transaction() as db:
        if events:  # the table's INSERT, not the ORM's bulk path: the same rows, without its per-row work
            db.execute(insert(SessionEvent.__table__), events)
        for session_id, unsaved in batch:
            for step in unsaved.steps:
                practice.record_step(session=db, session_id=session_id, **asdict(step))
            if unsaved.finish is not None:
                status, reason, summary = unsaved.finish
                practice.finish_session(session=db, session_id=session_id, status=status,
                                        stop_reason=reason, summary=summary)
                live.end_live_session(session=db, session_id=session_id)
                ended.add(session_id)
        live.update_live_sessions(session=db, resume={
            session_id: (at.next_set, at.rest) for session_id, at in (resume or {}).items()
            if session_id not in ended})


def open_sessions(store: Store, requests: list[tuple[SessionInfo, SetPlan, ResumeAt]]) -> list[int]:
    """The session rows and resume state of live sessions whose first frame came, in one transaction
    (all or nothing); their ids in the order asked.

    The rows ``store.sessions.start_session`` and ``store.live.save_live_session`` make (a ``running``
    session with an empty summary; the plan, next set and rest), by two multi-row INSERTs of the tables
    (``store.sessions.start_sessions``, ``store.live.save_live_sessions``: the ids returned in the order
    asked) instead of two ORM flushes a session: this runs in a worker thread, and when hundreds of
    streams start together (the load benchmark's 500 in one second) the ORM's ~0.7-1 ms of Python a
    session held the GIL the event loop needed for ~0.4 s (~0.1 ms a session now). One start time for
    the batch, as the writer's events have one."""
    if not requests:
        return []
    with store.transaction() as db:
        ids = practice.start_sessions(session=db, infos=[asdict(info) for info, _plan, _resume in requests])
        live.save_live_sessions(session=db, states=[
            {"session_id": session_id, "profile_id": info.profile_id, "exercise_id": plan.exercise_id,
             "plan": asdict(plan), "next_set": resume.next_set, "rest": resume.rest}
            for session_id, (info, plan, resume) in zip(ids, requests, strict=True)])
    return ids


class _LoopQueue:
    """A queue drained by one task on the running loop, started on first use (and again if it ended):
    what both batchers below share."""

    def __init__(self) -> None:
        self._queue: list[Any] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None

    def _put(self, item: Any) -> None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run())
        self._queue.append(item)
        assert self._wake is not None
        self._wake.set()

    async def _run(self) -> None:
        raise NotImplementedError


async def _one_by_one(calls: list[tuple[Callable[[], Any], asyncio.Future[Any]]]) -> None:
    """After a batch failed: each item in its own transaction, so one bad item fails only its own future."""
    for call, future in calls:
        try:
            value = await asyncio.to_thread(call)
        except Exception as single:
            if not future.done():
                future.set_exception(single)
        else:
            if not future.done():
                future.set_result(value)


class SessionOpener(_LoopQueue):
    """Makes live sessions' rows in batched transactions: one per loop, used by a connection's first
    frame (``web/api/routes/live.py``, ``Connection.ensure_session``).

    Why. When hundreds of streams start together (a class, or the load benchmark's 500 at once), one
    transaction per session in a worker thread holds the GIL the event loop needs ~1 ms each, while
    every started stream sends 15 frames a second. The requests that come while a transaction runs go
    in the next one (no wait is added: a lone session is made at once)."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.transactions = 0

    def open(self, info: SessionInfo, plan: SetPlan, resume: ResumeAt) -> asyncio.Future[int]:
        """The new session's id, once its row is committed."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._put(((info, plan, resume), future))
        return future

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    ids = await asyncio.to_thread(open_sessions, self.store, [r for r, _f in batch])
                except Exception as error:  # one bad request must not fail the others: each on its own
                    log.warning("batched opening of %d live sessions failed (%s); one by one", len(batch),
                                error)
                    await _one_by_one([(partial(self._open_one, request), future)
                                       for request, future in batch])
                    continue
                self.transactions += 1
                for (_r, future), session_id in zip(batch, ids, strict=True):
                    if not future.done():
                        future.set_result(session_id)

    def _open_one(self, request: tuple[SessionInfo, SetPlan, ResumeAt]) -> int:
        (session_id,) = open_sessions(self.store, [request])
        return session_id


class SessionWriter(_LoopQueue):
    """Batches live-session writes; see the module docstring."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.commits = 0

    def submit(self, session_id: int, unsaved: PendingRows,
               resume: ResumeAt | None = None) -> asyncio.Future[None]:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._put((session_id, unsaved, resume, future))
        return future

    async def _run(self) -> None:
        assert self._wake is not None
        loop = asyncio.get_running_loop()
        last = -COMMIT_GAP_S
        while True:
            await self._wake.wait()
            self._wake.clear()
            while self._queue:
                gap = last + COMMIT_GAP_S - loop.time()
                if gap > 0:  # let more rows come: one transaction for them all
                    await asyncio.sleep(gap)
                last = loop.time()
                batch, self._queue = self._queue, []
                resume = {s: r for s, _u, r, _f in batch if r is not None}  # the newest of each session
                try:
                    rows = [(s, u) for s, u, _r, _f in batch]
                    await asyncio.to_thread(write_rows, self.store, rows, resume)
                except Exception as error:
                    # One bad row must not lose everyone's: retry each session on its own.
                    log.warning("batched live-session write failed (%s); retrying per session", error)
                    await _one_by_one([
                        (partial(write_rows, self.store, [(session_id, unsaved)],
                                 {session_id: at} if at is not None else None), future)
                        for session_id, unsaved, at, future in batch])
                    continue
                self.commits += 1
                for _s, _u, _r, future in batch:
                    if not future.done():
                        future.set_result(None)


def writer_for(app: Any) -> SessionWriter:
    """The app's writer for the running event loop (created on first use)."""
    return for_this_loop(app, "session_writers", lambda: SessionWriter(app.state.store))


def opener_for(app: Any) -> SessionOpener:
    """The app's session opener for the running event loop (created on first use)."""
    return for_this_loop(app, "session_openers", lambda: SessionOpener(app.state.store))
