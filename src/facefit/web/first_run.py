"""The first-run path: what a new person does before their first coached routine, and why.

Account -> screening -> calibration -> programme -> first routine. Each step's "done" is read from the
store every time (nothing separate is kept), so the path resumes wherever the person left it, in any
browser, and a step done elsewhere (the terminal, another tab) counts.

The path is a member's. Staff accounts have no setup to do: a coach goes straight to their clients, and
an admin or a rater sees one plain line saying so, with links to the pages their role is for
(:func:`staff_start`), as the dashboard shows them no setup either.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class SetupStep:
    key: str
    title: str
    why: str
    done: bool
    href: str
    action: str


@dataclass(frozen=True)
class StaffStart:
    """What /start says to a staff account instead of the member's steps: who the account is for and
    its own pages (href, label, what it is for)."""

    sentence: str
    pages: tuple[tuple[str, str, str], ...]
    command: str = ""
    """The terminal command this role uses on the server (shown as code under its pages)."""


STAFF_START: dict[str, StaffStart] = {
    "admin": StaffStart(
        "This is an admin account, for running FaceFit: there is no health screening, calibration or "
        "programme to set up for it.",
        (("/study/coordinate", "Studies", "every study on this server, its participants and its results"),
         ("/study/staff", "Study staff", "who coordinates each study and who rates its photos"),
         ("/coach", "Clients", "members who invited you to read their practice"),
         ("/account", "Account", "your password and API tokens")),
        "facefit web-role EMAIL ROLE"),
    "rater": StaffStart(
        "This is a rater account, for rating study photos without knowing whose they are or when they "
        "were taken: there is nothing to set up for it.",
        (("/study/rate", "Rate photos", "the photos waiting for your rating"),
         ("/account", "Account", "your password"))),
}


def staff_start(role: str) -> StaffStart | None:
    """What /start shows an admin or a rater; None for a member (the setup steps) and a coach (sent to
    /coach)."""
    return STAFF_START.get(role)


def has_member_data(*, session: Session, profile_id: int) -> bool:
    """Whether the profile holds any of a member's own data: a screening, a calibration, a programme, a
    practice session or a photo (an admin may also practise; the menu then leads with the member's pages)."""
    from facefit.habits.service import current_enrolment
    from facefit.safety.service import current_clearance
    from facefit.store.calibration import load_calibration
    from facefit.store.photos import get_baseline, list_photos
    from facefit.store.web import list_sessions

    return (current_clearance(session=session, profile_id=profile_id) is not None
            or load_calibration(session=session, profile_id=profile_id) is not None
            or current_enrolment(session=session, profile_id=profile_id) is not None
            or bool(list_sessions(session=session, profile_id=profile_id, limit=1))
            or get_baseline(session=session, profile_id=profile_id) is not None
            or bool(list_photos(session=session, profile_id=profile_id)))


def setup_steps(*, session: Session, profile_id: int, today: date | None = None) -> list[SetupStep]:
    """The five steps with whether each is done, in order."""
    from facefit.catalog.loader import load_catalog
    from facefit.habits.figures import habit_figures
    from facefit.habits.service import current_enrolment, practice_by_day
    from facefit.safety.service import current_clearance
    from facefit.store.calibration import load_calibration

    screened = current_clearance(session=session, profile_id=profile_id) is not None
    calibrated = load_calibration(session=session, profile_id=profile_id) is not None
    enrolled = current_enrolment(session=session, profile_id=profile_id) is not None
    # Done when a routine was done in full on some day, by the same rule as the dashboard's "done"
    # (habits.adherence.PracticeDay.practised): one exercise of a longer routine does not tick it.
    days = practice_by_day(session=session, profile_id=profile_id, catalog=load_catalog()).values()
    practised = any(day.practised for day in days)
    started = any(day.sessions for day in days)
    routine = "starter"
    if enrolled:
        figures = habit_figures(session=session, profile_id=profile_id, today=today or date.today())
        record = figures.today_record
        routine = record.routine_id if record is not None and record.routine_id else routine
    return [
        SetupStep("account", "Create your account", "Your sessions and photos are kept on this server, for "
                  "you alone.", True, "/account", "Account"),
        SetupStep("screening", "Answer the health screening",
                  "A few yes/no questions (jaw joint trouble, a recent procedure, a nerve condition...). "
                  "Some exercises are not safe with some conditions: your routine leaves those out or swaps "
                  "them.",
                  screened, "/screening?next=/start", "Answer the questions"),
        SetupStep("calibration", "Calibrate your resting face",
                  "Five seconds of your relaxed face, looking at the camera. Every movement is then measured "
                  "from your own rest, so your face shape never counts as effort.",
                  calibrated, "/calibrate?next=/start", "Calibrate"),
        SetupStep("programme", "Choose a programme",
                  "A plan of practice days (5 to 7 a week): it tells you what to do each day and makes your "
                  "adherence measurable.", enrolled, "/start#programme", "Choose below"),
        SetupStep("first-routine", "Do your first routine with the coach",
                  _routine_why(started), practised, f"/practice?routine={routine}", "Start the routine"),
    ]


def _routine_why(started: bool) -> str:
    """Why the last step matters; once some exercises are done, what is still missing (a single
    exercise is practice, but the step asks for every exercise of a routine on one day)."""
    if started:
        return ("You have practised single exercises already. This step is done when you finish every "
                "exercise of a routine on one day: the Practice page takes you through them in order.")
    return ("The camera counts your reps and times your holds against each card; the video never leaves "
            "your device, only face points are sent.")
