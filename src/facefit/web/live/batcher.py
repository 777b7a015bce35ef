"""Frames of every live connection, turned into signals in one vectorised call and stepped in order.

A connection checks a frame's header and hands it over (:meth:`SignalBatcher.put`, no waiting). The
batcher waits until ``FULL_BATCH`` frames are there or ``WINDOW_S`` has passed since the first, then for
the whole batch: copies the landmark numbers out of the messages in one go, checks them in one pass,
computes every row's signals in one ``signals_batch`` call (a few microseconds a row in a batch of
dozens, ~100 us for a batch of one: numpy's per-call overhead), and calls each connection's
:meth:`FrameClient.step` with its row, in arrival order (a connection's frames stay in order). Replies
are the connection's business (it queues them for its own sender), so a slow client never holds the
batch. Runs on the event loop: no threads, no locks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Protocol

import numpy as np

from facefit.vision.observation import N_BLENDSHAPES, N_LANDMARKS
from facefit.web.live.protocol import (
    FULL,
    HEADER,
    MAX_COORD,
    FrameError,
    Header,
    frame_of,
    landmark_problem,
)

log = logging.getLogger(__name__)

MAX_BATCH = 256
STEP_CHUNK = 64
FULL_BATCH = 64
"""A batch this big goes at once. A signals call costs ~150 us of numpy call overhead plus ~3 us a row,
so 64 rows bring the overhead to ~2 us a frame: about the cost of the row itself."""
WINDOW_S = 0.010
"""... else the first frame of a batch waits this long for others: 500 streams at 15 fps fill a batch in
~9 ms, 100 streams send ~15 frames meanwhile. The wait is a fifth of a 50 ms latency budget."""


class FrameClient(Protocol):
    """A connection, as the batcher sees it."""

    def step(self, header: Header, values: np.ndarray) -> None:
        """The frame's signals are ready: run the engine and queue the reply (must not raise)."""

    def failed(self, header: Header, error: Exception) -> None:
        """The frame could not be used (bad numbers, or the signals call failed)."""


