"""Admin: list accounts and change roles. Admins see account metadata only, never health data."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, status

from facefit.store import web as accounts
from facefit.web.deps import AdminDep, DbDep
from facefit.web.responses import Id
from facefit.web.schemas import AccountPublic, RoleChange

router = APIRouter(prefix="/api/admin", tags=["admin"])


@router.get("/accounts", response_model=list[AccountPublic], summary="All accounts (no health data)")
def list_accounts(db: DbDep, caller: AdminDep) -> list[accounts.Account]:
    return accounts.list_accounts(session=db)


@router.patch("/accounts/{account_id}", response_model=AccountPublic, summary="Change an account's role")
def change_role(account_id: Id, body: RoleChange, db: DbDep, caller: AdminDep) -> accounts.Account:
    account = accounts.get_account(session=db, account_id=account_id)
    if account is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no account {account_id}.")
    if account.id == caller.account_id and body.role != "admin":
        raise HTTPException(status.HTTP_409_CONFLICT, "You cannot remove your own admin role.")
    account.role = body.role
    return account
