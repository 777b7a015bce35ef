"""Session-scoped synth clips (rendered once, in memory, 480x360 at 15 fps) and their signals."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from facefit.signals.names import SignalSeries

SIZE = (480, 360)
FPS = 15.0


@pytest.fixture(scope="session")
def synth_signals(real_data: Path, image_landmarker: Any) -> Callable[..., tuple[SignalSeries, Any]]:
    """``make(exercise, **spec)`` -> (signals of the clip, its truth); each clip is built once."""
    from facefit.signals.compute import signals_from_observation
    from facefit.synth.clip import prepare_clip
    from facefit.synth.face import prepare_face
    from facefit.synth.spec import ClipSpec
    from facefit.vision.landmarker import Landmarker, RunningMode

    face = prepare_face(str(real_data / "obama.jpg"), SIZE, landmarker=image_landmarker)
    cache: dict[tuple[Any, ...], tuple[SignalSeries, Any]] = {}

    def make(exercise: str, **spec: Any) -> tuple[SignalSeries, Any]:
        key = (exercise, *sorted(spec.items()))
        if key not in cache:
            clip = prepare_clip(face, ClipSpec(exercise=exercise, fps=FPS, size=SIZE, **spec))
            t_ms, rows = [], []
            with Landmarker(RunningMode.VIDEO) as landmarker:
                for frame in clip.frames():
                    rows.append(signals_from_observation(landmarker.detect(frame.rgb, frame.t_ms)))
                    t_ms.append(frame.t_ms)
            cache[key] = (SignalSeries(np.asarray(t_ms, dtype=float), np.asarray(rows)), clip.truth)
        return cache[key]

    return make
