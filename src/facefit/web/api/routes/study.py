"""Study mode in the browser: coordinators run the study, participants see their own visits and take
their visit photos, raters rate blinded photos.

Three audiences, three route families, each with its own check:

- ``/api/study/studies/{slug}/...``: coordinators only (an admin, or a coach account linked as the
  study's coordinator). Arms appear only for randomised participants; nothing sealed is served.
- ``/api/study/me...``: the caller's own participation (scoped by ``caller.profile_id``; no id from the
  request ever picks whose data is read).
- ``/api/rate/...``: raters only (role ``rater``, linked to the study). Every response is built from
  an opaque per-rater token and counts: no arm, visit, date, participant, photo id or file name, and the
  photo is a fresh face crop without metadata or file dates. A rater never receives a rating.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from facefit.store import study as db
from facefit.store import web as accounts
from facefit.study import rating, service, verbs
from facefit.study import staff as study_staff
from facefit.web.deps import AdminDep, Caller, CallerDep, DbDep, MemberDep
from facefit.web.perception import image_landmarker
from facefit.web.responses import error_text
from facefit.web.schemas import EMAIL_PATTERN, Message
from facefit.web.uploads import read_photo_form

router = APIRouter(tags=["study"])
NO_STORE = {"Cache-Control": "no-store"}


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Enrolment(_In):
    email: str = Field(pattern=EMAIL_PATTERN, max_length=254, description="The participant's account email.")
    age: int = Field(ge=0, le=120)
    sex: Literal["female", "male", "other"]


class Withdrawal(_In):
    reason: str = Field(min_length=1, max_length=1000)


class Missed(_In):
    reason: str = Field(min_length=1, max_length=1000)


class StaffLink(_In):
    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    role: Literal["coordinator", "rater"]


class RatingIn(_In):
    apparent_age: int = Field(description="Apparent age in years (the protocol's range).")
    upper_cheek: int = Field(description="Upper cheek fullness, 0 (full) to 4 (very severe loss).")
    lower_cheek: int = Field(description="Lower cheek fullness, 0 (full) to 4 (very severe loss).")


class StudyItem(BaseModel):
    study: str
    title: str


class StaffMemberOut(BaseModel):
    role: Literal["coordinator", "rater"]
    name: str
    email: str | None = Field(description="The account acting as this staff member; null when none does")


class StudyStaffOut(BaseModel):
    study: str
    title: str
    staff: list[StaffMemberOut]


class VisitOut(BaseModel):
    visit: str
    label: str
    status: str = Field(
        description="complete | missed | open | due | upcoming | overdue | not-yet-randomised"
    )
    photos: int
    needed: int
    opens: str | None
    closes: str | None


class AdherenceOut(BaseModel):
    percent: float | None
    planned_days: int
    practised_days: int
    sessions: int
    programme: str | None


class ParticipantOut(BaseModel):
    """One participant; ``arm`` stays null until randomisation (the slot is sealed until then)."""

    code: str
    status: str
    stratum: str
    age: int
    sex: str
    arm: str | None
    arm_label: str | None
    randomised_at: str | None
    withdrawn_at: str | None
    withdrawal_reason: str | None
    not_eligible_because: list[str]
    visits: list[VisitOut]
    adherence: AdherenceOut


class MyStudyOut(ParticipantOut):
    study: str
    title: str
    programme: str | None
    photos_per_visit: int


class RaterProgress(BaseModel):
    name: str
    rated: int
    queued: int


class VisitWindow(BaseModel):
    id: str
    label: str
    window: list[int]


class ArmOut(BaseModel):
    id: str
    label: str


class StudyOverview(BaseModel):
    study: str
    title: str
    assessed: int
    by_status: dict[str, int]
    schedule_sha256: str = Field(description="The schedule's digest, committed to when the study was created")
    participants: list[ParticipantOut]
    raters: list[RaterProgress]
    visits: list[VisitWindow]
    arms: list[ArmOut]


class EnrolmentOut(BaseModel):
    code: str
    eligible: bool
    reasons: list[str]
    already: bool


class RandomisationOut(BaseModel):
    code: str
    arm: str
    arm_label: str
    randomised_at: datetime
    already: bool


class VisitPhotoOut(BaseModel):
    visit: str
    position: int
    needed: int
    complete: bool
    outside_window: bool


class StudyResults(BaseModel):
    """The analysis (facefit.study.verbs.Results.to_dict); estimates are nested plain numbers."""

    model_config = ConfigDict(extra="allow")

    study: str
    today: str
    endpoints: dict[str, Any]
    reliability: dict[str, Any]
    consort: dict[str, Any]
    consort_adds_up: bool
    missing_data: str


class RatingItemOut(BaseModel):
    """What a rater learns about an item: nothing but a token, its image and their own progress."""

    token: str
    image: str
    number: int
    total: int


class RatingNext(BaseModel):
    done: bool
    rated: int
    total: int
    item: RatingItemOut | None
    age_range: tuple[int, int]
    cheek_range: tuple[int, int]


class RatingQueue(BaseModel):
    """One of my queues: the study's id and my progress (not even the study's title, which names arms)."""

    study: str
    rated: int
    total: int


# --- who may do what -------------------------------------------------------------------------------------


def _study(db_session: Session, slug: str) -> service.LoadedStudy:
    try:
        return service.load(session=db_session, slug=slug)
    except service.StudyNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"There is no study {slug!r}.") from None


def coordinator_of(db_session: Session, caller: Caller, slug: str) -> service.LoadedStudy:
    """The study if the caller coordinates it (admins coordinate every study); 404 otherwise."""
    if caller.role not in ("coach", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only a study's coordinators can do this.")
    study = _study(db_session, slug)
    if caller.role != "admin":
        mine = {
            s.study_id
            for s in db.staff_of_account(session=db_session, account_id=caller.account_id, role="coordinator")
        }
        if study.id not in mine:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"You do not coordinate a study {slug!r}.")
    return study


def rater_of(db_session: Session, caller: Caller, slug: str) -> tuple[service.LoadedStudy, db.StudyStaff]:
    if caller.role != "rater":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only rater accounts rate photos.")
    for staff in db.staff_of_account(session=db_session, account_id=caller.account_id, role="rater"):
        row = db_session.get(db.Study, staff.study_id)
        if row is not None and row.slug == slug:
            return service.load(session=db_session, slug=slug), staff
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"You are not a rater of a study {slug!r}.")


def _coordinated(slug: str, db_session: DbDep, caller: CallerDep) -> service.LoadedStudy:
    """A dependency, so a caller who may not coordinate gets 403/404 before their request body is read."""
    return coordinator_of(db_session, caller, slug)


def _rating(slug: str, db_session: DbDep, caller: CallerDep) -> tuple[service.LoadedStudy, db.StudyStaff]:
    """A dependency, so a caller who is not this study's rater gets 403/404 before the body is read."""
    return rater_of(db_session, caller, slug)


