"""Writing files atomically, and parsing the JSON/TOML a person hands us without letting its nesting
crash the program.

Writes: readers (and crashes) see the old file or all of the new one, never half. Base layer like
``config`` and ``errors``: any stage may import it. Temp files are named ``.tmp-facefit-<pid>-...`` in
the target's directory, so a writer killed mid-write can be told from one still running
(:func:`facefit.photos.files.remove_stale_temp_files`). An existing target that is not a regular file
(``/dev/null``, ``/dev/full``, a folder, a pipe) is refused: renaming over it would replace a device
with a file.

Reads: :func:`parse_bounded` runs ``json.loads`` or ``tomllib.loads`` and refuses a document nested
deeper than :data:`MAX_NESTING` (a 3,000-deep array is a ``RecursionError`` traceback otherwise).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from facefit.errors import InputError

TEMP_PREFIX = ".tmp-facefit-"
MAX_NESTING = 32
"""Deepest nesting accepted in a JSON or TOML file a person gives a command (FaceFit's own need <= 5)."""


class NestingError(ValueError):
    """A document nested deeper than allowed; the message says how deep is allowed."""


def nesting_depth(value: Any) -> int:
    """How deeply lists and dicts nest in ``value`` (a scalar is 0, ``[]`` is 1); no recursion."""
    deepest = 0
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def parse_bounded(parse: Callable[[str], Any], text: str, *, max_depth: int = MAX_NESTING) -> Any:
    """``parse(text)`` (``json.loads``, ``tomllib.loads``) that raises :class:`NestingError` for a document
    nested deeper than ``max_depth`` instead of overflowing the stack. Parse errors pass through."""
    try:
        value = parse(text)
    except RecursionError:
        raise NestingError(f"it is nested far deeper than the {max_depth} levels allowed") from None
    if nesting_depth(value) > max_depth:
        raise NestingError(f"it is nested deeper than the {max_depth} levels allowed")
    return value


def _refuse_special_target(path: Path) -> None:
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as error:
        raise InputError(f"Cannot write {path}: {error.strerror or error}.") from None
    if stat.S_ISDIR(mode):
        raise InputError(f"Cannot write {path}: Is a directory.")
    if not stat.S_ISREG(mode):
        raise InputError(f"Cannot write {path}: it is a device, pipe or socket, not a regular file; give the "
                         "name of a file to write.")


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory, fsync, rename, fsync the directory.

    ``mode`` defaults to owner-only (stored photos and exports are health data); views shared on
    purpose pass 0o644. A path that cannot be written (a directory, no permission, a full disk) raises
    :class:`InputError` naming it, and an old file at ``path`` survives; no temp file is left behind.
    """
    path = Path(path).expanduser()
    _refuse_special_target(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=path.parent)
    except OSError as error:
        raise InputError(f"Cannot write {path}: {error.strerror or error}.") from None
    try:
        os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as error:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(error, OSError):
            raise InputError(f"Cannot write {path}: {error.strerror or error}.") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
