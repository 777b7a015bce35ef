"""Profiles: the local CLI user ("me") or one per web account."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from facefit.store.models import Profile

DEFAULT_PROFILE = "me"


def get_or_create_profile(*, session: Session, name: str = DEFAULT_PROFILE) -> Profile:
    """The profile called ``name``, created on first use (flushed, so it has an id)."""
    profile = session.scalar(select(Profile).where(Profile.name == name))
    if profile is None:
        profile = Profile(name=name)
        session.add(profile)
        session.flush()
    return profile
