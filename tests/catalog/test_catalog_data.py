"""The shipped catalog loads and holds what the issue specifies, with honest computed durations."""

from __future__ import annotations

import pytest

from facefit.catalog.durations import duration_note, resolve_routine, routine_seconds
from facefit.catalog.loader import Catalog, builtin_paths, load_catalog
from facefit.catalog.models import CONDITION_IDS
from facefit.errors import CatalogError

ISSUE_EXERCISES = {
    "cheek-lifter", "jawline-toner", "brow-smoothener", "jawline-definition", "neck-tightener",
    "forehead-relaxer", "skin-prep", "warm-up-massage", "cool-down-tapping",
}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


def test_every_builtin_file_loads_and_every_issue_exercise_is_there(catalog: Catalog) -> None:
    assert len(builtin_paths()) >= 4
    assert set(catalog.exercises) == ISSUE_EXERCISES
    assert {"daily-10", "starter", "study-30"} <= set(catalog.routines)
    assert {"eight-week", "twelve-week", "study-20-week"} <= set(catalog.programmes)
    assert set(catalog.conditions) == set(CONDITION_IDS)


@pytest.mark.parametrize(
    ("exercise_id", "sets", "reps", "hold_s", "duration_s"),
    [
        ("cheek-lifter", 3, 10, 5, None),
        ("jawline-toner", None, None, 10, None),
        ("jawline-definition", 3, 8, 8, None),
        ("neck-tightener", 3, 10, None, None),
        ("forehead-relaxer", None, None, None, 120),
        ("skin-prep", None, None, None, 60),
        ("warm-up-massage", None, None, None, 120),
        ("cool-down-tapping", None, None, None, 60),
    ],
)
def test_exercise_doses_match_the_issue(
    catalog: Catalog, exercise_id: str, sets: int | None, reps: int | None, hold_s: float | None,
    duration_s: float | None,
) -> None:
    exercise = catalog.exercise(exercise_id)
    if sets is not None:
        assert exercise.sets == sets
    if reps is not None:
        assert exercise.reps == reps
    if hold_s is not None:
        assert exercise.hold_s == hold_s
    assert exercise.duration_s == duration_s
    assert exercise.instructions and exercise.cue


def test_goals_and_relax_not_train(catalog: Catalog) -> None:
    assert catalog.exercise("brow-smoothener").goal == "relax"
    assert catalog.exercise("forehead-relaxer").goal == "relax"
    assert catalog.exercise("cheek-lifter").goal == "tone"
    guidance = catalog.guidance
    assert guidance is not None
    assert {"frontalis", "corrugator supercilii"} <= set(guidance.relax_not_train.muscles)
    assert "relaxed, not trained" in guidance.relax_not_train.statement
    # nothing trains the frontalis: every exercise that targets it is a "relax" exercise
    for exercise in catalog.exercises.values():
        if "frontalis" in exercise.target_muscles:
            assert exercise.goal == "relax", exercise.id


def test_discouraged_moves_dos_donts_and_risks(catalog: Catalog) -> None:
    assert set(catalog.discouraged) == {"cheek-puff", "lip-flap", "forceful-jerky", "aggressive-pulling"}
    assert all(len(move.reason) > 30 for move in catalog.discouraged.values())
    assert "biomechanical" in catalog.discouraged["cheek-puff"].reason
    guidance = catalog.guidance
    assert guidance is not None and len(guidance.do_dont) >= 5
    assert {"fatigue", "deeper-lines", "asymmetry"} <= {risk.id for risk in guidance.risk}


def test_screening_hooks_jaw_glide_and_contraindications(catalog: Catalog) -> None:
    glides = {e.id for e in catalog.exercises.values() if e.jaw_glide}
    assert glides == {"neck-tightener"}
    assert "tmj" in catalog.exercise("neck-tightener").contraindications
    for exercise in catalog.exercises.values():
        assert set(exercise.contraindications) <= set(CONDITION_IDS)
    hands_on = {e.id for e in catalog.exercises.values() if {"massage", "tapping"} & set(e.movements)}
    for exercise_id in hands_on:
        assert "rosacea-sensitive-skin" in catalog.exercise(exercise_id).contraindications


def test_daily_routine_order_and_honest_duration(catalog: Catalog) -> None:
    daily = catalog.routine("daily-10")
    steps = resolve_routine(daily, catalog)
    assert [(s.exercise.id, s.sets, s.reps) for s in steps] == [
        ("skin-prep", 1, None), ("warm-up-massage", 1, None), ("cheek-lifter", 3, 10),
        ("jawline-definition", 3, 8), ("neck-tightener", 3, 10), ("forehead-relaxer", 1, None),
        ("cool-down-tapping", 1, None),
    ]
    # computed from the cards: 5 s cues, 10 s rests, tempo 1 s in + hold + 1 s out per rep
    expected = (5 + 60) + (5 + 120) + (5 + 3 * 10 * 7 + 2 * 10) + (5 + 3 * 8 * 10 + 2 * 10) \
        + (5 + 3 * 10 * 4 + 2 * 10) + (5 + 120) + (5 + 60)
    assert routine_seconds(daily, catalog) == pytest.approx(expected)
    assert daily.nominal_minutes == 10
    assert duration_note(daily, catalog) == f"called 10 min, takes {expected / 60:.1f} min as specified"


def test_programme_routines_fit_their_descriptions(catalog: Catalog) -> None:
    starter = routine_seconds(catalog.routine("starter"), catalog) / 60
    assert 5 <= starter <= 10  # the 12-week programme starts at 5-10 minutes a day
    study = routine_seconds(catalog.routine("study-30"), catalog) / 60
    assert 27 <= study <= 33  # "about 30 minutes"
    twelve = catalog.programme("twelve-week")
    assert twelve.weeks == 12 and twelve.phases[0].routine == "starter"
    assert all(5 <= (p.days_per_week or 0) <= 7 for p in twelve.phases)
    lengths = [routine_seconds(catalog.routine(p.routine), catalog) for p in twelve.phases]
    assert lengths == sorted(lengths)  # builds up, never down


def test_unknown_ids_name_the_known_ones(catalog: Catalog) -> None:
    with pytest.raises(CatalogError, match=r"Unknown exercise 'nope'.*cheek-lifter"):
        catalog.exercise("nope")
    with pytest.raises(CatalogError, match="Unknown routine"):
        catalog.routine("nope")
