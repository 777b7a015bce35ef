"""The timing of one block as a pure state machine: advance by routine seconds, pause, skip, stop.

No clock and no I/O: the caller says how much routine time passed (real time x speed), so tests run a
whole routine in microseconds with a fake clock and the terminal, a camera coach or the web app can
all drive the same logic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from facefit.routine.blocks import Block, Phase

EndKind = Literal["done", "skipped", "stopped"]


@dataclass(frozen=True)
class TimerState:
    """What to show now: current phase, seconds left in it, rep counter, progress through the block."""

    phase: Phase | None
    phase_left_s: float
    rep: int | None
    reps_done: int | None
    elapsed_s: float
    work_s: float
    paused: bool
    ended: EndKind | None


class StepTimer:
    """Tracks routine time spent in one block; ``elapsed_s`` never passes the block's length."""

    def __init__(self, block: Block) -> None:
        self.block = block
        self.elapsed_s = 0.0
        self.paused = False
        self.ended: EndKind | None = None
        if block.total_s <= 0:
            self.ended = "done"

    def advance(self, dt_s: float) -> None:
        """Let ``dt_s`` routine seconds pass (ignored while paused or after the end)."""
        if dt_s < 0:
            raise ValueError(f"time cannot run backwards (dt_s={dt_s})")
        if self.paused or self.ended is not None:
            return
        self.elapsed_s = min(self.elapsed_s + dt_s, self.block.total_s)
        if self.elapsed_s >= self.block.total_s:
            self.ended = "done"

    def toggle_pause(self) -> bool:
        """Pause or resume; returns True when now paused."""
        if self.ended is None:
            self.paused = not self.paused
        return self.paused

    def skip(self) -> None:
        if self.ended is None:
            self.ended = "skipped"
            self.paused = False

    def stop(self) -> None:
        if self.ended is None:
            self.ended = "stopped"
            self.paused = False

    def seconds_to_next_phase(self) -> float:
        """Routine seconds until the current phase ends (0 when the block is over)."""
        phase = self._phase()
        return 0.0 if phase is None or self.ended else max(phase.end_s - self.elapsed_s, 0.0)

    def _phase(self) -> Phase | None:
        for phase in self.block.phases:
            if self.elapsed_s < phase.end_s:
                return phase
        return None

    def reps_done(self) -> int | None:
        """Reps whose down phase has finished (None for timed blocks)."""
        reps = self.block.step.reps
        if reps is None:
            return None
        if self.elapsed_s >= self.block.total_s:
            return reps
        rep_s = self.block.step.rep_s
        return min(int(self.work_s() / rep_s + 1e-9), reps) if rep_s > 0 else 0

    def work_s(self) -> float:
        """Routine seconds spent in the work part (after the cue or rest)."""
        return max(self.elapsed_s - self.block.lead_in_s, 0.0)

    def state(self) -> TimerState:
        phase = None if self.ended else self._phase()
        return TimerState(
            phase=phase,
            phase_left_s=self.seconds_to_next_phase(),
            rep=phase.rep if phase else None,
            reps_done=self.reps_done(),
            elapsed_s=self.elapsed_s,
            work_s=self.work_s(),
            paused=self.paused,
            ended=self.ended,
        )