CoordinatedStudy = Annotated[service.LoadedStudy, Depends(_coordinated)]
RaterQueue = Annotated[tuple[service.LoadedStudy, db.StudyStaff], Depends(_rating)]


def _today() -> date:
    return datetime.now(UTC).date()


# --- coordinators ----------------------------------------------------------------------------------------


@router.get("/api/study/studies", response_model=list[StudyItem], summary="Studies I coordinate")
def my_studies(db_session: DbDep, caller: CallerDep) -> list[dict[str, Any]]:
    if caller.role not in ("coach", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only a study's coordinators can do this.")
    studies = db.list_studies(session=db_session)
    if caller.role != "admin":
        mine = {
            s.study_id
            for s in db.staff_of_account(session=db_session, account_id=caller.account_id, role="coordinator")
        }
        studies = [s for s in studies if s.id in mine]
    return [{"study": s.slug, "title": s.title} for s in studies]


@router.post(
    "/api/study/studies/{slug}/staff",
    response_model=Message,
    summary="Link an account as a "
    "coordinator (a coach account) or a rater (a rater account) of the study (admins only)",
)
def link_staff(slug: str, body: StaffLink, db_session: DbDep, caller: AdminDep) -> Message:
    study = _study(db_session, slug)
    return Message(detail=study_staff.link(session=db_session, study=study, email=body.email, role=body.role,
                                           actor=caller.email))


@router.post(
    "/api/study/studies/{slug}/staff/unlink",
    response_model=Message,
    summary="Unlink an account from the study as its coordinator or rater (admins only); the staff row and "
    "its ratings stay in the study",
)
def unlink_staff(slug: str, body: StaffLink, db_session: DbDep, caller: AdminDep) -> Message:
    study = _study(db_session, slug)
    return Message(detail=study_staff.unlink(session=db_session, study=study, email=body.email,
                                             role=body.role, actor=caller.email))


@router.get("/api/study/staff", response_model=list[StudyStaffOut],
            summary="Every study with its coordinators and raters and the account acting as each "
            "(admins only)")
def every_study_staff(db_session: DbDep, caller: AdminDep) -> list[dict[str, Any]]:
    return [{"study": s.study, "title": s.title,
             "staff": [{"role": m.role, "name": m.name, "email": m.email} for m in s.staff]}
            for s in study_staff.every_study(session=db_session)]


@router.get(
    "/api/study/studies/{slug}",
    response_model=StudyOverview,
    summary="The study's participants, visits, adherence and raters",
)
def overview(
    slug: str, study: CoordinatedStudy, request: Request, db_session: DbDep, caller: CallerDep
) -> dict[str, Any]:
    return verbs.coordinator_overview(store=request.app.state.store, slug=slug, today=_today())


@router.post(
    "/api/study/studies/{slug}/participants",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentOut,
    summary="Assess an account holder for the study and enrol them if eligible",
)
def enrol(
    slug: str, study: CoordinatedStudy, body: Enrolment, db_session: DbDep, caller: CallerDep
) -> dict[str, Any]:
    account = accounts.get_account_by_email(session=db_session, email=body.email)
    if account is None:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            f"There is no account {body.email}: the person signs up first.",
        )
    outcome = service.enrol(
        session=db_session,
        study=study,
        profile_id=account.profile_id,
        age=body.age,
        sex=body.sex,
        actor=caller.email,
    )
    return {
        "code": outcome.code,
        "eligible": outcome.eligible,
        "reasons": list(outcome.reasons),
        "already": outcome.already,
    }


