"""Compute the signals of frames from many connections in one vectorised call.

``signals_batch`` costs a few microseconds per row in a batch but tens of microseconds for a batch of
one (numpy call overhead). With hundreds of live streams, frames that arrive while the previous batch is
being processed are gathered and converted together; then each connection's engine steps on its own row.
The first frame of a batch waits ``WINDOW_S`` (2 ms) for the others; under heavy load the batch grows
and the cost per frame falls. Runs on the event loop: no threads, no locks.
"""

from __future__ import annotations

import asyncio
from typing import Any, Protocol

import numpy as np

from facefit.vision.observation import N_BLENDSHAPES, N_LANDMARKS
from facefit.web.live.protocol import Frame

MAX_BATCH = 256
STEP_CHUNK = 32
WINDOW_S = 0.002
"""How long the first frame of a batch waits for others: a signals call costs ~60 us for one row and
~3 us per row in a batch of hundreds, so 2 ms of waiting buys most of the saving at 200 streams."""


class FrameWorker(Protocol):
    def frame(self, frame: Frame, values: np.ndarray | None = None) -> dict[str, Any] | None: ...


class SignalBatcher:
    """One per app; connections ``await submit(worker, frame)`` and get the worker's reply."""

    def __init__(self, indices: list[int], max_batch: int = MAX_BATCH, window_s: float = WINDOW_S) -> None:
        from facefit.signals.compute import signals_batch

        self._signals_batch = signals_batch
        self._indices = np.asarray(indices, dtype=np.intp)
        self._max = max_batch
        self.window_s = window_s
        self._landmarks = np.full((max_batch, N_LANDMARKS, 3), np.nan)  # unused columns stay NaN
        self._blendshapes = np.full((max_batch, N_BLENDSHAPES), np.nan)
        self._transforms = np.full((max_batch, 4, 4), np.nan)
        self._sizes = np.ones((max_batch, 2))
        self._pending: list[tuple[FrameWorker, Frame, asyncio.Future[Any]]] = []
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.frames = 0

    async def submit(self, worker: FrameWorker, frame: Frame) -> dict[str, Any] | None:
        loop = asyncio.get_running_loop()
        if self._task is None or self._task.done():
            self._wake = asyncio.Event()
            self._task = loop.create_task(self._run())
        future: asyncio.Future[Any] = loop.create_future()
        self._pending.append((worker, frame, future))
        assert self._wake is not None
        self._wake.set()
        return await future

    async def _run(self) -> None:
        assert self._wake is not None
        while True:
            await self._wake.wait()
            self._wake.clear()
            await asyncio.sleep(self.window_s)  # gather the frames of other streams arriving meanwhile
            while self._pending:
                items = self._pending[: self._max]
                del self._pending[: self._max]
                values = self._signals(items)
                # Engines step in small chunks with a yield between: a rep's end costs ~1 ms of
                # statistics, and replies of finished chunks should not wait for the whole batch.
                for start in range(0, len(items), STEP_CHUNK):
                    self._step(items[start : start + STEP_CHUNK], values, start)
                    await asyncio.sleep(0)

    def _signals(self, items: list[tuple[FrameWorker, Frame, asyncio.Future[Any]]]) -> np.ndarray | None:
        """Signals of every frame in ``items`` in one vectorised call (None if that call failed)."""
        n = len(items)
        idx = self._indices
        for i, (_worker, frame, _future) in enumerate(items):
            if frame.landmarks is None:
                self._landmarks[i, idx] = np.nan
            else:
                self._landmarks[i, idx] = frame.landmarks
            self._blendshapes[i] = np.nan if frame.blendshapes is None else frame.blendshapes
            self._transforms[i] = np.nan if frame.transform is None else frame.transform
            self._sizes[i] = frame.image_size
        try:
            values = self._signals_batch(self._landmarks[:n], self._sizes[:n], self._blendshapes[:n],
                                         self._transforms[:n])
        except Exception as error:  # hand the failure to every waiting connection
            for _worker, _frame, future in items:
                if not future.done():
                    future.set_exception(error)
            return None
        self.batches += 1
        self.frames += n
        return values

    @staticmethod
    def _step(items: list[tuple[FrameWorker, Frame, asyncio.Future[Any]]], values: np.ndarray | None,
              offset: int) -> None:
        if values is None:
            return
        for i, (worker, frame, future) in enumerate(items):
            if future.done():  # the connection went away
                continue
            try:
                future.set_result(worker.frame(frame, values[offset + i]))
            except Exception as error:  # one stream's bad frame must not touch the others
                future.set_exception(error)
