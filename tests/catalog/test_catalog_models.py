"""Property tests of the catalog models and the duration arithmetic the player relies on."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from facefit.catalog.durations import plan_exercise
from facefit.catalog.models import Exercise, Programme
from facefit.routine.blocks import blocks_for

slugs = st.from_regex(r"[a-z0-9]{1,8}(-[a-z0-9]{1,8}){0,2}", fullmatch=True)
texts = st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=20)
seconds = st.floats(min_value=0, max_value=60, allow_nan=False).map(lambda x: round(x, 2))


@st.composite
def exercises(draw: st.DrawFn) -> dict[str, object]:
    timed = draw(st.booleans())
    raw: dict[str, object] = {
        "id": draw(slugs), "name": draw(texts),
        "goal": draw(st.sampled_from(["tone", "relax", "prep", "recover"])),
        "cue": draw(texts), "instructions": draw(st.lists(texts, min_size=1, max_size=3)),
        "sets": draw(st.integers(1, 5)),
        "movements": draw(st.lists(st.sampled_from(["smile", "jaw-glide", "massage"]), unique=True)),
    }
    if timed:
        raw["duration_s"] = draw(st.floats(min_value=1, max_value=600).map(lambda x: round(x, 1)))
    else:
        raw |= {"reps": draw(st.integers(1, 20)), "hold_s": draw(seconds),
                "tempo": {"up_s": draw(seconds), "down_s": draw(seconds)}}
    return raw


@given(exercises())
@settings(max_examples=150, deadline=None)
def test_exercise_round_trips_and_is_frozen(raw: dict[str, object]) -> None:
    exercise = Exercise.model_validate(raw)
    assert Exercise.model_validate(exercise.model_dump()) == exercise
    assert exercise.jaw_glide == ("jaw-glide" in raw["movements"])  # type: ignore[operator]
    with pytest.raises(ValidationError):
        exercise.sets = 2  # type: ignore[misc]


@given(exercises(), st.integers(max_value=0))
def test_non_positive_reps_or_sets_are_rejected(raw: dict[str, object], bad: int) -> None:
    with pytest.raises(ValidationError):
        Exercise.model_validate(raw | {"sets": bad})
    if "reps" in raw:
        with pytest.raises(ValidationError):
            Exercise.model_validate(raw | {"reps": bad})


@given(exercises(), st.floats(0, 30), st.floats(0, 60))
@settings(max_examples=150, deadline=None)
def test_step_duration_equals_the_sum_of_its_blocks_and_phases(
    raw: dict[str, object], cue_s: float, rest_s: float
) -> None:
    step = plan_exercise(Exercise.model_validate(raw), cue_s=cue_s, rest_between_sets_s=rest_s)
    blocks = blocks_for([step])
    assert len(blocks) == step.sets
    assert sum(b.total_s for b in blocks) == pytest.approx(step.total_s)
    for block in blocks:
        phases = block.phases
        assert sum(p.length_s for p in phases) == pytest.approx(block.total_s)
        assert all(a.end_s == pytest.approx(b.start_s) for a, b in itertools.pairwise(phases))
        if step.reps and step.rep_s > 0:
            assert max(p.rep or 0 for p in phases) == step.reps


@given(st.integers(1, 30), st.data())
def test_programme_phases_must_tile_the_weeks(weeks: int, data: st.DataObject) -> None:
    cuts = sorted(data.draw(st.sets(st.integers(1, weeks - 1), max_size=4))) if weeks > 1 else []
    bounds = [1, *[c + 1 for c in cuts]]
    ends = [*cuts, weeks]
    phases = [{"first_week": a, "last_week": b, "routine": "r", "days_per_week": 5}
              for a, b in zip(bounds, ends, strict=True)]
    base = {"id": "p", "name": "P", "description": "d"}
    Programme.model_validate(base | {"weeks": weeks, "phases": phases})
    with pytest.raises(ValidationError):  # one week too many
        Programme.model_validate(base | {"weeks": weeks + 1, "phases": phases})
    if len(phases) > 1:
        with pytest.raises(ValidationError):  # a gap
            Programme.model_validate(base | {"weeks": weeks, "phases": phases[:1] + phases[2:]})