@router.post(
    "/api/study/studies/{slug}/participants/{code}/randomise",
    response_model=RandomisationOut,
    summary="Randomise a participant whose baseline visit is complete (reveals only their arm)",
)
def randomise(
    slug: str, study: CoordinatedStudy, code: str, db_session: DbDep, caller: CallerDep
) -> dict[str, Any]:
    result = service.randomise(session=db_session, study=study, code=code, actor=caller.email)
    return {
        "code": result.code,
        "arm": result.arm,
        "arm_label": result.arm_label,
        "randomised_at": result.randomised_at.isoformat(),
        "already": result.already,
    }


@router.post(
    "/api/study/studies/{slug}/participants/{code}/withdraw",
    response_model=Message,
    summary="Record a withdrawal with its reason",
)
def withdraw(
    slug: str, study: CoordinatedStudy, code: str, body: Withdrawal, db_session: DbDep, caller: CallerDep
) -> Message:
    service.withdraw(session=db_session, study=study, code=code, reason=body.reason, actor=caller.email)
    return Message(detail=f"{code} withdrawn from the study.")


@router.post(
    "/api/study/studies/{slug}/participants/{code}/visits/{visit}/missed",
    response_model=Message,
    summary="Record a missed visit with its reason",
)
def missed(
    slug: str,
    study: CoordinatedStudy,
    code: str,
    visit: str,
    body: Missed,
    db_session: DbDep,
    caller: CallerDep,
) -> Message:
    from facefit.study.visits import mark_missed

    mark_missed(
        session=db_session, study=study, code=code, visit=visit, reason=body.reason, actor=caller.email
    )
    return Message(detail=f"{code}: visit {visit} recorded as missed.")


