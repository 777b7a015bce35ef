"""MediaPipe's drawing helpers, loaded only if something draws.

``import mediapipe`` imports ``mediapipe.tasks.python.vision``, which imports its ``drawing_utils`` and
``drawing_styles``, and with them ``matplotlib.pyplot``: ~0.6 s of the ~0.9 s of CPU MediaPipe takes to
import (``python -X importtime -c "import mediapipe"``). Measuring visit photos never draws, and every
``facefit study analyze`` process (the one process, or the fork server its Dask workers come from) pays
that import before its first photo.

:func:`defer_mediapipe_drawing` puts a finder in front of the import system for those two modules only:
the import system creates and binds them as usual (``vision.drawing_utils`` is there), but their code
runs on the first use of one of their names, so anything that draws still gets the real module.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
import types
from collections.abc import Sequence
from typing import Any

DEFERRED = frozenset(
    {"mediapipe.tasks.python.vision.drawing_utils", "mediapipe.tasks.python.vision.drawing_styles"}
)


class _DeferredModule(types.ModuleType):
    """A module whose code runs when one of its names is first read."""

    _facefit_real_loader: Any

    def __getattr__(self, name: str) -> Any:  # called only for names not (yet) in the module
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # the import system's own probes must not load it
        loader = self.__dict__.pop("_facefit_real_loader", None)
        if loader is None:
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}")
        loader.exec_module(self)
        return getattr(self, name)


class _DeferredLoader(importlib.abc.Loader):
    def __init__(self, real: importlib.abc.Loader) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        module = _DeferredModule(spec.name)
        module._facefit_real_loader = self.real
        return module

    def exec_module(self, module: types.ModuleType) -> None:
        """Nothing yet: the real code runs on first use (:meth:`_DeferredModule.__getattr__`)."""


class _DeferDrawing(importlib.abc.MetaPathFinder):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: types.ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in DEFERRED:
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None or real.loader is None:
            return None
        spec = importlib.util.spec_from_loader(fullname, _DeferredLoader(real.loader), origin=real.origin)
        if spec is not None:
            spec.has_location = real.has_location
        return spec


def defer_mediapipe_drawing() -> None:
    """Install the finder (once per process; it does nothing if MediaPipe's vision package is already
    imported)."""
    if "mediapipe.tasks.python.vision" in sys.modules:
        return
    if not any(isinstance(finder, _DeferDrawing) for finder in sys.meta_path):
        sys.meta_path.insert(0, _DeferDrawing())
