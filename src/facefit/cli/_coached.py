"""The routine player's seam filled by the camera: each checked set run by the practice set runner.

``facefit routine --coach --camera N`` (or ``--video F``) passes a :class:`CoachedPerformer` as the
player's ``perform``: for an exercise the coach can check, the set is run by
:class:`facefit.practice.sets.SetRunner` on one :class:`facefit.signals.stream.SignalStream` that runs
through the whole routine (target reached, timed step done, time-out, safety stop, or the source ends);
other steps (prep, massage, tapping) run on the clock as before. The rest found in the first checked
set is reused for the next. A pain, twitch or new-asymmetry stop stops the session; fatigue and overwork
end that exercise (the player skips its remaining sets).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from facefit.cli._common import calibration_words
from facefit.coach.events import Event
from facefit.coach.specs import checked_exercises
from facefit.practice.recorder import SessionRecorder
from facefit.practice.sets import Phase, SetEnd, SetPlan, SetRunner
from facefit.routine.blocks import Block
from facefit.routine.player import BlockResult, StepContext, timed_step
from facefit.signals.stream import SignalFrame


class CoachedPerformer:
    """A ``StepPerformer`` that counts checked sets from ``frames`` (see the module docstring)."""

    def __init__(
        self,
        frames: Iterator[SignalFrame],
        *,
        rest: np.ndarray | None = None,
        on_event: Callable[[Event, Block], None] | None = None,
        smoothed: bool = False,
    ) -> None:
        self.frames = frames
        self.rest = rest
        self.smoothed = smoothed  # the frames' landmarks come smoothed over time (coach.engine.Engine)
        self.on_event = on_event
        self.recorder: SessionRecorder | None = None
        self.exhausted = False
        self.runners: list[tuple[Block, SetRunner]] = []
        self._checked = set(checked_exercises())

    def bind(self, recorder: SessionRecorder) -> None:
        """Called by the routine runner once its session exists: engine events go to that session."""
        self.recorder = recorder

    def __call__(self, block: Block, ctx: StepContext) -> BlockResult:
        if block.exercise_id not in self._checked:
            return timed_step(block, ctx)
        if self.exhausted:
            return BlockResult(block, "skipped", 0 if block.step.reps else None, 0.0, 0.0,
                               "skipped: the video ended")
        return self._coach(block)

    def _coach(self, block: Block) -> BlockResult:
        plan = SetPlan.from_step(block.step, lead_s=block.lead_in_s)
        runner = SetRunner(plan, rest=self.rest, recorder=self.recorder, first_set=block.set_index,
                           record_sets=False, owns_session=False,  # the player records the block
                           smoothed=self.smoothed)
        self.runners.append((block, runner))
        result = None
        for frame in self.frames:
            step = runner.frame(frame.values, frame.t_ms)
            self._say(step.events, block)
            if step.finished is not None:
                result = step.finished
                break
        else:
            self.exhausted = True
            step = runner.source_ended()
            self._say(step.events, block)
            result = step.finished
        if runner.rest is not None:
            self.rest = runner.rest
        reps = None if block.step.reps is None else (0 if result is None else result.reps)
        if result is None:  # the source ended before this set saw a frame
            return BlockResult(block, "skipped", reps, 0.0, 0.0, "skipped: the video ended")
        if result.stop is not None:
            status = "stopped" if runner.phase is Phase.STOPPED else "skipped"
            return BlockResult(block, status, reps, result.duration_s, result.duration_s,
                               f"safety stop ({result.stop.safety}): {result.stop.message}",
                               safety=result.stop.safety)
        note = (f"coached: {result.reps} reps counted, {result.hold_s:.1f} s held, "
                f"{calibration_words(result.calibration)}")
        if result.end is SetEnd.SOURCE:
            note += " (the video ended)"
        elif result.end is SetEnd.TIME_OUT:
            note += " (time-out)"
        return BlockResult(block, "done", reps, result.duration_s, result.duration_s, note)

    def _say(self, events: list[Event], block: Block) -> None:
        if self.on_event is not None:
            for event in events:
                self.on_event(event, block)
