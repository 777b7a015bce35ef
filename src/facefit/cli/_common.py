"""Helpers shared by command modules: the store, the local profile, consoles."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from sqlalchemy.orm import Session

from facefit.store.db import Store, open_store
from facefit.store.profiles import DEFAULT_PROFILE, get_or_create_profile

__all__ = ["DEFAULT_PROFILE", "console", "err_console", "forget_stores", "profile_transaction", "store"]

console = Console()
err_console = Console(stderr=True)


_OPEN: dict[str, Store] = {}
"""The stores this command has opened, by URL: a command opens (and migrates) its store once, however
many helpers ask for it. ``forget_stores`` (the CLI's callback, before every command) empties it."""


def store() -> Store:
    """The migrated store at FACEFIT_DB_URL or the default SQLite file, opened once per command; a broken
    one is one clear error. Closing it only returns its connections: the next use opens new ones."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import DatabaseError

    from facefit.config import db_url
    from facefit.errors import InputError

    url = db_url()
    if url in _OPEN:
        return _OPEN[url]
    try:
        _OPEN[url] = opened = open_store(url)
        return opened
    except DatabaseError as error:
        where = make_url(url).render_as_string(hide_password=True)
        raise InputError(f"Cannot open the database {where}: {getattr(error, 'orig', error)}; nothing was "
                         "changed (move the file aside or set FACEFIT_DB_URL to use another).") from None


def forget_stores() -> None:
    """Close every store opened so far (a new command starts: it opens its own once)."""
    for opened in _OPEN.values():
        opened.close()
    _OPEN.clear()


@contextmanager
def profile_transaction(profile: str) -> Iterator[tuple[Session, int]]:
    """``(session, profile_id)`` in one transaction on a store opened and closed around the block.

    The shape of every command that reads or writes one person's data: the profile is created on
    first use, the block commits when it ends and rolls back on an error, and the store is closed
    either way (so nothing is written unless the whole command's verb succeeded).
    """
    db = store()
    try:
        with db.transaction() as session:
            yield session, get_or_create_profile(session=session, name=profile).id
    finally:
        db.close()


CALIBRATION_WORDS = {
    "stored": "rest face from your calibration",
    "first-second": "rest face from your first still second",
}
"""How the terminal says the engine's ``calibration`` value (``--json`` keeps the value itself)."""


def calibration_words(kind: str) -> str:
    return CALIBRATION_WORDS.get(kind, f"calibration {kind}")
