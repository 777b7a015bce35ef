"""A clearance filters routines of the real catalog: TMJ replaces or skips jaw glides, saying why."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from facefit.catalog.loader import load_catalog
from facefit.safety.conditions import CONDITION_IDS
from facefit.safety.routine_filter import exclusion_reason, filter_routine
from facefit.safety.screening import evaluate

NO = dict.fromkeys(CONDITION_IDS, False)
CATALOG = load_catalog()


def test_ok_keeps_every_step() -> None:
    routine = CATALOG.routine("daily-10")
    filtered = filter_routine(routine, CATALOG.exercises, evaluate(NO))
    assert filtered.steps == routine.steps and filtered.skipped == ()


def test_tmj_removes_jaw_glide_from_daily_routine_with_reason() -> None:
    routine = CATALOG.routine("daily-10")
    filtered = filter_routine(routine, CATALOG.exercises, evaluate({**NO, "tmj": True}))
    kept = [CATALOG.exercise(step.exercise) for step in filtered.steps]
    assert kept and not any(ex.jaw_glide for ex in kept)
    jaw_steps = [s for s in routine.steps if CATALOG.exercise(s.exercise).jaw_glide]
    assert jaw_steps, "daily-10 is expected to contain a jaw-glide step"
    assert {s.step.exercise for s in filtered.skipped} == {s.exercise for s in jaw_steps}
    for item in filtered.skipped:
        assert "jaw glide" in item.reason and "TMJ" in item.reason
    assert any("jaw glide" in line for line in filtered.messages())


def test_without_replacement_the_step_is_skipped() -> None:
    routine = CATALOG.routine("daily-10")
    filtered = filter_routine(routine, CATALOG.exercises, evaluate({**NO, "tmj": True}), replace=False)
    assert len(filtered.steps) == len(routine.steps) - len(filtered.skipped)
    assert all(item.replacement is None for item in filtered.skipped)


def test_consult_first_needs_acknowledgement_until_cleared() -> None:
    palsy = {**NO, "facial-nerve-disorder": True}
    assert evaluate(palsy).needs_acknowledgement  # start_practice refuses it (tests/practice)
    assert not evaluate(palsy, consult_acknowledged=True).needs_acknowledgement


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(CATALOG.routines)), st.sets(st.sampled_from(CONDITION_IDS)))
def test_no_kept_step_is_ruled_out_and_nothing_is_doubled(routine_id: str, conditions: set[str]) -> None:
    routine = CATALOG.routine(routine_id)
    clearance = evaluate({**NO, **dict.fromkeys(conditions, True)})
    filtered = filter_routine(routine, CATALOG.exercises, clearance)
    for step in filtered.steps:
        assert exclusion_reason(CATALOG.exercise(step.exercise), clearance.conditions) is None
    swapped = [s.replacement.exercise for s in filtered.skipped if s.replacement is not None]
    assert len(swapped) == len(set(swapped))
    assert not set(swapped) & {s.exercise for s in routine.steps}
    dropped = sum(1 for s in filtered.skipped if s.replacement is None)
    assert len(filtered.steps) + dropped == len(routine.steps)
