"""Pydantic request/response schemas (kept apart from the SQLAlchemy tables in ``facefit.store``)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$"
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _no_control(value: str) -> str:
    if CONTROL.search(value):
        raise ValueError("must not contain control characters (a null byte, a line break, a tab...)")
    return value


def _no_control_but_lines(value: str) -> str:
    if CONTROL_BUT_LINES.search(value):
        raise ValueError("must not contain control characters (only line breaks and tabs are allowed)")
    return value


PlainText = Annotated[str, AfterValidator(_no_control)]
"""A one-line name: no control characters at all (they break files, terminals and PostgreSQL)."""
NoteText = Annotated[str, AfterValidator(_no_control_but_lines)]
"""Free text that may span lines."""
Email = Annotated[PlainText, Field(pattern=EMAIL_PATTERN, max_length=254)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignUp(_In):
    email: Email
    password: str = Field(min_length=10, max_length=256)
    role: Literal["member", "coach"] = "member"
    display_name: PlainText = Field(default="", max_length=120)


class Login(_In):
    email: PlainText = Field(max_length=254)
    password: str = Field(max_length=256)


class AccountPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    display_name: str
    created_at: datetime


class SignedIn(BaseModel):
    account: AccountPublic
    csrf_token: str


TokenScope = Literal["read", "practice", "full"]  # facefit.store.web.TOKEN_SCOPES


class TokenCreate(_In):
    name: PlainText = Field(min_length=1, max_length=80)
    scope: TokenScope = Field(default="read", description=(
        "read: only read; practice: also record practice (pain stops, lifestyle, photos, live coaching); "
        "full: everything a signed-in browser may do, including tokens and deleting data. Least by default."))


class TokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool
    scope: TokenScope


class TokenCreated(TokenPublic):
    token: str = Field(description="Shown once; only its SHA-256 digest is stored.")


class DeleteAccount(_In):
    password: str = Field(max_length=256)
    confirm: Literal["delete my account"]


class CoachInvite(_In):
    email: Email


class PersonPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    display_name: str


class RoleChange(_In):
    role: Literal["member", "coach", "admin", "rater"]


class StepPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    position: int
    exercise_id: str
    set_index: int
    reps_target: int | None
    reps_done: int | None
    hold_s: float | None
    duration_s: float
    skipped: bool
    note: str | None
    completed_at: datetime


class EventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    t_s: float
    kind: str
    payload: dict[str, Any]


class SessionPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    routine_id: str | None
    exercise_id: str | None
    source: str
    started_at: datetime
    ended_at: datetime | None
    status: str
    stop_reason: str | None
    summary: dict[str, Any]


class SessionDetail(SessionPublic):
    steps: list[StepPublic]
    events: list[EventPublic]


class PainStop(_In):
    note: NoteText = Field(default="", max_length=500)


class Message(BaseModel):
    detail: str
