"""My practice sessions: list, detail with steps and events, pain stop, delete (always my profile only)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from facefit.store import sessions as practice
from facefit.store import web as accounts
from facefit.store.models import PracticeSession
from facefit.web.deps import DbDep, MemberDep, token_scope
from facefit.web.responses import Id
from facefit.web.schemas import Message, PainStop, SessionDetail, SessionPublic

router = APIRouter(prefix="/api/sessions", tags=["sessions"])


def own_session(db: DbDep, profile_id: int, session_id: int) -> PracticeSession:
    """The session if it is the caller's; 404 otherwise (never reveals that another user's exists)."""
    row = accounts.get_session(session=db, profile_id=profile_id, session_id=session_id)
    if row is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"You have no session {session_id}.")
    return row


@router.get("", response_model=list[SessionPublic], summary="My sessions, newest first")
def list_sessions(db: DbDep, caller: MemberDep, limit: int = 100) -> list[PracticeSession]:
    return accounts.list_sessions(session=db, profile_id=caller.profile_id, limit=max(1, min(limit, 500)))


@router.get("/{session_id}", response_model=SessionDetail, summary="One of my sessions with steps and events")
def get_session(session_id: Id, db: DbDep, caller: MemberDep) -> PracticeSession:
    return own_session(db, caller.profile_id, session_id)


@router.post("/{session_id}/pain", response_model=SessionPublic,
             summary="Stop a session because it hurts (recorded as a safety event of kind pain)")
@token_scope("practice")
def pain_stop(session_id: Id, body: PainStop, db: DbDep, caller: MemberDep) -> PracticeSession:
    from facefit.coach.events import SafetyEvent, SafetyKind

    row = own_session(db, caller.profile_id, session_id)
    stop = SafetyEvent(t_s=0.0, safety=SafetyKind.PAIN, message=body.note or "stopped for pain")
    practice.record_event(session=db, session_id=row.id, kind="safety",
                          payload=stop.payload(exercise_id=row.exercise_id))  # the one pain payload
    return practice.finish_session(session=db, session_id=row.id, status="stopped",
                                   stop_reason="pain" + (f": {body.note}" if body.note else ""))


@router.delete("/{session_id}", response_model=Message, summary="Delete one of my sessions")
def delete_session(session_id: Id, db: DbDep, caller: MemberDep) -> Message:
    row = own_session(db, caller.profile_id, session_id)
    db.delete(row)
    return Message(detail=f"Session {session_id} deleted.")
