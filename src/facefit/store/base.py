"""Declarative base and shared column helpers for every store table."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime
from sqlalchemy.orm import DeclarativeBase


def utcnow() -> datetime:
    """Timezone-aware now in UTC (all stored times are UTC; display converts)."""
    return datetime.now(UTC)


class Base(DeclarativeBase):
    """All FaceFit tables. Schema changes go through Alembic migrations, never ``create_all``."""

    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads this class attribute)
        datetime: DateTime(timezone=True),
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }
