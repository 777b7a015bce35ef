"""Session-scoped synth clips (rendered once, in memory, 480x360 at 15 fps) and their signals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from coach.clips import signals_of_clip
from facefit.signals.names import SignalSeries

SIZE = (480, 360)
FPS = 15.0


@pytest.fixture(scope="session")
def synth_signals(real_data: Path, image_landmarker: Any) -> Callable[..., tuple[SignalSeries, Any]]:
    """``make(exercise, **spec)`` -> (signals of the clip, its truth); each clip is built once."""
    from facefit.synth.clip import prepare_clip
    from facefit.synth.face import prepare_face
    from facefit.synth.spec import ClipSpec

    face = prepare_face(str(real_data / "obama.jpg"), SIZE, landmarker=image_landmarker)
    cache: dict[tuple[Any, ...], tuple[SignalSeries, Any]] = {}

    def make(exercise: str, **spec: Any) -> tuple[SignalSeries, Any]:
        key = (exercise, *sorted(spec.items()))
        if key not in cache:
            clip = prepare_clip(face, ClipSpec(exercise=exercise, fps=FPS, size=SIZE, **spec))
            cache[key] = (signals_of_clip(clip), clip.truth)
        return cache[key]

    return make
