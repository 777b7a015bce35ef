"""The exercise catalog (public data, not health data): exercises and routines."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from facefit.web.deps import DbDep, MemberDep
from facefit.web.responses import CatalogEntry

router = APIRouter(prefix="/api/catalog", tags=["catalog"])


@router.get("/exercises", response_model=list[CatalogEntry], summary="Every exercise card")
def exercises() -> list[dict[str, Any]]:
    from facefit.catalog.loader import load_catalog

    return [card.model_dump(mode="json") for card in load_catalog().exercises.values()]


@router.get("/routines", response_model=list[CatalogEntry], summary="Every routine with its steps and its "
            "computed length in minutes (cues and rests included)")
def routines() -> list[dict[str, Any]]:
    from facefit.catalog.durations import routine_seconds
    from facefit.catalog.loader import load_catalog

    catalog = load_catalog()
    return [{**routine.model_dump(mode="json"), "minutes": round(routine_seconds(routine, catalog) / 60, 1)}
            for routine in catalog.routines.values()]


@router.get("/routines/{routine_id}/plan", summary="A routine as I may practise it: steps filtered for my "
            "screening with every number resolved and whether the live coach checks each, plus warnings; "
            "or why not and what to do (allowed: false). Same as /api/practice/plan?target={routine_id}")
def routine_plan(routine_id: str, db: DbDep, caller: MemberDep) -> Any:
    from facefit.catalog.loader import load_catalog
    from facefit.web.api.routes.practice import verdict_response

    load_catalog().routine(routine_id)  # CatalogError (400) names the known routines
    return verdict_response(db, caller.profile_id, routine_id)


@router.get("/programmes", response_model=list[CatalogEntry],
            summary="Every programme (the dashboard offers them for enrolment)")
def programmes() -> list[dict[str, Any]]:
    from facefit.catalog.loader import load_catalog

    return [programme.model_dump(mode="json") for programme in load_catalog().programmes.values()]
