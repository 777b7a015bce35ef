"""Errors the safety stage raises; each is one sentence the user can act on."""

from __future__ import annotations

from facefit.errors import FaceFitError, InputError


class ScreeningInputError(InputError):
    """A screening answers file is unreadable, incomplete or has unknown questions."""


class SafetyBlockError(FaceFitError):
    """Practice may not start: an unacknowledged safety event, or a consult-first clearance."""

    exit_code = 4


class NotScreenedError(FaceFitError):
    """An action needs a screening first (e.g. enrolling in a programme)."""