class SignalBatcher:
    """One per event loop; see the module docstring."""

    def __init__(self, indices: list[int], max_batch: int = MAX_BATCH, window_s: float = WINDOW_S,
                 full_batch: int = FULL_BATCH) -> None:
        from facefit.signals.compute import signals_batch

        self._signals_batch = signals_batch
        self._indices = np.asarray(indices, dtype=np.intp)
        self._n = len(indices)
        self._max = max_batch
        self.window_s = window_s
        self._landmarks = np.full((max_batch, N_LANDMARKS, 3), np.nan)  # unused columns stay NaN
        self._blendshapes = np.full((max_batch, N_BLENDSHAPES), np.nan)
        self._transforms = np.full((max_batch, 4, 4), np.nan)
        self._sizes = np.ones((max_batch, 2))
        self.full_batch = full_batch
        self._pending: list[tuple[FrameClient, Header]] = []
        self._first_t = 0.0  # monotonic time the oldest waiting frame came
        self._wake: asyncio.Event | None = None  # set by the first frame of a batch
        self._full: asyncio.Event | None = None  # set by the frame that fills it, or by the window's timer
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.frames = 0

    def put(self, client: FrameClient, header: Header) -> None:
        """Queue a frame whose header the connection checked; ``client.step`` is called when it is done."""
        if self._task is None or self._task.done():
            self._wake, self._full = asyncio.Event(), asyncio.Event()
            self._task = asyncio.get_running_loop().create_task(self._run())
        pending = self._pending
        pending.append((client, header))
        waiting = len(pending)
        if waiting == 1:
            assert self._wake is not None
            self._first_t = time.monotonic()
            self._wake.set()
        elif waiting == self.full_batch:
            assert self._full is not None
            self._full.set()

    async def _run(self) -> None:
        assert self._wake is not None and self._full is not None
        loop = asyncio.get_running_loop()
        while True:
            while not self._pending:
                await self._wake.wait()
                self._wake.clear()
            # Every batch, not only the first after a quiet spell, waits for its window: frames that
            # came in while the last batch was stepped would otherwise go as a small batch of their own,
            # and a busy server would pay the signals call's fixed cost for every few frames.
            delay = self._first_t + self.window_s - time.monotonic()
            if len(self._pending) < self.full_batch and delay > 0:
                self._full.clear()
                timer = loop.call_later(delay, self._full.set)
                await self._full.wait()
                timer.cancel()
            items = self._pending[: self._max]
            del self._pending[: self._max]
            if self._pending:
                self._first_t = time.monotonic()  # the rest came while this batch was gathered
            ok = self._fill(items)
            values = self._signals(items)
            if values is None:
                continue
            # Engines step in chunks with a yield between: a rep's end costs ~1 ms of statistics,
            # and the replies of finished chunks should not wait for the whole batch.
            for start in range(0, len(items), STEP_CHUNK):
                for i in range(start, min(start + STEP_CHUNK, len(items))):
                    if ok[i]:
                        client, header = items[i]
                        try:
                            client.step(header, values[i])
                        except Exception as error:  # one stream's failure must not stop the others
                            client.failed(header, error)
                await asyncio.sleep(0)

    def _fill(self, items: list[tuple[FrameClient, Header]]) -> np.ndarray:
        """Copy the batch's numbers into the signal inputs; rows whose numbers are bad are failed and
        marked False in the returned mask."""
        n = len(items)
        idx = self._indices
        ok = np.ones(n, dtype=bool)
        full = [i for i, (_c, h) in enumerate(items) if h.flags == FULL]
        if full:
            # Every complete frame has the same layout: one buffer, one reshape, one check for all.
            width = 3 * self._n + N_BLENDSHAPES + 16
            block = np.frombuffer(b"".join([items[i][1].data for i in full]), "<f4").reshape(
                len(full), HEADER.size // 4 + width)[:, HEADER.size // 4:]
            landmarks = block[:, : 3 * self._n].reshape(len(full), self._n, 3)
            if np.abs(block[:, : 3 * self._n]).max() <= MAX_COORD:  # NaN fails the comparison too
                good = np.ones(len(full), dtype=bool)  # the usual case: one reduction for the batch
            else:
                good = np.abs(landmarks).max(axis=(1, 2)) <= MAX_COORD
            rows = np.asarray(full, dtype=np.intp) if len(full) < n else slice(0, n)
            if len(full) == n:
                self._landmarks[:n, idx] = landmarks
            else:
                self._landmarks[np.ix_(rows, idx)] = landmarks  # type: ignore[arg-type]
            self._blendshapes[rows] = block[:, 3 * self._n: 3 * self._n + N_BLENDSHAPES]
            self._transforms[rows] = block[:, 3 * self._n + N_BLENDSHAPES:].reshape(len(full), 4, 4)
            if not good.all():
                for j in np.flatnonzero(~good):
                    i = full[j]
                    ok[i] = False
                    client, header = items[i]
                    client.failed(header, FrameError(landmark_problem(landmarks[j])))
        if len(full) < n:
            done = set(full)
            for i, (client, header) in enumerate(items):
                if i in done:
                    continue
                try:
                    frame = frame_of(header)
                except FrameError as error:
                    ok[i] = False
                    client.failed(header, error)
                    continue
                self._landmarks[i, idx] = np.nan if frame.landmarks is None else frame.landmarks
                self._blendshapes[i] = np.nan if frame.blendshapes is None else frame.blendshapes
                self._transforms[i] = np.nan if frame.transform is None else frame.transform
        self._sizes[:n] = [h.image_size for _c, h in items]
        return ok

    def _signals(self, items: list[tuple[FrameClient, Header]]) -> np.ndarray | None:
        """Signals of every frame in ``items`` in one vectorised call (None if that call failed)."""
        n = len(items)
        try:
            values = self._signals_batch(self._landmarks[:n], self._sizes[:n], self._blendshapes[:n],
                                         self._transforms[:n])
        except Exception as error:  # tell every waiting connection; the batcher goes on
            log.exception("signals of a batch of %d frames failed", n)
            for client, header in items:
                client.failed(header, error)
            return None
        self.batches += 1
        self.frames += n
        return values
