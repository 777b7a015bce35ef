"""Helpers shared by command modules: the store, the local profile, consoles."""

from __future__ import annotations

from rich.console import Console

from facefit.store.db import Store, open_store
from facefit.store.profiles import DEFAULT_PROFILE

__all__ = ["DEFAULT_PROFILE", "console", "err_console", "store"]

console = Console()
err_console = Console(stderr=True)


def store() -> Store:
    """The migrated store at FACEFIT_DB_URL or the default SQLite file."""
    return open_store()
