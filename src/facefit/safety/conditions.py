"""What screening asks, which condition each answer means, and what FaceFit does about each condition.

The questions are the seeds' list: TMJ/jaw pain, facial nerve disorders, rosacea or sensitive skin,
recent procedures, active skin conditions, pregnancy-related changes and current pain. Each condition
has a rule: ``modified`` (practise, but skip or replace the exercises it rules out) or
``consult-first`` (see a clinician; starting needs an explicit acknowledgement). Exercises name the
conditions they are contraindicated for in the catalog; a rule can also rule out whole movements
(a jaw glide with a TMJ disorder) so a new exercise cannot slip through by forgetting a tag.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Level(StrEnum):
    """Clearance levels, mildest first (the overall verdict is the strictest condition's level)."""

    OK = "ok"
    MODIFIED = "modified"
    CONSULT_FIRST = "consult-first"

    @property
    def rank(self) -> int:
        return list(Level).index(self)


@dataclass(frozen=True)
class ConditionRule:
    """One condition: the question that detects it, its level, what to skip, and the advice shown."""

    id: str
    name: str
    question: str
    level: Level
    advice: str
    skip_movements: tuple[str, ...] = ()


RULES: tuple[ConditionRule, ...] = (
    ConditionRule(
        id="tmj",
        name="TMJ / jaw joint disorder",
        question="Do you have a TMJ (jaw joint) disorder, or jaw pain, clicking or locking?",
        level=Level.MODIFIED,
        advice="Jaw glides and exercises that load the jaw joint are left out. Stop at any click or ache, "
        "and ask a dentist or doctor before adding jaw work.",
        skip_movements=("jaw-glide",),
    ),
    ConditionRule(
        id="facial-nerve-disorder",
        name="facial nerve disorder (Bell's palsy, facial palsy, trigeminal neuralgia)",
        question="Have you had Bell's palsy, facial palsy, trigeminal neuralgia or another facial nerve "
        "disorder?",
        level=Level.CONSULT_FIRST,
        advice="Facial exercise after nerve damage needs a clinician's plan (done wrongly it can "
        "strengthen unwanted co-contractions). Talk to your doctor or a facial therapist first.",
    ),
    ConditionRule(
        id="rosacea-sensitive-skin",
        name="rosacea or sensitive skin",
        question="Do you have rosacea, or sensitive skin that flushes or stings easily?",
        level=Level.MODIFIED,
        advice="Massage and tapping can trigger flushing, so those steps are left out; use only products "
        "your skin already tolerates.",
    ),
    ConditionRule(
        id="recent-procedure",
        name="recent injectables, fillers, facial surgery or dental work",
        question="In the last 3 months, have you had injectables (e.g. botulinum toxin), fillers, facial "
        "surgery or dental work?",
        level=Level.CONSULT_FIRST,
        advice="Pressing and moving treated areas can shift fillers or toxin and disturb healing. Ask the "
        "clinician who treated you when you can start.",
    ),
    ConditionRule(
        id="active-skin-condition",
        name="active skin condition on the face",
        question="Do you have an active skin condition on your face right now (acne flare, eczema, "
        "dermatitis, infection, open wound)?",
        level=Level.MODIFIED,
        advice="Steps that touch or rub the skin are left out until it has healed.",
    ),
    ConditionRule(
        id="pregnancy",
        name="pregnancy or pregnancy-related facial changes",
        question="Are you pregnant, or have you noticed facial changes related to pregnancy (swelling, "
        "numbness, weakness)?",
        level=Level.CONSULT_FIRST,
        advice="Facial swelling, numbness or weakness in pregnancy can need prompt medical attention; "
        "check with your midwife or doctor before starting.",
    ),
    ConditionRule(
        id="current-pain",
        name="pain in the face, jaw or neck right now",
        question="Do you have pain in your face, jaw, neck or head right now?",
        level=Level.CONSULT_FIRST,
        advice="Never exercise through pain. Re-screen when it has gone; see a doctor if it lasts more "
        "than a few days.",
    ),
)

RULES_BY_ID: dict[str, ConditionRule] = {rule.id: rule for rule in RULES}
CONDITION_IDS: tuple[str, ...] = tuple(rule.id for rule in RULES)

#: Re-screen after this many weeks even without a safety event.
RESCREEN_AFTER_WEEKS = 12
