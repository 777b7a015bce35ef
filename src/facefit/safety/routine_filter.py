"""Filter a routine for a clearance: which steps stay, which are skipped or replaced, and why.

This is what the routine player and the web app call before a session. A step is ruled out when its
exercise lists one of the user's conditions as a contraindication, or when it uses a movement a
condition rules out (a jaw glide with TMJ). A ruled-out step is replaced, where possible, by a safe
exercise of the same goal that works an overlapping muscle and is not already in the routine (so
the session keeps its shape without doubling anything); otherwise it is skipped. Pure: the catalog
and the clearance come in as arguments.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from facefit.catalog.models import Exercise, Routine, RoutineStep
from facefit.safety.conditions import RULES_BY_ID
from facefit.safety.screening import Clearance


@dataclass(frozen=True)
class SkippedStep:
    """A step left out (``replacement`` None) or swapped for a safe exercise, with the reason in words."""

    position: int
    step: RoutineStep
    reason: str
    replacement: RoutineStep | None = None

    def describe(self) -> str:
        """One line: which step is skipped (or replaced with what) and why."""
        if self.replacement is None:
            return f"skipping {self.step.exercise}: {self.reason}"
        return f"replacing {self.step.exercise} with {self.replacement.exercise}: {self.reason}"


@dataclass(frozen=True)
class FilteredRoutine:
    """The routine as this user may do it today."""

    routine_id: str
    steps: tuple[RoutineStep, ...]
    skipped: tuple[SkippedStep, ...]

    def messages(self) -> list[str]:
        """One line per skipped or replaced step, for the terminal or web page."""
        return [item.describe() for item in self.skipped]


def exclusion_reason(exercise: Exercise, conditions: tuple[str, ...]) -> str | None:
    """Why ``exercise`` is ruled out for someone with ``conditions`` (None if it is fine)."""
    reasons = []
    for cid in conditions:
        rule = RULES_BY_ID.get(cid)
        name = rule.name if rule else cid
        moves = [m for m in exercise.movements if rule and m in rule.skip_movements]
        if moves:
            reasons.append(f"it uses a {' and '.join(m.replace('-', ' ') for m in moves)}, which is not "
                           f"advised with {name}")
        elif cid in exercise.contraindications:
            reasons.append(f"it is not advised with {name}")
    if not reasons:
        return None
    return "; ".join(reasons) + "."


def replacement_for(exercise: Exercise, exercises: Mapping[str, Exercise], used: set[str],
                    conditions: tuple[str, ...]) -> Exercise | None:
    """A safe exercise of the same goal working an overlapping muscle, not in ``used`` (None if none)."""
    muscles = set(exercise.target_muscles)
    best: tuple[int, str] | None = None
    for candidate in exercises.values():
        if candidate.id in used or candidate.goal != exercise.goal:
            continue
        if exclusion_reason(candidate, conditions) is not None:
            continue
        overlap = len(muscles & set(candidate.target_muscles))
        if overlap and (best is None or (overlap, candidate.id) > best):
            best = (overlap, candidate.id)
    return None if best is None else exercises[best[1]]


def filter_routine(routine: Routine, exercises: Mapping[str, Exercise], clearance: Clearance | None, *,
                   replace: bool = True) -> FilteredRoutine:
    """Kept steps (replacements in place) and skipped steps with reasons (a consult-first clearance is
    refused before this, by ``facefit.practice.start.start_practice``).

    ``clearance`` None (never screened) keeps every step: the caller warns that screening is missing.
    """
    if clearance is None:
        return FilteredRoutine(routine.id, tuple(routine.steps), ())
    conditions = clearance.conditions
    used = {step.exercise for step in routine.steps}
    kept: list[RoutineStep] = []
    skipped: list[SkippedStep] = []
    for position, step in enumerate(routine.steps, start=1):
        exercise = exercises[step.exercise]
        reason = exclusion_reason(exercise, conditions)
        if reason is None:
            kept.append(step)
            continue
        substitute = replacement_for(exercise, exercises, used, conditions) if replace else None
        if substitute is None:
            skipped.append(SkippedStep(position, step, reason))
            continue
        used.add(substitute.id)
        new_step = RoutineStep(exercise=substitute.id, note=f"instead of {exercise.name} (screening)")
        kept.append(new_step)
        skipped.append(SkippedStep(position, step, reason + f" {substitute.name} is done instead.", new_step))
    return FilteredRoutine(routine.id, tuple(kept), tuple(skipped))
