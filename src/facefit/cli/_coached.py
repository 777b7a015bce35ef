"""The routine player's seam filled by the camera (CLI layer: it joins routine, coach and store).

``facefit routine --coach --camera N`` (or ``--video F``) passes a :class:`CoachedPerformer` as the
player's ``perform``: for an exercise the coach can check, the set lasts until the target reps are
counted (or, for a timed step, its duration has passed on the frames' clock), a safety stop, or the
source ends; other steps (prep, massage, tapping) run on the clock as before. One frame stream runs
through the whole routine, and the rest measured in the first checked set is reused for the next.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import numpy as np

from facefit.coach.engine import Engine
from facefit.coach.events import Event
from facefit.coach.specs import checked_exercises
from facefit.practice.recorder import SessionRecorder, block_event_payload
from facefit.routine.blocks import Block
from facefit.routine.player import BlockResult, StepContext, timed_step

SERIOUS = frozenset({"twitch", "new-asymmetry"})
"""Safety stops after which no further checked exercise is offered in this session."""
MAX_SET_FACTOR = 2.0
"""A set that has not reached its target after this many times its planned length is ended."""

Frames = Iterator[tuple[float, np.ndarray]]


class SignalFrames:
    """(t_ms, signal vector) for every frame of a camera or video, one VIDEO landmarker throughout.

    The source and the model are opened here, before the routine starts its session, so a corrupt
    file or a missing camera is one error and no empty "interrupted" session. Iterating continues
    where the previous set stopped; the end of the frames or :meth:`close` releases both.
    """

    def __init__(self, source_spec: str | os.PathLike[str] | int) -> None:
        from facefit.vision.landmarker import Landmarker, RunningMode
        from facefit.vision.sources import open_source

        self._source = open_source(source_spec)
        try:
            self._landmarker = Landmarker(RunningMode.VIDEO)
        except BaseException:
            self._source.close()
            raise
        self._frames = iter(self._source)

    def __iter__(self) -> SignalFrames:
        return self

    def __next__(self) -> tuple[float, np.ndarray]:
        from facefit.signals.compute import signals_from_observation

        try:
            frame = next(self._frames)
        except StopIteration:
            self.close()
            raise
        return float(frame.t_ms), signals_from_observation(self._landmarker.detect(frame.rgb, frame.t_ms))

    def close(self) -> None:
        self._source.close()
        self._landmarker.close()


class CoachedPerformer:
    """A ``StepPerformer`` that counts checked sets from ``frames`` (see the module docstring)."""

    def __init__(
        self,
        frames: Frames,
        *,
        rest: np.ndarray | None = None,
        on_event: Callable[[Event, Block], None] | None = None,
    ) -> None:
        self.frames = frames
        self.rest = rest
        self.on_event = on_event
        self.halted: str | None = None
        self.exhausted = False
        self.engines: list[tuple[Block, Engine]] = []
        self._checked = set(checked_exercises())

    def bind(self, recorder: SessionRecorder) -> None:
        """Called by the routine runner once its session exists: engine events go to that session."""
        previous = self.on_event

        def both(event: Event, block: Block) -> None:
            recorder.event(str(event.kind), event.t_s, block_event_payload(event.to_dict(), block))
            if previous is not None:
                previous(event, block)

        self.on_event = both

    def __call__(self, block: Block, ctx: StepContext) -> BlockResult:
        if block.exercise_id not in self._checked:
            return timed_step(block, ctx)
        if self.halted is not None:
            return BlockResult(block, "skipped", 0 if block.step.reps else None, 0.0, 0.0,
                               f"skipped after a safety stop ({self.halted})")
        if self.exhausted:
            return BlockResult(block, "skipped", 0 if block.step.reps else None, 0.0, 0.0,
                               "skipped: the video ended")
        return self._coach(block)

    def _coach(self, block: Block) -> BlockResult:
        step = block.step
        engine = Engine.for_exercise(block.exercise_id, rest=self.rest, reps_target=step.reps,
                                     hold_target_s=step.hold_s if step.reps else step.duration_s)
        self.engines.append((block, engine))
        limit = MAX_SET_FACTOR * max(block.total_s, 10.0)
        first: float | None = None
        last = 0.0
        for t_ms, values in self.frames:
            first = t_ms if first is None else first
            last = t_ms
            for event in engine.update(values, t_ms):
                if self.on_event is not None:
                    self.on_event(event, block)
            elapsed = (t_ms - first) / 1000.0
            timed_done = step.reps is None and engine.rest is not None and elapsed >= step.set_s
            if engine.stopped is not None or elapsed >= limit or timed_done or \
                    (step.reps is not None and len(engine.reps) >= step.reps):
                break
        else:
            self.exhausted = True
            for event in engine.finish():
                if self.on_event is not None:
                    self.on_event(event, block)
        if engine.rest is not None:
            self.rest = engine.rest
        elapsed = 0.0 if first is None else (last - first) / 1000.0
        held = sum(h.duration_s for h in engine.holds)
        reps = len(engine.reps) if step.reps is not None else None
        if engine.stopped is not None:
            kind = engine.stopped.safety
            if kind in SERIOUS:
                self.halted = kind
            return BlockResult(block, "skipped", reps, elapsed, elapsed,
                               f"safety stop ({kind}): {engine.stopped.message}")
        note = (f"coached: {len(engine.reps)} reps counted, {held:.1f} s held, "
                f"calibration {engine.calibration}")
        if self.exhausted:
            note += " (the video ended)"
        return BlockResult(block, "done", reps, elapsed, elapsed, note)
