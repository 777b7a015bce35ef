"""Writing files atomically: readers (and crashes) see the old file or all of the new one, never half.

Base layer like ``config`` and ``errors``: any stage may import it. Temp files are named
``.tmp-facefit-<pid>-...`` in the target's directory, so a writer killed mid-write can be told from
one still running (:func:`facefit.photos.files.remove_stale_temp_files`).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from facefit.errors import InputError

TEMP_PREFIX = ".tmp-facefit-"


def write_atomic(path: Path, data: bytes, *, mode: int = 0o600) -> None:
    """Write ``data`` to ``path`` via a temp file in the same directory, fsync, rename, fsync the directory.

    ``mode`` defaults to owner-only (stored photos and exports are health data); views shared on
    purpose pass 0o644. A path that cannot be written (a directory, no permission, a full disk) raises
    :class:`InputError` naming it, and an old file at ``path`` survives; no temp file is left behind.
    """
    path = Path(path).expanduser()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-", dir=path.parent)
    except OSError as error:
        raise InputError(f"cannot write {path}: {error.strerror or error}") from None
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
            raise InputError(f"cannot write {path}: {error.strerror or error}") from None
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