@router.post(
    "/api/study/studies/{slug}/raters/{name}/queue",
    response_model=Message,
    summary="Queue every rateable photo for a rater (do it after the last visit for full blinding)",
)
def open_queue(
    slug: str, study: CoordinatedStudy, name: str, db_session: DbDep, caller: CallerDep
) -> Message:
    try:
        added = rating.open_queue(session=db_session, study=study, name=name, actor=caller.email)
    except rating.NotARaterError as error:  # the problem, with the web's way to add a rater
        raise HTTPException(status.HTTP_404_NOT_FOUND, error_text(error)) from None
    return Message(detail=f"{added} {'photo' if added == 1 else 'photos'} queued for {name}.")


@router.get(
    "/api/study/studies/{slug}/results",
    response_model=StudyResults,
    summary="The analysis: ANCOVA, mixed model, ITT and per protocol, reliability, CONSORT counts",
)
def results(
    slug: str, study: CoordinatedStudy, request: Request, db_session: DbDep, caller: CallerDep
) -> dict[str, Any]:
    return verbs.results(store=request.app.state.store, slug=slug, today=_today()).to_dict()


@router.get(
    "/api/study/studies/{slug}/report",
    response_class=HTMLResponse,
    summary="The study report (self-contained HTML)",
)
def report(
    slug: str, study: CoordinatedStudy, request: Request, db_session: DbDep, caller: CallerDep
) -> Response:
    with tempfile.TemporaryDirectory(prefix="facefit-study-report-") as folder:
        written = verbs.report(
            store=request.app.state.store, slug=slug, out=Path(folder) / "report.html", today=_today()
        )
        html = written.html.read_text(encoding="utf-8")
    return HTMLResponse(html, headers=NO_STORE)


@router.get(
    "/api/study/studies/{slug}/export.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "The tidy CSV"}},
    summary="Tidy CSV: one row per participant x visit x endpoint (schema facefit.study.tidy/1)",
)
def export(
    slug: str, study: CoordinatedStudy, request: Request, db_session: DbDep, caller: CallerDep
) -> Response:
    from facefit.study.data import gather
    from facefit.study.export import tidy_csv

    text = tidy_csv(gather(session=db_session, study=study, today=_today()))
    return Response(
        text,
        media_type="text/csv",
        headers={**NO_STORE, "Content-Disposition": f'attachment; filename="{slug}-tidy.csv"'},
    )


# --- participants (their own data only) ------------------------------------------------------------------


@router.get(
    "/api/study/me",
    response_model=list[MyStudyOut],
    summary="The studies I take part in: my visits, my programme, my adherence",
)
def me(request: Request, caller: MemberDep) -> list[dict[str, Any]]:
    return verbs.my_participation(store=request.app.state.store, profile_id=caller.profile_id, today=_today())


def _my_participant(db_session: Session, caller: Caller, slug: str) -> db.StudyParticipant:
    row = db.get_study(session=db_session, slug=slug)
    found = (
        None
        if row is None
        else db.participant_of_profile(session=db_session, study_id=row.id, profile_id=caller.profile_id)
    )
    if found is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"You are not taking part in a study {slug!r}.")
    return found


