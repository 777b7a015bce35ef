"""Photo files that no row names: what a ``photo add`` killed between writing its file and committing its
row leaves behind. The next import of the same profile removes them.

An import holds a shared lock on the profile's photo folder from before it writes its file until it
returns (its row committed, or nothing stored); the sweep runs only when it can take that lock
exclusively, so it never removes a file whose row another process is about to commit.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy import select

from facefit.config import data_dir
from facefit.store.db import Store
from facefit.store.photos import Photo


class FolderLock:
    """``flock`` on a folder's own descriptor (no lock file for anything else to trip over); released by
    :meth:`close` or when the object is collected."""

    def __init__(self, directory: Path, *, exclusive: bool = False, wait: bool = True) -> None:
        self.fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        flags = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | (0 if wait else fcntl.LOCK_NB)
        try:
            fcntl.flock(self.fd, flags)
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def __del__(self) -> None:
        self.close()


def import_lock(directory: Path) -> FolderLock:
    """A shared lock on the profile's photo folder for one import: keep the returned object until the
    import's row is committed (it is released when the import function returns)."""
    directory.mkdir(parents=True, exist_ok=True)
    return FolderLock(directory)


def sweep_orphans(*, store: Store, profile_id: int, directory: Path) -> list[Path]:
    """Remove the ``*.jpg`` files in the profile's photo folder that no photo row names, unless an import
    of this profile is under way (then nothing is removed this time). Returns what was removed."""
    if not directory.is_dir():
        return []
    try:
        lock = FolderLock(directory, exclusive=True, wait=False)
    except BlockingIOError:
        return []
    try:
        with store.transaction() as session:
            named = set(session.scalars(select(Photo.file_name).where(Photo.profile_id == profile_id)))
        root = data_dir()
        removed = []
        for path in sorted(directory.glob("*.jpg")):
            if path.is_symlink() or path.relative_to(root).as_posix() in named:
                continue
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed.append(path)
        return removed
    finally:
        lock.close()
