"""Today's plan, streak and adherence; screening; the lifestyle log (the habits and safety stages)."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from facefit.web.deps import DbDep, MemberDep, token_scope
from facefit.web.responses import ClearanceOut, Enrolled, LifestyleDayOut, LifestyleLog, Screening, Today

router = APIRouter(tags=["habits"])


class Enrol(BaseModel):
    model_config = ConfigDict(extra="forbid")

    programme_id: str = Field(max_length=80)
    start: date | None = None
    weekdays: list[int] | None = None
    consult_acknowledged: bool = False


class LifestyleEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: date | None = None
    values: dict[str, Any]


@router.get("/api/habits/today", response_model=Today,
            summary="Today's plan, streak and adherence (the numbers of `facefit plan`)")
def today(db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.catalog.loader import load_catalog
    from facefit.habits.figures import habit_figures
    from facefit.habits.service import current_enrolment

    if current_enrolment(session=db, profile_id=caller.profile_id) is None:
        from facefit.safety.service import current_clearance

        screened = current_clearance(session=db, profile_id=caller.profile_id) is not None
        return {"enrolled": False,
                "message": "You are not enrolled in a programme yet: choose one below." if screened else
                "You are not enrolled in a programme yet: answer the screening, then enrol.",
                "planned": [], "streak": {"current": 0, "best": 0}, "adherence": None, "figures": None}
    catalog = load_catalog()
    figures = habit_figures(session=db, profile_id=caller.profile_id, today=date.today(), catalog=catalog)
    planned = []
    record = figures.today_record
    if record is not None and record.routine_id:
        routine = catalog.routine(record.routine_id)
        planned.append({"routine_id": routine.id, "routine_name": routine.name,
                        "minutes": round(record.planned_minutes), "done": figures.done_today,
                        "status": figures.today_text})
    return {"enrolled": True, "programme_id": figures.programme_id, "planned": planned,
            "streak": {"current": figures.streak.current, "best": figures.streak.longest},
            "adherence": None if figures.adherence is None else figures.adherence / 100,
            "today": figures.today_text, "figures": figures.to_dict(), "message": ""}


@router.post("/api/habits/enrol", response_model=Enrolled,
             summary="Enrol in a programme (needs a screening first)")
def enrol(body: Enrol, db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.habits.service import enrol as enrol_verb

    view = enrol_verb(session=db, profile_id=caller.profile_id, programme_id=body.programme_id,
                      start=body.start or date.today(), weekdays=body.weekdays,
                      consult_acknowledged=body.consult_acknowledged)
    return {"programme_id": view.programme_id, "start_date": view.start_date.isoformat(),
            "weekdays": list(view.weekdays)}


@router.get("/api/screening", response_model=Screening,
            summary="The screening questions and my latest clearance")
def screening(db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.catalog.loader import load_catalog
    from facefit.safety.conditions import CONDITION_IDS
    from facefit.safety.service import current_clearance

    conditions = load_catalog().conditions
    clearance = current_clearance(session=db, profile_id=caller.profile_id)
    return {"questions": [{"id": cid, "name": conditions[cid].name if cid in conditions else cid,
                           "description": conditions[cid].description if cid in conditions else ""}
                          for cid in CONDITION_IDS],
            "clearance": None if clearance is None else {
                **_clearance_out(clearance), "screened_at": clearance.screened_at,
                "conditions": [conditions[c].name if c in conditions else c for c in clearance.conditions]}}


@router.post("/api/screening", response_model=ClearanceOut,
             summary="Answer the screening (every question yes/no)")
def answer_screening(answers: dict[str, Any], db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.safety.screening import parse_answers
    from facefit.safety.service import record_screening

    clearance = record_screening(session=db, profile_id=caller.profile_id, answers=parse_answers(answers))
    return _clearance_out(clearance)


def _clearance_out(clearance: Any) -> dict[str, Any]:
    """The clearance as the terminal says it (``summary``) and as the page says it (``sentence``)."""
    return {"level": clearance.level.value, "summary": clearance.summary(), "sentence": clearance.sentence()}


@router.get("/api/lifestyle", response_model=LifestyleLog, summary="My lifestyle log")
def lifestyle(db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.habits.lifestyle import FIELDS, TARGETS
    from facefit.habits.service import lifestyle_days

    days = lifestyle_days(session=db, profile_id=caller.profile_id)
    targets = {t.field: t.text for t in TARGETS}
    def on_target(values: dict[str, Any]) -> dict[str, bool]:
        return {t.field: bool(t.met(values[t.field])) for t in TARGETS if values.get(t.field) is not None}

    return {"days": [{"day": d.isoformat(), **values, "on_target": on_target(values)}
                     for d, values in sorted(days.items())],
            "fields": [{"name": f.name, "label": f.label, "kind": f.kind, "unit": f.unit, "low": f.low,
                        "high": f.high, "target": targets.get(f.name, "")} for f in FIELDS.values()]}


@router.post("/api/lifestyle", response_model=LifestyleDayOut,
             summary="Log one day (sleep, water, sun, ...); a bad field is named")
@token_scope("practice")
def log_lifestyle(body: LifestyleEntry, db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.habits.service import log_lifestyle as log_verb

    day = body.day or date.today()
    values = log_verb(session=db, profile_id=caller.profile_id, day=day, raw=body.values)
    return {"day": day.isoformat(), **values}
