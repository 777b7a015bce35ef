"""A routine as a sequence of blocks (one set of one step each) and each block as a timeline of phases.

A block is the unit the player runs and the store records: when a set ends it is committed at once,
so an interrupted session keeps every finished set. A block starts with a lead-in (the cue before a
step's first set, a rest before its later sets), then its work: rep after rep of up/hold/down, or one
timed stretch for massage-like steps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from facefit.catalog.durations import StepPlan, plan_exercise, resolve_routine
from facefit.catalog.loader import Catalog
from facefit.errors import CatalogError

PhaseKind = Literal["cue", "rest", "up", "hold", "down", "work"]


@dataclass(frozen=True)
class Phase:
    """A stretch of a block: what to do (``kind``), for which rep, from ``start_s`` for ``length_s``."""

    kind: PhaseKind
    rep: int | None
    start_s: float
    length_s: float

    @property
    def end_s(self) -> float:
        return self.start_s + self.length_s


@dataclass(frozen=True)
class Block:
    """One set of one routine step, numbered ``index`` (0-based) in the session."""

    index: int
    step: StepPlan
    set_index: int

    @property
    def exercise_id(self) -> str:
        return self.step.exercise.id

    @property
    def lead_in_kind(self) -> PhaseKind:
        return "cue" if self.set_index == 1 else "rest"

    @property
    def lead_in_s(self) -> float:
        return self.step.cue_s if self.set_index == 1 else self.step.rest_between_sets_s

    @property
    def work_s(self) -> float:
        return self.step.set_s

    @property
    def total_s(self) -> float:
        return self.lead_in_s + self.work_s

    @cached_property
    def phases(self) -> tuple[Phase, ...]:
        """The block's timeline; zero-length phases (no hold, no cue) are left out."""
        out: list[Phase] = []
        t = 0.0

        def add(kind: PhaseKind, rep: int | None, length: float) -> None:
            nonlocal t
            if length > 0:
                out.append(Phase(kind, rep, t, length))
                t += length

        add(self.lead_in_kind, None, self.lead_in_s)
        step = self.step
        if step.reps is None:
            add("work", None, step.set_s)
        else:
            for rep in range(1, step.reps + 1):
                add("up", rep, step.up_s)
                add("hold", rep, step.hold_s)
                add("down", rep, step.down_s)
        return tuple(out)


def blocks_for(steps: list[StepPlan]) -> list[Block]:
    """Blocks for resolved steps: each step's sets in order, numbered through the session."""
    blocks: list[Block] = []
    for step in steps:
        for set_index in range(1, step.sets + 1):
            blocks.append(Block(index=len(blocks), step=step, set_index=set_index))
    return blocks


@dataclass(frozen=True)
class SessionPlan:
    """What ``facefit routine TARGET`` will run: a routine, or a single exercise on its own."""

    routine_id: str | None
    exercise_id: str | None
    title: str
    blocks: tuple[Block, ...]
    excluded: tuple[tuple[str, str], ...] = ()

    @property
    def total_s(self) -> float:
        return sum(b.total_s for b in self.blocks)


def session_plan(target: str, catalog: Catalog, exclude: Mapping[str, str] | None = None) -> SessionPlan:
    """Blocks for a routine id, or for one exercise id; CatalogError naming both lists otherwise.

    ``exclude`` maps exercise ids to the reason they must not be done today (screening: e.g. jaw-glide
    steps with a TMJ disorder); those steps are left out and listed in ``SessionPlan.excluded``.
    """
    if target in catalog.routines:
        routine = catalog.routines[target]
        blocks = tuple(blocks_for(resolve_routine(routine, catalog)))
        plan = SessionPlan(routine.id, None, routine.name, blocks)
        return without(plan, exclude) if exclude else plan
    if target in catalog.exercises:
        exercise = catalog.exercises[target]
        plan = SessionPlan(None, exercise.id, exercise.name, tuple(blocks_for([plan_exercise(exercise)])))
        return without(plan, exclude) if exclude else plan
    raise target_error(target, catalog)


def target_error(target: str, catalog: Catalog) -> CatalogError:
    """Why ``target`` (neither a routine nor an exercise) cannot be practised, for every entry point.

    A discouraged move says why it is discouraged; anything else names the routines and exercises.
    """
    if target in catalog.discouraged:
        move = catalog.discouraged[target]
        return CatalogError(f"{move.name} is discouraged: {move.reason}")
    return CatalogError(
        f"There is no routine or exercise called {target!r}; "
        f"routines: {', '.join(sorted(catalog.routines))}; "
        f"exercises: {', '.join(sorted(catalog.exercises))}."
    )


def without(plan: SessionPlan, exclude: Mapping[str, str]) -> SessionPlan:
    """``plan`` minus the steps whose exercise is in ``exclude`` (id -> reason), blocks renumbered."""
    steps = [b.step for b in plan.blocks if b.set_index == 1]
    kept = [s for s in steps if s.exercise.id not in exclude]
    dropped = tuple(dict.fromkeys((s.exercise.id, exclude[s.exercise.id]) for s in steps
                                  if s.exercise.id in exclude))
    if not kept:
        raise CatalogError(f"Every step of {plan.title} is excluded today: "
                           + "; ".join(f"{e} ({why})" for e, why in dropped) + ".")
    return SessionPlan(plan.routine_id, plan.exercise_id, plan.title, tuple(blocks_for(kept)),
                       plan.excluded + dropped)
