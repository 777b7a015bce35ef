"""Coach views: a coach's invitations, and read-only access to the members whose invitation the coach
accepted, and nothing else."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request, status

from facefit.store import web as accounts
from facefit.store.models import PracticeSession
from facefit.web.api.routes.sessions import own_session
from facefit.web.deps import CoachDep, DbDep
from facefit.web.responses import Id, ProgressOut
from facefit.web.schemas import Message, PersonPublic, SessionDetail, SessionPublic

router = APIRouter(prefix="/api/coach", tags=["coach"])


def member_profile(db: DbDep, coach_id: int, member_id: int) -> int:
    """The member's profile id if they invited this coach; 404 otherwise."""
    member = accounts.get_account(session=db, account_id=member_id)
    if member is None or not accounts.coach_may_read(session=db, coach_id=coach_id, member_id=member_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Member {member_id} has not invited you.")
    return member.profile_id


@router.get("/members", response_model=list[PersonPublic], summary="Members whose invitation I accepted")
def members(db: DbDep, caller: CoachDep) -> list[accounts.Account]:
    return accounts.members_of(session=db, coach_id=caller.account_id)


@router.get("/invitations", response_model=list[PersonPublic], summary="Members waiting for me to accept")
def invitations(db: DbDep, caller: CoachDep) -> list[accounts.Account]:
    return accounts.members_of(session=db, coach_id=caller.account_id, accepted=False)


@router.post("/invitations/{member_id}", response_model=Message,
             summary="Accept a member's invitation: I may then read (never change) their data")
def accept(member_id: Id, db: DbDep, caller: CoachDep) -> Message:
    if not accounts.accept_invitation(session=db, coach_id=caller.account_id, member_id=member_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Member {member_id} has not invited you.")
    return Message(detail="Invitation accepted.")


@router.delete("/invitations/{member_id}", response_model=Message,
               summary="Decline a member's invitation, or stop reading their data")
def decline(member_id: Id, db: DbDep, caller: CoachDep) -> Message:
    if not accounts.remove_coach(session=db, member_id=member_id, coach_id=caller.account_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Member {member_id} has not invited you.")
    return Message(detail="Invitation declined.")


@router.get("/members/{member_id}/sessions", response_model=list[SessionPublic],
            summary="A member's sessions (read-only)")
def member_sessions(member_id: Id, db: DbDep, caller: CoachDep) -> list[PracticeSession]:
    profile_id = member_profile(db, caller.account_id, member_id)
    return accounts.list_sessions(session=db, profile_id=profile_id)


@router.get("/members/{member_id}/sessions/{session_id}", response_model=SessionDetail,
            summary="One of a member's sessions (read-only)")
def member_session(member_id: Id, session_id: Id, db: DbDep, caller: CoachDep) -> PracticeSession:
    return own_session(db, member_profile(db, caller.account_id, member_id), session_id)


@router.get("/members/{member_id}/progress", response_model=ProgressOut,
            summary="A member's progress numbers (read-only)")
def member_progress(member_id: Id, request: Request, db: DbDep, caller: CoachDep) -> dict[str, Any]:
    from facefit.reports.progress import progress

    profile_id = member_profile(db, caller.account_id, member_id)
    return progress(request.app.state.store, profile_id=profile_id, span="all")
