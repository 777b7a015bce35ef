"""User-facing errors: one clear sentence naming the problem and, where possible, the fix.

The CLI prints ``str(error)`` without a traceback and exits with ``error.exit_code``; the web app
maps them to 4xx responses. Anything else that escapes is a bug.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping


class NextStep(enum.StrEnum):
    """What a person can do about an error, which each door words its own way: the terminal names a
    command (``facefit.cli._steps``), the web the page or button to use (``facefit.web.responses``).
    An error that has one says only the problem in its message and carries the step beside it."""

    ADD_BASELINE_PHOTO = "add-baseline-photo"
    """Add a first (baseline) progress photo."""
    LIST_PHOTOS = "list-photos"
    """Pick a stored photo by what the photo list shows."""
    SCREEN = "screen"
    """Answer the health screening."""
    ENROL_CLEARED = "enrol-cleared"
    """Enrol again, stating that a clinician has cleared them (after a consult-first screening)."""
    ENROL = "enrol"
    """Enrol in a programme."""
    CREATE_STUDY = "create-study"
    """Create a study (an admin, on the server)."""
    ADD_RATER = "add-rater"
    """Add a rater to the study (fact: ``slug``)."""


class FaceFitError(Exception):
    """Base class for errors a user can act on.

    ``str(error)`` is the problem, one sentence. ``step``, when set, is the way out that a door adds in
    its own words (:func:`worded`), with ``step_facts`` (e.g. a study's slug) to fill them in."""

    exit_code: int = 2
    step: NextStep | None = None
    step_facts: Mapping[str, str] = {}

    def __init__(self, *args: object, step: NextStep | None = None, **facts: str) -> None:
        super().__init__(*args)
        if step is not None:
            self.step = step
        if facts:
            self.step_facts = facts


def worded(error: FaceFitError, steps: Mapping[NextStep, str]) -> str:
    """The error as a door says it: the problem, then the door's words for its next step (if any)."""
    problem = str(error)
    if error.step is None or error.step not in steps:
        return problem
    return f"{problem} {steps[error.step].format(**error.step_facts)}"


class ModelNotFoundError(FaceFitError):
    """The Face Landmarker model file is missing or is not the expected file."""


class InputError(FaceFitError):
    """A file or value given by the user cannot be used (corrupt, wrong type, too large...)."""


class NoFaceError(FaceFitError):
    """No face was found where one was required."""

    exit_code = 3


class CatalogError(FaceFitError):
    """The exercise catalog data is invalid; the message names file, entry and field."""
