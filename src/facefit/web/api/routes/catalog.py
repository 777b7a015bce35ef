"""The exercise catalog (public data, not health data): exercises and routines."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

router = APIRouter(prefix="/api/catalog", tags=["catalog"])


@router.get("/exercises", summary="Every exercise card")
def exercises() -> list[dict[str, Any]]:
    from facefit.catalog.loader import load_catalog

    return [card.model_dump(mode="json") for card in load_catalog().exercises.values()]


@router.get("/routines", summary="Every routine with its steps")
def routines() -> list[dict[str, Any]]:
    from facefit.catalog.loader import load_catalog

    return [routine.model_dump(mode="json") for routine in load_catalog().routines.values()]


@router.get("/routines/{routine_id}/plan", summary="A routine's steps with every number resolved, and "
            "whether the live coach can check each one")
def routine_plan(routine_id: str) -> dict[str, Any]:
    from facefit.catalog.durations import resolve_routine
    from facefit.catalog.loader import load_catalog
    from facefit.coach.specs import checked_exercises

    catalog = load_catalog()
    routine = catalog.routine(routine_id)  # CatalogError (400) names the known routines
    coached = set(checked_exercises())
    return {
        "id": routine.id, "name": routine.name, "description": routine.description,
        "steps": [{
            "position": step.position, "exercise": step.exercise.id, "name": step.exercise.name,
            "cue": step.exercise.cue, "instructions": list(step.exercise.instructions), "sets": step.sets,
            "reps": step.reps, "hold_s": step.hold_s, "duration_s": step.duration_s,
            "rest_s": step.rest_between_sets_s, "total_s": round(step.total_s, 1),
            "coached": step.exercise.id in coached and step.reps is not None,
        } for step in resolve_routine(routine, catalog)],
    }


@router.get("/programmes", summary="Every programme (the dashboard offers them for enrolment)")
def programmes() -> list[dict[str, Any]]:
    from facefit.catalog.loader import load_catalog

    return [programme.model_dump(mode="json") for programme in load_catalog().programmes.values()]
