"""The player with a fake clock: a whole routine in milliseconds, with pause, skip and a pain stop."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.catalog.loader import load_catalog
from facefit.routine.blocks import Block, SessionPlan, session_plan
from facefit.routine.player import (
    BlockResult,
    RoutineStatus,
    StepContext,
    run_routine,
    timed_step,
)
from facefit.routine.timer import TimerState


class FakeClock:
    """Time that only moves when the player sleeps; keys arrive at given (fake) wall-clock times."""

    def __init__(self, keys: dict[float, str] | list[tuple[float, str]] | None = None) -> None:
        self.now = 0.0
        self.keys = sorted(keys.items() if isinstance(keys, dict) else (keys or []))
        self.sleeps = 0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds > 0
        assert self.now < 100_000, "the player never finished (fake time ran past a day)"
        self.sleeps += 1
        self.now += seconds

    def read_key(self) -> str | None:
        if self.keys and self.now >= self.keys[0][0]:
            return self.keys.pop(0)[1]
        return None


@dataclass
class ListRecorder:
    """Keeps what the player reports, in order (the store recorder is tested in tests/cli)."""

    blocks: list[tuple[BlockResult, float]] = field(default_factory=list)
    safety_events: list[dict[str, Any]] = field(default_factory=list)
    finished: list[tuple[RoutineStatus, str | None, dict[str, Any]]] = field(default_factory=list)

    def block_done(self, result: BlockResult, t_s: float) -> None:
        assert not self.finished
        self.blocks.append((result, t_s))

    def pain(self, block: Block, reps_done: int | None, reason: str, t_s: float) -> None:
        self.safety_events.append({"block": block, "reps_done": reps_done, "reason": reason, "t_s": t_s})

    def finish(self, status: RoutineStatus, reason: str | None, summary: dict[str, Any]) -> None:
        self.finished.append((status, reason, summary))


@pytest.fixture(scope="module")
def daily() -> SessionPlan:
    return session_plan("daily-10", load_catalog())


def context(clock: FakeClock, speed: float = 1.0, updates: list[TimerState] | None = None) -> StepContext:
    def on_update(_block: Block, state: TimerState) -> None:
        if updates is not None:
            updates.append(state)

    return StepContext(clock=clock.clock, sleep=clock.sleep, read_key=clock.read_key, on_update=on_update,
                       speed=speed)


def test_full_routine_completes_and_reports_every_set_in_order(daily: SessionPlan) -> None:
    clock, recorder, updates = FakeClock(), ListRecorder(), []
    result = run_routine(daily.blocks, context(clock, updates=updates), recorder)
    assert result.status == "completed" and result.stop_reason is None
    assert [r.block.index for r, _ in recorder.blocks] == list(range(13))
    assert all(r.status == "done" for r, _ in recorder.blocks)
    assert [r.reps_done for r, _ in recorder.blocks[2:5]] == [10, 10, 10]
    assert clock.now == pytest.approx(daily.total_s, abs=0.5)
    times = [t for _, t in recorder.blocks]
    assert times == sorted(times) and times[-1] == pytest.approx(daily.total_s)
    status, reason, summary = recorder.finished[0]
    assert (status, reason) == ("completed", None)
    assert summary["done"] == 13 and summary["skipped"] == 0
    assert summary["planned_s"] == pytest.approx(daily.total_s)
    assert any(u.phase and u.phase.kind == "hold" for u in updates)


def test_speed_scales_wall_time_not_routine_time(daily: SessionPlan) -> None:
    clock, recorder = FakeClock(), ListRecorder()
    result = run_routine(daily.blocks, context(clock, speed=60), recorder)
    assert clock.now == pytest.approx(daily.total_s / 60, rel=0.02)
    assert result.elapsed_s == pytest.approx(daily.total_s)


def test_pause_adds_wall_time_but_not_exercise_time(daily: SessionPlan) -> None:
    clock, recorder = FakeClock({30.0: "p", 90.0: "p"}), ListRecorder()
    result = run_routine(daily.blocks, context(clock), recorder)
    assert result.status == "completed"
    assert result.elapsed_s == pytest.approx(daily.total_s)
    assert clock.now == pytest.approx(daily.total_s + 60, abs=0.5)


def test_skip_ends_the_exercise_and_records_its_remaining_sets_as_skipped(daily: SessionPlan) -> None:
    cheek_start = sum(b.total_s for b in daily.blocks[:2])
    clock = FakeClock({cheek_start + 5 + 7 * 3 + 0.5: "s"})  # during rep 4 of the first cheek set
    recorder = ListRecorder()
    result = run_routine(daily.blocks, context(clock), recorder)
    assert result.status == "completed"
    statuses = [(r.block.exercise_id, r.block.set_index, r.status) for r, _ in recorder.blocks]
    assert statuses[2:6] == [("cheek-lifter", 1, "skipped"), ("cheek-lifter", 2, "skipped"),
                             ("cheek-lifter", 3, "skipped"), ("jawline-definition", 1, "done")]
    assert recorder.blocks[2][0].reps_done == 3
    assert recorder.finished[0][2]["skipped"] == 3 and recorder.finished[0][2]["done"] == 10


def test_pain_stops_at_once_and_has_the_recorder_record_it(daily: SessionPlan) -> None:
    clock, recorder = FakeClock({200.0: "x"}), ListRecorder()
    result = run_routine(daily.blocks, context(clock), recorder)
    assert result.status == "stopped"
    assert result.stop_reason is not None and result.stop_reason.startswith("pain:")
    assert clock.now == pytest.approx(200.0, abs=0.2)
    last, _ = recorder.blocks[-1]
    assert last.status == "stopped" and last.skipped and last.note == "stopped: pain"
    assert all(r.status == "done" for r, _ in recorder.blocks[:-1])
    assert len(recorder.safety_events) == 1
    event = recorder.safety_events[0]
    assert event["block"] == last.block and event["reason"] == result.stop_reason
    assert recorder.finished[0][0] == "stopped"


def test_a_custom_step_performer_replaces_the_timer(daily: SessionPlan) -> None:
    """The coaching seam: a per-block function decides reps and time (here: half the reps done)."""
    seen: list[int] = []

    def half_reps(block: Block, ctx: StepContext) -> BlockResult:
        seen.append(block.index)
        reps = block.step.reps // 2 if block.step.reps else None
        return BlockResult(block, "done", reps, block.total_s, block.work_s)

    recorder = ListRecorder()
    clock = FakeClock()
    run_routine(daily.blocks, context(clock), recorder, perform=half_reps)
    assert seen == list(range(13)) and clock.now == 0
    assert recorder.blocks[2][0].reps_done == 5


def test_timed_step_alone_and_context_validation(daily: SessionPlan) -> None:
    clock = FakeClock()
    result = timed_step(daily.blocks[0], context(clock, speed=10))
    assert result.status == "done" and result.work_s == pytest.approx(60)
    assert clock.now == pytest.approx(6.5, abs=0.05)
    with pytest.raises(ValueError, match="speed"):
        StepContext(clock=clock.clock, sleep=clock.sleep, speed=0)


@given(
    st.lists(st.tuples(st.floats(0, 1100), st.sampled_from(["s", "x", "q"])), max_size=6),
    st.lists(st.tuples(st.floats(0, 1100), st.floats(0.01, 300)), max_size=3),
    st.sampled_from([1.0, 7.0, 60.0]),
)
@settings(max_examples=60, deadline=None)
def test_any_key_script_keeps_the_record_consistent(
    keys: list[tuple[float, str]], pauses: list[tuple[float, float]], speed: float
) -> None:
    """Whatever is pressed when: sets are reported once, in order, and the session ends exactly once.

    Every pause is resumed (a pause never resumed waits for ever, as it should for a person), and no
    skip falls inside a pause: skipping resumes, so the later "p" would pause the next set for ever.
    """
    blocks = session_plan("daily-10", load_catalog()).blocks
    keys = [(t, k) for t, k in keys if k != "s" or not any(p <= t <= p + d for p, d in pauses)]
    script = keys + [(t, "p") for t, _ in pauses] + [(t + d, "p") for t, d in pauses]
    clock, recorder = FakeClock(script), ListRecorder()
    result = run_routine(blocks, context(clock, speed=speed), recorder)
    reported = [r for r, _ in recorder.blocks]
    assert [r.block.index for r in reported] == list(range(len(reported)))
    assert len(recorder.finished) == 1 and recorder.finished[0][0] == result.status
    if result.status == "completed":
        assert len(reported) == len(blocks) and not recorder.safety_events
    else:
        assert reported[-1].status == "stopped" and len(recorder.safety_events) == 1
        assert all(r.status != "stopped" for r in reported[:-1])
    for r in reported:
        assert 0 <= r.work_s <= r.block.work_s + 1e-9 and r.elapsed_s <= r.block.total_s + 1e-9
        if r.status == "done":
            assert r.elapsed_s == pytest.approx(r.block.total_s) and r.reps_done == r.block.step.reps
    summary = recorder.finished[0][2]
    assert summary["done"] + summary["skipped"] == len(reported)
