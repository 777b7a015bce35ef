"""User-facing errors: one clear sentence naming the problem and, where possible, the fix.

The CLI prints ``str(error)`` without a traceback and exits with ``error.exit_code``; the web app
maps them to 4xx responses. Anything else that escapes is a bug.
"""

from __future__ import annotations


class FaceFitError(Exception):
    """Base class for errors a user can act on."""

    exit_code: int = 2


class ModelNotFoundError(FaceFitError):
    """The Face Landmarker model file is missing or is not the expected file."""


class InputError(FaceFitError):
    """A file or value given by the user cannot be used (corrupt, wrong type, too large...)."""


class NoFaceError(FaceFitError):
    """No face was found where one was required."""

    exit_code = 3


class CatalogError(FaceFitError):
    """The exercise catalog data is invalid; the message names file, entry and field."""
