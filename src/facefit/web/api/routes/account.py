"""The caller's own account: who am I, API tokens, coach invitations, export and deletion."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete

from facefit.store import web as accounts
from facefit.web import account_data
from facefit.web.deps import SESSION_COOKIE, CallerDep, DbDep, MemberDep
from facefit.web.responses import Id
from facefit.web.schemas import (
    AccountPublic,
    CoachInvite,
    DeleteAccount,
    Message,
    PersonPublic,
    TokenCreate,
    TokenCreated,
    TokenPublic,
)
from facefit.web.security import API_TOKEN_PREFIX, digest, hash_password, new_token, verify_password

router = APIRouter(prefix="/api/account", tags=["account"])


def _account(db: DbDep, caller: CallerDep) -> accounts.Account:
    account = accounts.get_account(session=db, account_id=caller.account_id)
    if account is None:  # deleted in another tab
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "This account no longer exists.")
    return account


@router.get("", response_model=AccountPublic, summary="The signed-in account")
def me(db: DbDep, caller: CallerDep) -> accounts.Account:
    return _account(db, caller)


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=256)
    new_password: str = Field(min_length=10, max_length=256)


@router.post("/password", response_model=Message,
             summary="Change my password (needs the current one); other browsers are signed out")
def change_password(body: PasswordChange, request: Request, db: DbDep, caller: CallerDep) -> Message:
    account = _account(db, caller)
    if not verify_password(account.password_hash, body.current_password):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "The current password is wrong: nothing was changed.")
    account.password_hash = hash_password(body.new_password)
    this_browser = digest(request.cookies.get(SESSION_COOKIE) or "")
    db.execute(delete(accounts.AuthSession).where(accounts.AuthSession.account_id == account.id,
                                                  accounts.AuthSession.token_hash != this_browser))
    return Message(detail="Password changed; other browsers were signed out.")


@router.get("/tokens", response_model=list[TokenPublic], summary="List my API tokens")
def list_tokens(db: DbDep, caller: CallerDep) -> list[accounts.ApiToken]:
    return accounts.list_api_tokens(session=db, account_id=caller.account_id)


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED,
             summary="Create an API token (shown once)")
def create_token(body: TokenCreate, db: DbDep, caller: CallerDep) -> TokenCreated:
    token = new_token(API_TOKEN_PREFIX)
    row = accounts.add_api_token(session=db, account_id=caller.account_id, name=body.name,
                                 token_hash=digest(token), prefix=token[:10], scope=body.scope)
    return TokenCreated(token=token, **TokenPublic.model_validate(row).model_dump())


@router.delete("/tokens/{token_id}", response_model=Message, summary="Revoke one of my API tokens")
def revoke_token(token_id: Id, db: DbDep, caller: CallerDep) -> Message:
    if not accounts.revoke_api_token(session=db, account_id=caller.account_id, token_id=token_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"You have no API token {token_id}.")
    return Message(detail="Token revoked.")


@router.get("/coaches", response_model=list[PersonPublic],
            summary="Coaches who accepted my invitation (they can read my data)")
def list_coaches(db: DbDep, caller: MemberDep) -> list[accounts.Account]:
    return accounts.coaches_of(session=db, member_id=caller.account_id)


INVITED = ("If a coach account uses that email, it has your invitation; once the coach accepts, it can read "
           "(never change) your sessions and reports and appears in your list.")


@router.post("/coaches", response_model=Message, status_code=status.HTTP_202_ACCEPTED,
             summary="Invite a coach by email; once they accept they may read (never change) my sessions "
                     "and reports. The answer is the same whether or not such a coach exists.")
def invite_coach(body: CoachInvite, db: DbDep, caller: MemberDep) -> Message:
    coach = accounts.get_account_by_email(session=db, email=body.email)
    if coach is not None and coach.role == "coach" and coach.id != caller.account_id:
        accounts.invite_coach(session=db, member_id=caller.account_id, coach_id=coach.id)
    return Message(detail=INVITED)


@router.delete("/coaches/{coach_id}", response_model=Message, summary="Withdraw a coach's access")
def remove_coach(coach_id: Id, db: DbDep, caller: MemberDep) -> Message:
    if not accounts.remove_coach(session=db, member_id=caller.account_id, coach_id=coach_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"Coach {coach_id} has no access to your data.")
    return Message(detail="Coach access withdrawn.")


@router.get("/export", summary="Download all my data: a zip of JSON/CSV tables and my photos",
            response_class=Response, responses={200: {"content": {"application/zip": {}}}})
def export(db: DbDep, caller: CallerDep) -> Response:
    owned = account_data.collect(session=db, profile_id=caller.profile_id)
    return Response(
        account_data.export_zip(owned), media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="facefit-export.zip"',
                 "Cache-Control": "no-store"},
    )


@router.delete("", response_model=Message, summary="Delete my account: every row and file, for good")
def delete_account(body: DeleteAccount, request: Request, response: Response, db: DbDep,
                   caller: CallerDep) -> Message:
    account = _account(db, caller)
    if not verify_password(account.password_hash, body.password):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Wrong password: the account was not deleted.")
    owned = account_data.collect(session=db, profile_id=caller.profile_id)
    files = account_data.delete_owned(session=db, owned=owned)
    db.flush()
    request.state.files_to_delete = files  # removed by the app after the transaction has committed
    response.delete_cookie(SESSION_COOKIE, path="/")
    rows = sum(map(len, owned.rows.values()))
    return Message(detail=f"Account deleted with {rows} {'row' if rows == 1 else 'rows'} and {len(files)} "
                          f"{'file' if len(files) == 1 else 'files'}.")
