"""Where FaceFit keeps its files, and how the environment overrides that.

Everything a user creates (database, photos, calibrations) lives under one data directory so that
"export" and "delete my data" have one place to look. Tests point ``FACEFIT_HOME`` at a temporary
directory; deployments point ``FACEFIT_DB_URL`` at PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "facefit"
HOME_ENV = "FACEFIT_HOME"
DB_URL_ENV = "FACEFIT_DB_URL"
MODEL_ENV = "FACEFIT_MODEL"


def data_dir() -> Path:
    """The user's FaceFit directory, created on first use (``FACEFIT_HOME`` overrides platformdirs).

    It holds health data, so it is private to its owner (0700) whatever the umask: made that way, and
    tightened if an older FaceFit (or a umask of 022) left it readable by others.
    """
    override = os.environ.get(HOME_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    keep_private(path, 0o700)
    return path


def keep_private(path: Path, mode: int) -> None:
    """Give ``path`` exactly ``mode`` (0700 folders, 0600 files) if it exists and is ours."""
    try:
        info = path.stat()
        if info.st_mode & 0o777 != mode and info.st_uid == os.getuid():
            os.chmod(path, mode)
    except OSError:
        pass


def db_url() -> str:
    """SQLAlchemy URL of the store: ``FACEFIT_DB_URL`` if set, else a SQLite file in :func:`data_dir`."""
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{data_dir() / 'facefit.db'}"


def photos_dir() -> Path:
    """Content-addressed photo storage (health data: never leaves this directory unless exported)."""
    path = data_dir() / "photos"
    path.mkdir(parents=True, exist_ok=True)
    return path
