"""The block timer on its own: phases, rep counting, pause, skip and stop, no clock involved."""

from __future__ import annotations

import pytest

from facefit.catalog.durations import plan_exercise
from facefit.catalog.loader import load_catalog
from facefit.routine.blocks import Block, blocks_for, session_plan
from facefit.routine.timer import StepTimer


def cheek_blocks() -> list[Block]:
    step = plan_exercise(load_catalog().exercise("cheek-lifter"), cue_s=5, rest_between_sets_s=10)
    return blocks_for([step])


def test_phases_follow_cue_then_up_hold_down_per_rep() -> None:
    first, second, _third = cheek_blocks()
    kinds = [p.kind for p in first.phases]
    assert kinds[:4] == ["cue", "up", "hold", "down"] and len(kinds) == 1 + 3 * 10
    assert second.phases[0].kind == "rest" and second.lead_in_s == 10
    assert first.total_s == 5 + 10 * 7


def test_rep_counter_and_countdown() -> None:
    block = cheek_blocks()[0]
    timer = StepTimer(block)
    timer.advance(5 + 1 + 2)  # cue, move in, 2 s into the first hold
    state = timer.state()
    assert state.phase is not None and state.phase.kind == "hold" and state.rep == 1
    assert state.phase_left_s == pytest.approx(3)
    assert state.reps_done == 0
    timer.advance(3 + 1 + 7 * 2)
    assert timer.reps_done() == 3
    timer.advance(1000)
    assert timer.ended == "done" and timer.reps_done() == 10 and timer.elapsed_s == block.total_s


def test_pause_freezes_time_and_skip_stop_end_early() -> None:
    block = cheek_blocks()[0]
    timer = StepTimer(block)
    timer.advance(10)
    assert timer.toggle_pause() is True
    timer.advance(500)
    assert timer.elapsed_s == 10 and timer.state().paused
    assert timer.toggle_pause() is False
    timer.advance(1)
    assert timer.elapsed_s == 11
    timer.skip()
    assert timer.ended == "skipped"
    timer.advance(100)
    assert timer.elapsed_s == 11
    stopped = StepTimer(block)
    stopped.stop()
    assert stopped.ended == "stopped" and stopped.reps_done() == 0
    with pytest.raises(ValueError, match="backwards"):
        StepTimer(block).advance(-1)


def test_session_plan_for_routine_exercise_and_discouraged() -> None:
    catalog = load_catalog()
    daily = session_plan("daily-10", catalog)
    assert daily.routine_id == "daily-10" and len(daily.blocks) == 13
    assert [b.index for b in daily.blocks] == list(range(13))
    single = session_plan("jawline-toner", catalog)
    assert single.exercise_id == "jawline-toner" and single.routine_id is None
    from facefit.errors import CatalogError

    with pytest.raises(CatalogError, match="discouraged"):
        session_plan("cheek-puff", catalog)
    with pytest.raises(CatalogError, match="There is no routine or exercise called 'x'"):
        session_plan("x", catalog)


def test_screening_can_leave_exercises_out() -> None:
    catalog = load_catalog()
    neck = catalog.exercise("neck-tightener")
    assert neck.contraindicated_by(["tmj", "pregnancy"]) == ("tmj",)
    assert catalog.exercise("cheek-lifter").contraindicated_by(["tmj"]) == ()
    plan = session_plan("daily-10", catalog, {"neck-tightener": "TMJ disorder: no jaw glides"})
    assert "neck-tightener" not in {b.exercise_id for b in plan.blocks} and len(plan.blocks) == 10
    assert plan.excluded == (("neck-tightener", "TMJ disorder: no jaw glides"),)
    from facefit.errors import CatalogError

    with pytest.raises(CatalogError, match="excluded today"):
        session_plan("neck-tightener", catalog, {"neck-tightener": "tmj"})
    everything = {e: "test" for e in catalog.exercises}
    with pytest.raises(CatalogError, match="Every step"):
        session_plan("starter", catalog, everything)
