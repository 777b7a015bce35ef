"""Resolve a routine's steps against the exercise cards and compute how long they really take.

Durations are computed, never typed in: a routine called "10 minutes" shows its computed length
beside the name, so if the steps as specified take 17 minutes the person is told so. The routine
player sequences exactly these numbers, so the estimate and the guided session agree.
"""

from __future__ import annotations

from dataclasses import dataclass

from facefit.catalog.loader import Catalog
from facefit.catalog.models import Exercise, Routine

DEFAULT_CUE_S = 5.0
DEFAULT_REST_S = 10.0


@dataclass(frozen=True)
class StepPlan:
    """One routine step with every number resolved (routine override, else the exercise card)."""

    position: int
    exercise: Exercise
    sets: int
    reps: int | None
    hold_s: float
    up_s: float
    down_s: float
    duration_s: float | None
    cue_s: float
    rest_between_sets_s: float

    @property
    def rep_s(self) -> float:
        """Seconds per rep: move in, hold, move out (0 for a timed step)."""
        return 0.0 if self.reps is None else self.up_s + self.hold_s + self.down_s

    @property
    def set_s(self) -> float:
        """Seconds of work in one set."""
        return self.duration_s if self.duration_s is not None else (self.reps or 0) * self.rep_s

    @property
    def total_s(self) -> float:
        """Cue, every set, and the rests between sets."""
        return self.cue_s + self.sets * self.set_s + (self.sets - 1) * self.rest_between_sets_s


def plan_exercise(
    exercise: Exercise, *, position: int = 1, sets: int | None = None, reps: int | None = None,
    hold_s: float | None = None, duration_s: float | None = None,
    cue_s: float = DEFAULT_CUE_S, rest_between_sets_s: float = DEFAULT_REST_S,
) -> StepPlan:
    """The step plan for ``exercise`` with optional overrides (used alone or inside a routine)."""
    timed = exercise.timed
    return StepPlan(
        position=position,
        exercise=exercise,
        sets=sets or exercise.sets,
        reps=None if timed else (reps or exercise.reps),
        hold_s=0.0 if timed else float(hold_s if hold_s is not None else exercise.hold_s or 0.0),
        up_s=0.0 if timed else exercise.tempo.up_s,
        down_s=0.0 if timed else exercise.tempo.down_s,
        duration_s=(duration_s or exercise.duration_s) if timed else None,
        cue_s=cue_s,
        rest_between_sets_s=rest_between_sets_s,
    )


def resolve_routine(routine: Routine, catalog: Catalog) -> list[StepPlan]:
    """Every step of ``routine`` resolved against ``catalog`` (raises CatalogError on unknown ids)."""
    return [
        plan_exercise(
            catalog.exercise(step.exercise), position=i, sets=step.sets, reps=step.reps,
            hold_s=step.hold_s, duration_s=step.duration_s, cue_s=routine.cue_s,
            rest_between_sets_s=routine.rest_between_sets_s,
        )
        for i, step in enumerate(routine.steps, start=1)
    ]


def routine_seconds(routine: Routine, catalog: Catalog) -> float:
    """Computed length of ``routine`` in seconds, cues and rests included."""
    return sum(step.total_s for step in resolve_routine(routine, catalog))


def duration_note(routine: Routine, catalog: Catalog) -> str:
    """Human line comparing the routine's name-given length with the computed one."""
    minutes = routine_seconds(routine, catalog) / 60
    if routine.nominal_minutes is None:
        return f"takes {minutes:.1f} min"
    if abs(minutes - routine.nominal_minutes) <= 0.5:
        return f"takes {minutes:.1f} min (as named)"
    return f"called {routine.nominal_minutes:g} min, takes {minutes:.1f} min as specified"
