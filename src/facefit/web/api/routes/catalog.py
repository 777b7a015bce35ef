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