def _visit_photo(
    request: Request, caller: Caller, slug: str, code: str, visit: str, data: bytes, name: str
) -> dict[str, Any]:
    from facefit.photos.files import decode_photo
    from facefit.study.visits import add_visit_photo

    loaded = decode_photo(data, name)
    with image_landmarker(request.app.state) as landmarker:
        result = add_visit_photo(
            store=request.app.state.store,
            slug=slug,
            code=code,
            visit=visit,
            photo=loaded,
            landmarker=landmarker,
            actor=caller.email,
            source_name=name,
        )
    return {
        "visit": result.visit,
        "position": result.position,
        "needed": result.needed,
        "complete": result.complete,
        "outside_window": result.outside_window,
    }


@router.post(
    "/api/study/me/{slug}/visits/{visit}/photos",
    status_code=status.HTTP_201_CREATED,
    response_model=VisitPhotoOut,
    summary="Take one of my visit photos (multipart field 'file'); it goes through the photo gate",
)
async def visit_photo(slug: str, visit: str, request: Request, caller: MemberDep) -> dict[str, Any]:
    with request.app.state.store.transaction() as session:
        code = _my_participant(session, caller, slug).code
    data, name, _ = await read_photo_form(request, max_fields=2)
    return await run_in_threadpool(_visit_photo, request, caller, slug, code, visit, data, name)


# --- raters (blinded) --------------------------------------------------------------------------------------


@router.get("/api/rate/queues", response_model=list[RatingQueue], summary="My rating queues")
def queues(db_session: DbDep, caller: CallerDep) -> list[RatingQueue]:
    if caller.role != "rater":
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Only rater accounts rate photos.")
    out = []
    for staff in db.staff_of_account(session=db_session, account_id=caller.account_id, role="rater"):
        row = db_session.get(db.Study, staff.study_id)
        if row is None:
            continue
        done, total = rating.progress(session=db_session, staff=staff)
        out.append(RatingQueue(study=row.slug, rated=done, total=total))
    return out


def _next(study: service.LoadedStudy, staff: db.StudyStaff, db_session: Session) -> RatingNext:
    done, total = rating.progress(session=db_session, staff=staff)
    item = rating.next_item(session=db_session, staff=staff)
    out = (
        None
        if item is None
        else RatingItemOut(
            token=item.token,
            image=f"/api/rate/{study.slug}/photo/{item.token}",
            number=item.number,
            total=item.total,
        )
    )
    from facefit.study.definition import CHEEK_SCALE

    return RatingNext(
        done=item is None,
        rated=done,
        total=total,
        item=out,
        age_range=study.definition.rating.age_range,
        cheek_range=CHEEK_SCALE,
    )


@router.get("/api/rate/{slug}/next", response_model=RatingNext, summary="My next photo to rate")
def next_item(slug: str, queue: RaterQueue, db_session: DbDep, caller: CallerDep) -> RatingNext:
    study, staff = queue
    return _next(study, staff, db_session)


@router.get(
    "/api/rate/{slug}/photo/{token}",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}, "description": "The face, as JPEG"}},
    summary="A blinded photo: the face only, freshly encoded, no metadata",
)
def blinded_photo(slug: str, queue: RaterQueue, token: str, db_session: DbDep, caller: CallerDep) -> Response:
    _study_row, staff = queue
    try:
        data = rating.blinded_jpeg(session=db_session, staff=staff, token=token)
    except rating.RatingNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, rating.NO_SUCH_ITEM) from None
    return Response(data, media_type="image/jpeg", headers=NO_STORE)


@router.post(
    "/api/rate/{slug}/items/{token}",
    response_model=RatingNext,
    summary="Rate one photo (final once given); returns my next photo",
)
def rate(
    slug: str, queue: RaterQueue, token: str, body: RatingIn, db_session: DbDep, caller: CallerDep
) -> RatingNext:
    study, staff = queue
    try:
        rating.submit(
            session=db_session,
            study=study,
            staff=staff,
            token=token,
            apparent_age=body.apparent_age,
            upper_cheek=body.upper_cheek,
            lower_cheek=body.lower_cheek,
        )
    except rating.RatingNotFoundError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, rating.NO_SUCH_ITEM) from None
    return _next(study, staff, db_session)
