"""The first-run path: what a new person does before their first coached routine, and why.

Account -> screening -> calibration -> programme -> first routine. Each step's "done" is read from the
store every time (nothing separate is kept), so the path resumes wherever the person left it, in any
browser, and a step done elsewhere (the terminal, another tab) counts.
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
