"""A synth clip's frames through a fresh VIDEO landmarker into signals (the tests' clip -> signals step)."""

from __future__ import annotations

from typing import Any

import numpy as np

from facefit.signals.names import SignalSeries


def signals_of_clip(clip: Any) -> SignalSeries:
    """Every frame of ``clip`` (a prepared ``facefit.synth.clip`` clip) through the real Face Landmarker."""
    from facefit.signals.compute import signals_from_observation
    from facefit.vision.landmarker import Landmarker, RunningMode

    t_ms, rows = [], []
    with Landmarker(RunningMode.VIDEO) as landmarker:
        for frame in clip.frames():
            rows.append(signals_from_observation(landmarker.detect(frame.rgb, frame.t_ms)))
            t_ms.append(frame.t_ms)
    return SignalSeries(np.asarray(t_ms, dtype=float), np.asarray(rows))
