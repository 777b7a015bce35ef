"""Offline analysis: a recorded video (or already-extracted signals) through the engine, as one dict.

The dict is the ``facefit analyze --json`` contract other tools rely on; keep its field names.
Perception is imported lazily so that the engine and this module's pure part load without MediaPipe.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import numpy as np

from facefit.coach.engine import Engine
from facefit.errors import NoFaceError
from facefit.signals.names import SignalSeries

if TYPE_CHECKING:
    from facefit.signals.extract import Extraction
    from facefit.vision.landmarker import Landmarker

#: Field names of the ``facefit analyze --json`` object, in order.
ANALYZE_FIELDS: tuple[str, ...] = (
    "exercise", "fps", "frames", "frames_without_face", "calibration", "reps", "holds", "faults", "safety",
)


def analyze_series(
    series: SignalSeries,
    *,
    exercise_id: str,
    fps: float | None,
    frames: int | None = None,
    frames_without_face: int | None = None,
    rest: np.ndarray | None = None,
    reps_target: int | None = None,
    hold_target_s: float | None = None,
    smoothed: bool = False,
) -> tuple[dict[str, Any], Engine]:
    """Run the engine over ``series``; returns the contract dict and the engine (for its events).
    ``smoothed``: the landmarks came smoothed over time (coach.engine.Engine)."""
    engine = Engine.for_exercise(exercise_id, rest=rest, reps_target=reps_target, hold_target_s=hold_target_s,
                                 smoothed=smoothed)
    engine.run(series)
    engine.finish()
    summary = engine.summary()
    missing = int(np.count_nonzero(~(series.column("face_present") > 0.5)))
    result = {
        "exercise": exercise_id,
        "fps": None if fps is None else round(float(fps), 3),
        "frames": len(series) if frames is None else frames,
        "frames_without_face": missing if frames_without_face is None else frames_without_face,
        "calibration": summary["calibration"],
        "reps": summary["reps"],
        "holds": summary["holds"],
        "faults": summary["faults"],
        "safety": summary["safety"],
    }
    return result, engine


def analyze_extraction(
    extraction: Extraction, *, exercise_id: str, rest: np.ndarray | None = None
) -> tuple[dict[str, Any], Engine]:
    """The engine over an :class:`~facefit.signals.extract.Extraction`; NoFaceError if no frame had a face."""
    if extraction.frames and extraction.frames_without_face == extraction.frames:
        raise NoFaceError(
            f"No face found in any of the {extraction.frames} frames of {extraction.source}; "
            "face the camera in even light."
        )
    return analyze_series(
        extraction.series, exercise_id=exercise_id, fps=extraction.fps, frames=extraction.frames,
        frames_without_face=extraction.frames_without_face, rest=rest, smoothed=extraction.smoothed,
    )


def analyze_video(
    path: str | os.PathLike[str],
    *,
    exercise_id: str,
    rest: np.ndarray | None = None,
    progress: bool = False,
    landmarker: Landmarker | None = None,
    max_side: int | None = None,
) -> tuple[dict[str, Any], Engine]:
    """Landmarks, signals and the engine over a video file (the spec is checked before any decoding)."""
    from facefit.coach.specs import spec_for
    from facefit.signals.extract import extract_signals

    spec_for(exercise_id)
    extraction = extract_signals(path, progress=progress, landmarker=landmarker, max_side=max_side)
    return analyze_extraction(extraction, exercise_id=exercise_id, rest=rest)
