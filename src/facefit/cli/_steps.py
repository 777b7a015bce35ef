"""The terminal's words for an error's next step (:class:`facefit.errors.NextStep`): a command to run.

The error names the problem; ``facefit.cli.main`` prints it with these words after it. The web says
the same steps as pages and buttons (``facefit.web.responses.WEB_STEPS``).
"""

from __future__ import annotations

from facefit.errors import FaceFitError, NextStep, worded

TERMINAL_STEPS: dict[NextStep, str] = {
    NextStep.ADD_BASELINE_PHOTO: "Add one with `facefit photo add FILE` first.",
    NextStep.LIST_PHOTOS: "Use an id or a hash prefix from `facefit photo list`.",
    NextStep.SCREEN: "Run `facefit screen` first.",
    NextStep.ENROL_CLEARED: "Once a clinician has cleared you, enrol again with --clinician-cleared.",
    NextStep.ENROL: "Run `facefit enrol PROGRAMME` first.",
    NextStep.CREATE_STUDY: "Create one with `facefit study create FILE --seed N`.",
    NextStep.ADD_RATER: "Add them with `facefit study rate {slug} --rater NAME --add-rater`.",
}


def error_text(error: FaceFitError) -> str:
    """What the terminal prints for ``error``: its problem and the command that is the way out."""
    return worded(error, TERMINAL_STEPS)
