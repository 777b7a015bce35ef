"""FaceFit: camera-coached facial exercise with honest, measured progress.

The public verbs, one per stage of ``frames -> landmarks -> signals -> engine -> events -> store ->
reports``. They are imported lazily (PEP 562) so that ``import facefit`` costs nothing and a script
that only reads the catalog never loads MediaPipe, OpenCV or SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS: dict[str, str] = {
    # catalog
    "load_catalog": "facefit.catalog.loader",
    "plan": "facefit.catalog.schedule",
    # vision
    "resolve_model_path": "facefit.vision.model",
    "Landmarker": "facefit.vision.landmarker",
    "RunningMode": "facefit.vision.landmarker",
    "FaceObservation": "facefit.vision.observation",
    "open_source": "facefit.vision.sources",
    "head_pose": "facefit.vision.pose",
    # signals
    "SIGNAL_NAMES": "facefit.signals.names",
    "Signal": "facefit.signals.names",
    "SignalSeries": "facefit.signals.names",
    "signals_from_arrays": "facefit.signals.compute",
    "signals_from_observation": "facefit.signals.compute",
    "extract_signals": "facefit.signals.extract",
    "Calibration": "facefit.signals.calibration",
    # synth
    "make_clip": "facefit.synth.clip",
    # coach
    "Engine": "facefit.coach.engine",
    "analyze_video": "facefit.practice.analyze",
    # store
    "open_store": "facefit.store.db",
}

__all__ = [
    "SIGNAL_NAMES",
    "Calibration",
    "Engine",
    "FaceObservation",
    "Landmarker",
    "RunningMode",
    "Signal",
    "SignalSeries",
    "__version__",
    "analyze_video",
    "extract_signals",
    "head_pose",
    "load_catalog",
    "make_clip",
    "open_source",
    "open_store",
    "plan",
    "resolve_model_path",
    "signals_from_arrays",
    "signals_from_observation",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'facefit' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:
    from facefit.catalog.loader import load_catalog
    from facefit.catalog.schedule import plan
    from facefit.coach.engine import Engine
    from facefit.practice.analyze import analyze_video
    from facefit.signals.calibration import Calibration
    from facefit.signals.compute import signals_from_arrays, signals_from_observation
    from facefit.signals.extract import extract_signals
    from facefit.signals.names import SIGNAL_NAMES, Signal, SignalSeries
    from facefit.store.db import open_store
    from facefit.synth.clip import make_clip
    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.vision.model import resolve_model_path
    from facefit.vision.observation import FaceObservation
    from facefit.vision.pose import head_pose
    from facefit.vision.sources import open_source
