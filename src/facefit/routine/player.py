"""The routine player: runs blocks one after another, reacts to keys, and reports each finished set.

Everything the outside world provides is injected: the clock and sleep (so tests use a fake clock and
``--speed`` scales time), the key reader (keyboard, or nothing with ``--no-input``), the display
callback, and the recorder (the store). The per-block function is a seam: :func:`timed_step` counts
time; the coaching stage can pass its own ``perform`` that watches the camera and counts real reps.

Keys: ``p`` pause/resume, ``s`` skip the rest of this exercise, ``x`` stop because of pain.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from facefit.routine.blocks import Block
from facefit.routine.timer import EndKind, StepTimer, TimerState

KEY_PAUSE = "p"
KEY_SKIP = "s"
KEY_PAIN = "x"

RoutineStatus = Literal["completed", "stopped"]


def _no_key() -> str | None:
    return None


def _no_update(_block: Block, _state: TimerState) -> None:
    return None


@dataclass
class StepContext:
    """What a step needs from the outside: time, keys, a display hook, and the speed factor."""

    clock: Callable[[], float]
    sleep: Callable[[float], None]
    read_key: Callable[[], str | None] = _no_key
    on_update: Callable[[Block, TimerState], None] = _no_update
    speed: float = 1.0
    tick_s: float = 0.1

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"speed must be > 0, got {self.speed}")
        if not self.tick_s > 0:
            raise ValueError(f"tick_s must be > 0, got {self.tick_s}")


@dataclass(frozen=True)
class BlockResult:
    """How a block ended, with the reps and routine seconds actually spent in it."""

    block: Block
    status: EndKind
    reps_done: int | None
    elapsed_s: float
    work_s: float
    note: str | None = None
    safety: str | None = None
    """The safety kind when the coach's engine ended the set (its event is already recorded)."""

    @property
    def skipped(self) -> bool:
        return self.status != "done"


StepPerformer = Callable[[Block, StepContext], BlockResult]


class Recorder(Protocol):
    """Where the player reports: each finished block at once, safety events, and the end."""

    def block_done(self, result: BlockResult, t_s: float) -> None: ...

    def pain(self, block: Block, reps_done: int | None, reason: str, t_s: float) -> None:
        """The person stopped ``block`` for pain: record the one pain safety event."""

    def finish(self, status: RoutineStatus, reason: str | None, summary: dict[str, Any]) -> None: ...


def timed_step(block: Block, ctx: StepContext) -> BlockResult:
    """Run one block on the clock: advance a :class:`StepTimer` by real time x speed until it ends."""
    timer = StepTimer(block)
    last = ctx.clock()
    ctx.on_update(block, timer.state())
    while timer.ended is None:
        key = ctx.read_key()
        if key == KEY_PAUSE:
            timer.toggle_pause()
        elif key == KEY_SKIP:
            timer.skip()
        elif key == KEY_PAIN:
            timer.stop()
        now = ctx.clock()
        timer.advance(max(now - last, 0.0) * ctx.speed)
        last = now
        ctx.on_update(block, timer.state())
        if timer.ended is None:
            wait = ctx.tick_s if timer.paused else min(ctx.tick_s, timer.seconds_to_next_phase() / ctx.speed)
            ctx.sleep(max(wait, 1e-4))
    note = "stopped: pain" if timer.ended == "stopped" else None
    return BlockResult(block, timer.ended, timer.reps_done(), timer.elapsed_s, timer.work_s(), note)


@dataclass
class RoutineResult:
    """The whole session: status, the reason when stopped, and every block's result."""

    status: RoutineStatus
    stop_reason: str | None
    results: list[BlockResult] = field(default_factory=list)

    @property
    def elapsed_s(self) -> float:
        return sum(r.elapsed_s for r in self.results)

    def summary(self, planned_s: float) -> dict[str, Any]:
        done = [r for r in self.results if not r.skipped]
        return {
            "blocks": len(self.results),
            "done": len(done),
            "skipped": len(self.results) - len(done),
            "practice_s": round(sum(r.work_s for r in done), 2),
            "elapsed_s": round(self.elapsed_s, 2),
            "planned_s": round(planned_s, 2),
        }


def run_routine(
    blocks: Sequence[Block],
    ctx: StepContext,
    recorder: Recorder,
    *,
    perform: StepPerformer = timed_step,
) -> RoutineResult:
    """Run ``blocks`` in order, reporting each to ``recorder`` the moment it ends.

    Skipping ends the current set and records the step's remaining sets as skipped. A pain stop
    has the recorder record the pain safety event, ends the session as ``stopped`` and returns; the
    caller shows the advice for pain (``facefit.safety.stops.WHAT_TO_DO``). Exceptions (Ctrl-C)
    propagate after the finished blocks were recorded; the caller decides how to close the session.
    """
    result = RoutineResult(status="completed", stop_reason=None)
    planned_s = sum(b.total_s for b in blocks)
    t_s = 0.0
    skip_step: int | None = None
    for block in blocks:
        if skip_step == block.step.position:
            outcome = BlockResult(block, "skipped", 0 if block.step.reps else None, 0.0, 0.0, "skipped")
        else:
            outcome = perform(block, ctx)
        t_s += outcome.elapsed_s
        result.results.append(outcome)
        if outcome.status == "stopped":
            recorder.block_done(outcome, t_s)
            if outcome.safety is None:  # the person pressed the pain key
                reason = (f"pain: stopped by the user during {block.step.exercise.name}, "
                          f"set {block.set_index} of {block.step.sets}")
                recorder.pain(block, outcome.reps_done, reason, t_s)
            else:  # the coach stopped it (twitch, new asymmetry): its event is recorded already
                reason = outcome.note or outcome.safety
            result.status, result.stop_reason = "stopped", reason
            recorder.finish("stopped", reason, result.summary(planned_s))
            return result
        if outcome.status == "skipped":
            skip_step = block.step.position
        recorder.block_done(outcome, t_s)
    recorder.finish("completed", None, result.summary(planned_s))
    return result
