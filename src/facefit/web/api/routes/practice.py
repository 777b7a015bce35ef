"""What may I practise, and the safety steps that unblock practice: the web's doors to the practice layer.

``GET /api/practice/plan?target=`` is :func:`~facefit.practice.start.start_practice` for the caller:
the plan (filtered for the screening, with warnings) or a refusal (``allowed`` false) that links to
the page that resolves it. ``/api/safety`` shows the clearance and any stop waiting for acknowledgement;
``/api/safety/consult`` records a clinician's clearance after a consult-first screening and
``/api/safety/ack`` acknowledges pain, twitch and new-asymmetry stops after reading their advice.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from facefit.errors import InputError
from facefit.web.deps import DbDep, MemberDep
from facefit.web.responses import AcknowledgedOut, ConsultOut, SafetyOut

router = APIRouter(tags=["practice"])


def verdict_response(db: Session, profile_id: int, target: str) -> dict[str, Any]:
    """The caller's verdict for ``target``: the plan, or the refusal (``allowed`` false, ``detail`` and the
    link). A refusal is an answer, not a failed request: 200 either way (a 4xx would also show as an
    error in the browser's console)."""
    from facefit.practice.start import Refusal, start_practice
    from facefit.web.practice import plan_body, refusal_body, refusal_sentence

    verdict = start_practice(session=db, profile_id=profile_id, target=target)
    if isinstance(verdict, Refusal):
        return {"detail": refusal_sentence(verdict), **refusal_body(verdict)}
    return plan_body(verdict)


@router.get("/api/practice/plan", summary="What I may practise of a routine or exercise: the plan "
            "filtered for my screening with warnings, or why not and what to do (allowed: false)")
def practice_plan(target: Annotated[str, Query(max_length=80, description="a routine or exercise id")],
                  db: DbDep, caller: MemberDep) -> Any:
    return verdict_response(db, caller.profile_id, target)


@router.get("/api/safety", response_model=SafetyOut,
            summary="My clearance, stops waiting for acknowledgement, whether practice may start")
def safety(db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.practice.start import practice_gate
    from facefit.safety.service import safety_status
    from facefit.web.practice import gate_body

    status = safety_status(session=db, profile_id=caller.profile_id)
    gate = practice_gate(session=db, profile_id=caller.profile_id)
    clearance = status.clearance
    return {
        "clearance": None if clearance is None else {
            "level": clearance.level.value, "summary": clearance.summary(),
            "reasons": list(clearance.reasons),
            "consult_acknowledged": clearance.consult_acknowledged,
            "needs_clearance": clearance.needs_acknowledgement,
        },
        "pending": [{"kind": e.kind, "at": e.at.isoformat(), "what": e.describe(), "advice": e.what_to_do}
                    for e in status.pending],
        **gate_body(gate),
    }


class ConsultClearance(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cleared: bool = Field(description="A clinician has cleared me to start these exercises.")
    note: str | None = Field(default=None, max_length=500, description="Who cleared you and when (optional).")


@router.post("/api/safety/consult", response_model=ConsultOut,
             summary="Record that a clinician cleared me to start (consult-first)")
def consult(body: ConsultClearance, db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.safety.conditions import Level
    from facefit.safety.service import acknowledge_consult, current_clearance

    if not body.cleared:
        raise InputError("Tick that a clinician has cleared you to start; without it practice stays paused.")
    clearance = current_clearance(session=db, profile_id=caller.profile_id)
    if clearance is None:
        raise InputError("There is no screening to acknowledge yet: answer the screening first.")
    if clearance.level is not Level.CONSULT_FIRST:
        raise InputError(f"Your latest screening is {clearance.level.value}, not consult-first: nothing to "
                         "acknowledge.")
    cleared = acknowledge_consult(session=db, profile_id=caller.profile_id, note=body.note)
    return {"level": cleared.level.value, "consult_acknowledged": cleared.consult_acknowledged,
            "message": "Recorded: a clinician has cleared you to start. Exercises your screening rules out "
                       "stay left out."}


class StopAcknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid")

    understood: bool = Field(description="I have read the advice and feel ready to continue.")
    note: str | None = Field(default=None, max_length=500)


@router.post("/api/safety/ack", response_model=AcknowledgedOut,
             summary="Acknowledge pain, twitch or new-asymmetry stops after reading "
             "their advice")
def acknowledge(body: StopAcknowledgement, db: DbDep, caller: MemberDep) -> dict[str, Any]:
    from facefit.safety.service import acknowledge_safety

    if not body.understood:
        raise InputError("Tick that you have read the advice and feel ready; until then practice stays "
                         "paused.")
    covered = acknowledge_safety(session=db, profile_id=caller.profile_id, note=body.note)
    return {"acknowledged": [{"kind": e.kind, "what": e.describe(), "advice": e.what_to_do} for e in covered],
            "message": ("Acknowledged. Please answer the screening again before your next session."
                        if covered else "No safety stop is waiting for acknowledgement.")}
