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
    """The user's FaceFit directory, created on first use (``FACEFIT_HOME`` overrides platformdirs)."""
    override = os.environ.get(HOME_ENV)
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_url() -> str:
    """SQLAlchemy URL of the store: ``FACEFIT_DB_URL`` if set, else a SQLite file in :func:`data_dir`."""
    return os.environ.get(DB_URL_ENV) or f"sqlite:///{data_dir() / 'facefit.db'}"


def photos_dir() -> Path:
    """Content-addressed photo storage (health data: never leaves this directory unless exported)."""
    path = data_dir() / "photos"
    path.mkdir(parents=True, exist_ok=True)
    return path
