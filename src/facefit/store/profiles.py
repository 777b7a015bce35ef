"""Profiles: the local CLI user ("me") or one per web account."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from facefit.errors import InputError
from facefit.store.models import PROFILE_NAME_MAX, Profile

DEFAULT_PROFILE = "me"


def get_or_create_profile(*, session: Session, name: str = DEFAULT_PROFILE) -> Profile:
    """The profile called ``name``, created on first use (flushed, so it has an id).

    A blank name or one longer than the column (PostgreSQL would refuse it mid-transaction, SQLite
    would store it) is an :class:`InputError` before anything is written.
    """
    if not name.strip():
        raise InputError("A profile name must not be blank.")
    if len(name) > PROFILE_NAME_MAX:
        raise InputError(f"A profile name must be at most {PROFILE_NAME_MAX} characters, got {len(name)}.")
    found = select(Profile).where(Profile.name == name)
    profile = session.scalar(found)
    if profile is not None:
        return profile
    dialect = session.get_bind().dialect.name
    if dialect not in ("sqlite", "postgresql"):
        profile = Profile(name=name)
        session.add(profile)
        session.flush()
        return profile
    # Two processes starting at once (two `facefit photo add` runs) both miss the row: a plain INSERT
    # would fail the loser's whole command on the unique name. ON CONFLICT DO NOTHING waits for the
    # winner's commit and then reads its row.
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    session.execute(insert(Profile).values(name=name).on_conflict_do_nothing(index_elements=["name"]))
    profile = session.scalar(found)
    if profile is None:  # pragma: no cover - the row was deleted between the two statements
        raise InputError(f"The profile {name!r} was deleted while it was being created; try again.")
    return profile
