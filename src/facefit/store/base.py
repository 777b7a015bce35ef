"""Declarative base and shared column types for every store table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Timezone-aware now in UTC (all stored times are UTC; display converts)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python, on every backend.

    PostgreSQL keeps the zone; SQLite stores text and hands back naive datetimes. Fixing that here,
    once, means no caller ever compares a naive and an aware datetime (a TypeError at run time).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store a naive datetime {value!r}: pass a UTC-aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


OWNED_FILE_DIR = "facefit_owned_file_dir"


def owned_file(directory: str) -> dict[str, str]:
    """``info=`` for a column naming a file its row's profile owns: the only way a file becomes a profile's.

    The value is a path relative to the data directory that must lie inside ``directory``
    (``{profile_id}`` is filled in with the row's ``profile_id``, which the table must have). Account
    export and deletion read files from such columns only, never from other strings in a row
    (``facefit.web.account_data``).
    """
    if "{profile_id}" not in directory:
        raise ValueError(f"an owned-file directory must name the profile ({{profile_id}}), got {directory!r}")
    return {OWNED_FILE_DIR: directory}


class Base(DeclarativeBase):
    """All FaceFit tables. Schema changes go through Alembic migrations, never ``create_all``."""

    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: UTCDateTime(),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }
