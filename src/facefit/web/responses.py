"""What the API answers, described for the OpenAPI schema: the error shape every route shares, and the
response models of routes that used to return bare dicts (the schema now says what each returns, and
the API fuzz test in tests/web/test_api_fuzz.py holds every response to it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import BaseModel, ConfigDict, Field

from facefit.errors import FaceFitError, NextStep, worded

DB_INT_MAX = 2**31 - 1  # the id columns are INTEGER: 32 bits on PostgreSQL
Id = Annotated[int, Path(ge=1, le=DB_INT_MAX, description="A row id (a positive 32-bit integer).")]
"""A path id: anything larger than a database integer is a 422, never a 500 from the driver."""

ERROR_BODY = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
ERRORS: dict[int | str, dict[str, Any]] = {
    # the content is spelled out (not ``model=``) so routes answering HTML or images still document
    # their errors as JSON, which is what they send
    code: {"description": text, "content": {"application/json": {"schema": ERROR_BODY}}} for code, text in {
        400: "Refused: the sentence says why (e.g. a programme needs a screening first).",
        401: "Not signed in, or the API token is unknown or revoked.",
        403: "Signed in, but not allowed (role, CSRF token or API token scope).",
        404: "No such item of yours.",
        409: "Conflicts with what is stored.",
        413: "The request body or upload is too large.",
        415: "Not a JPEG, PNG or WebP photo.",
        422: "A field is missing or invalid; the sentence names it.",
        429: "Too many failed sign-ins; see Retry-After.",
    }.items()
}
"""Every API route may answer these with ``{"detail": "<one sentence>"}`` (``facefit.web.app``)."""

WEB_STEPS: dict[NextStep, str] = {
    NextStep.ADD_BASELINE_PHOTO: "Add one on the Photos page first.",
    NextStep.LIST_PHOTOS: "Choose one on the Photos page.",
    NextStep.SCREEN: "Answer it on the Screening page first.",
    NextStep.ENROL_CLEARED: "Once a clinician has cleared you, record it on the Clinician clearance page "
                            "(Screening links to it), then choose the programme again.",
    NextStep.ENROL: "Choose a programme on the Today page first.",
    NextStep.CREATE_STUDY: "An admin creates studies on the server.",
    NextStep.ADD_RATER: "An admin links their rater account to the study on the Study staff page.",
}
"""The web's words for an error's next step: the page or button to use, never a terminal command (the
terminal's are ``facefit.cli._steps.TERMINAL_STEPS``)."""


def error_text(error: FaceFitError) -> str:
    """What the web answers for ``error``: its problem and the page that is the way out."""
    return worded(error, WEB_STEPS)


class _Out(BaseModel):
    model_config = ConfigDict(extra="allow")


# --- catalog ---------------------------------------------------------------------------------------


class CatalogEntry(_Out):
    """An exercise card, routine or programme as the catalog defines it (``facefit.catalog.models``)."""

    id: str
    name: str


# --- habits and screening ----------------------------------------------------------------------------


class Streak(BaseModel):
    current: int
    best: int


class PlannedRoutine(_Out):
    routine_id: str
    routine_name: str
    minutes: int
    done: Any = Field(description="Whether (or how far) today's routine is done.")
    status: str = ""


class Today(_Out):
    """``habits.figures``: today's plan, streak and adherence (0-1), or why there is none yet."""

    enrolled: bool
    message: str
    planned: list[PlannedRoutine]
    streak: Streak
    adherence: float | None
    programme_id: str | None = None
    today: str | None = None
    figures: dict[str, Any] | None = None


class Enrolled(BaseModel):
    programme_id: str
    start_date: date
    weekdays: list[int]


class Question(BaseModel):
    id: str
    name: str
    description: str


class ClearanceOut(BaseModel):
    level: str
    summary: str
    sentence: str = Field(description="The summary as a sentence, without its level word.")
    screened_at: datetime | None = None
    conditions: list[str] = Field(default_factory=list, description="The conditions answered yes, by name.")


class Screening(_Out):
    questions: list[Question]
    clearance: ClearanceOut | None


class LifestyleDayOut(_Out):
    day: date
    spf: bool | None = None
    sleep_h: float | None = None
    water_l: float | None = None
    calcium_mg: float | None = None
    vitamin_d_iu: float | None = None
    smoking: bool | None = None
    moisturiser: bool | None = None


class LifestyleLog(_Out):
    days: list[LifestyleDayOut] = Field(description="Each day's values, and which were on target.")
    fields: list[dict[str, Any]] = Field(default_factory=list, description="What can be logged, with units.")


# --- photos ------------------------------------------------------------------------------------------


class PhotoOut(BaseModel):
    id: int
    taken_at: str
    accepted: bool
    forced: bool
    is_baseline: bool
    width: int
    height: int
    source_name: str
    checks: list[dict[str, Any]]
    image: str = Field(description="Where the stored JPEG is served (to its owner only).")


class PhotoImported(_Out):
    stored: bool
    duplicate: bool
    photo_id: int | None
    accepted: bool
    is_baseline: bool
    forced: bool
    gate: dict[str, Any] | None
    new_asymmetries: list[dict[str, Any]]


# --- progress ----------------------------------------------------------------------------------------


class ProgressOut(_Out):
    """``facefit.reports.progress.progress`` (schema 1); the nested tables are documented there."""

    schema_: int = Field(alias="schema")
    profile: str
    span: str


class MuscleWeekOut(_Out):
    """``facefit.reports.muscles.MuscleWeek.to_dict``: this calendar week's measured time under tension."""

    first: date
    last: date
    seconds: dict[str, float] = Field(description="Seconds under tension per muscle, measured by the camera.")
    relax: list[str] = Field(description="Muscles to relax rather than train (drawn hatched).")
    relax_advice: str
    engagement: dict[str, int] = Field(description="Forehead-engagement and frown faults this week.")
    names: dict[str, str] = Field(description="Each muscle's everyday name, the Latin in brackets.")
    summary: str = Field(description="One sentence, muscles named in everyday words (the Latin in brackets).")
    svg: str = Field(description="The face diagram of the week (SVG).")


# --- safety ------------------------------------------------------------------------------------------


class StopOut(BaseModel):
    """A safety stop (pain, twitch, new asymmetry) and the advice shown for it."""

    kind: str
    what: str
    advice: str


class PendingStopOut(StopOut):
    at: str = Field(description="When the stop happened (ISO 8601).")


class SafetyClearanceOut(_Out):
    level: str
    summary: str
    reasons: list[str]
    consult_acknowledged: bool
    needs_clearance: bool


class SafetyOut(_Out):
    """``/api/safety``: the clearance, stops waiting for acknowledgement, and the practice gate's verdict."""

    clearance: SafetyClearanceOut | None
    pending: list[PendingStopOut]
    can_start: bool
    refusal: dict[str, Any] | None = Field(description="Why practice is paused, and the page that fixes it.")
    warnings: list[dict[str, Any]]


class ConsultOut(_Out):
    level: str
    consult_acknowledged: bool
    message: str


class AcknowledgedOut(_Out):
    acknowledged: list[StopOut]
    message: str
