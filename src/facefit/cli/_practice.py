"""The terminal's words for a practice verdict: each :class:`~facefit.practice.start.Action` is a command.

Every CLI door that starts practice (``routine``, ``routine --coach``, ``coach``) calls
:func:`checked_plan`: a refusal becomes a ``SafetyBlockError`` (exit code 4) that names the command to
run; a plan comes back with the lines to print before the session (skipped steps, warnings).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from facefit.catalog.loader import Catalog
from facefit.practice.start import Action, PracticePlan, PracticeWarning, Refusal, start_practice
from facefit.safety.errors import SafetyBlockError
from facefit.store.db import Store
from facefit.store.profiles import get_or_create_profile

COMMANDS: dict[Action, str] = {
    Action.SCREEN: "facefit screen",
    Action.CLINICIAN_CLEARANCE: "facefit ack --clinician-cleared",
    Action.ACKNOWLEDGE_STOP: "facefit ack",
    Action.CHOOSE_ANOTHER: "facefit catalog list",
    Action.FOLLOW_PLAN: "facefit today",
}


def refusal_text(refusal: Refusal) -> str:
    """Why practice may not start, what to do, and the command that does it."""
    return f"{refusal.sentence()} {refusal.advice} Run `{COMMANDS[refusal.action]}`."


def warning_text(warning: PracticeWarning) -> str:
    return f"{warning.message} (`{COMMANDS[warning.action]}`)"


def plan_lines(plan: PracticePlan) -> list[str]:
    """What to print before the session: each skipped or replaced step, then each warning."""
    return [f"screening: {line}" for line in plan.step_lines()] + [
        f"warning: {warning_text(w)}" for w in plan.warnings]


def profile_plan(db: Store, profile: str, target: str) -> tuple[int, PracticePlan]:
    """``profile``'s id and plan for ``target`` (a refusal raises), read in one transaction of ``db``."""
    with db.transaction() as session:
        profile_id = get_or_create_profile(session=session, name=profile).id
        return profile_id, checked_plan(session=session, profile_id=profile_id, target=target)


def checked_plan(
    *, session: Session, profile_id: int, target: str, catalog: Catalog | None = None
) -> PracticePlan:
    """:func:`~facefit.practice.start.start_practice`, with a refusal raised as ``SafetyBlockError``."""
    verdict = start_practice(session=session, profile_id=profile_id, target=target, catalog=catalog)
    if isinstance(verdict, Refusal):
        raise SafetyBlockError(refusal_text(verdict))
    return verdict
