"""The web's words for a practice verdict: each :class:`~facefit.practice.start.Action` is a page.

The REST plan routes, the practice page and ``/ws/coach`` all call
:func:`~facefit.practice.start.start_practice` and render its verdict with :func:`refusal_body` or
:func:`plan_body`, so a refusal always links to the page of this app that resolves it (never to a
terminal command) and an allowed plan shows the same filtered steps and warnings everywhere.
"""

from __future__ import annotations

from typing import Any

from facefit.coach.specs import checked_exercises
from facefit.practice.start import Action, Gate, PracticePlan, PracticeWarning, Refusal

PAGES: dict[Action, tuple[str, str]] = {
    Action.SCREEN: ("/screening", "Answer the screening"),
    Action.CLINICIAN_CLEARANCE: ("/safety/consult", "Record your clinician's clearance"),
    Action.ACKNOWLEDGE_STOP: ("/safety/stop", "Read the advice and acknowledge the stop"),
    Action.CHOOSE_ANOTHER: ("/practice", "Choose another exercise or routine"),
    Action.FOLLOW_PLAN: ("/", "See today's plan"),
}


def link(action: Action) -> dict[str, str]:
    href, text = PAGES[action]
    return {"action": str(action), "href": href, "link_text": text}


def refusal_body(refusal: Refusal) -> dict[str, Any]:
    """A refusal as JSON: why (``message``; ``sentence`` with "practice is paused: " when ``paused``),
    what to do, the page that does it, and the stops behind it."""
    return {
        "allowed": False, "reason": str(refusal.reason), "paused": refusal.paused, "message": refusal.message,
        "sentence": refusal.sentence(), "advice": refusal.advice, **link(refusal.action),
        "pending": [{"kind": e.kind, "at": e.at.isoformat(), "what": e.describe(), "advice": e.what_to_do}
                    for e in refusal.pending],
    }


def refusal_sentence(refusal: Refusal) -> str:
    """One line for a status bar or an error reply (the link goes beside it)."""
    return f"{refusal.sentence()} {refusal.advice}"


def warning_body(warning: PracticeWarning) -> dict[str, str]:
    return {"kind": warning.kind, "message": warning.message, **link(warning.action)}


def gate_body(gate: Gate | Refusal) -> dict[str, Any]:
    """:func:`~facefit.practice.start.practice_gate`'s verdict as JSON (``/api/safety``, the dashboard):
    whether practice may start, the refusal that pauses it with its page, or the screening warnings."""
    refused = isinstance(gate, Refusal)
    return {"can_start": not refused, "refusal": refusal_body(gate) if refused else None,
            "warnings": [] if refused else [warning_body(w) for w in gate.warnings]}


def plan_body(plan: PracticePlan) -> dict[str, Any]:
    """An allowed plan as JSON: every step with its numbers, skipped steps with reasons, warnings."""
    coached = set(checked_exercises())
    return {
        "allowed": True, "target": plan.target, "id": plan.session.routine_id or plan.session.exercise_id,
        "name": plan.session.title,
        "description": plan.routine.description if plan.routine is not None else plan.steps[0].exercise.cue,
        "note": plan.note,
        "steps": [{
            "position": step.position, "exercise": step.exercise.id, "name": step.exercise.name,
            "cue": step.exercise.cue, "instructions": list(step.exercise.instructions), "sets": step.sets,
            "reps": step.reps, "hold_s": step.hold_s, "duration_s": step.duration_s,
            "rest_s": step.rest_between_sets_s, "total_s": round(step.total_s, 1),
            "coached": step.exercise.id in coached and step.reps is not None,
        } for step in plan.steps],
        "skipped": plan.step_lines(),
        "warnings": [warning_body(w) for w in plan.warnings],
        "calibration": "stored" if plan.rest is not None else "first-second",
    }
