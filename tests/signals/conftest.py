"""Signal fixtures: the same real photos and observations as tests/vision (computed once per session)."""

from __future__ import annotations

from vision.conftest import mirrored_observations, photo_observations, photos  # noqa: F401
