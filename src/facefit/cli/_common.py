"""Helpers shared by command modules: the store, the local profile, consoles."""

from __future__ import annotations

from rich.console import Console

from facefit.store.db import Store, open_store
from facefit.store.profiles import DEFAULT_PROFILE

__all__ = ["DEFAULT_PROFILE", "console", "err_console", "store"]

console = Console()
err_console = Console(stderr=True)


def store() -> Store:
    """The migrated store at FACEFIT_DB_URL or the default SQLite file; a broken one is one clear error."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DatabaseError

    from facefit.config import db_url
    from facefit.errors import InputError

    url = db_url()
    try:
        return open_store(url)
    except DatabaseError as error:
        where = make_url(url).render_as_string(hide_password=True)
        raise InputError(f"cannot open the database {where}: {getattr(error, 'orig', error)}; nothing was "
                         "changed (move the file aside or set FACEFIT_DB_URL to use another).") from None
