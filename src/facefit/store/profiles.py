"""Profiles: the local CLI user ("me") or one per web account."""

from __future__ import annotations

from sqlalchemy import select
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
        raise InputError("a profile name must not be blank")
    if len(name) > PROFILE_NAME_MAX:
        raise InputError(f"a profile name must be at most {PROFILE_NAME_MAX} characters, got {len(name)}")
    profile = session.scalar(select(Profile).where(Profile.name == name))
    if profile is None:
        profile = Profile(name=name)
        session.add(profile)
        session.flush()
    return profile
