"""Stored calibrations: latest wins, history kept, per profile, on SQLite and PostgreSQL; upgrade safe."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from facefit.signals.calibration import Calibration
from facefit.signals.compute import K
from facefit.signals.names import SIGNAL_INDEX
from facefit.store.calibration import (
    CalibrationRecord,
    calibration_history,
    load_calibration,
    save_calibration,
)
from facefit.store.db import make_engine, open_store, upgrade
from facefit.store.models import Profile
from facefit.store.profiles import get_or_create_profile


def _calibration(level: float, *, minutes: int = 0, source: str = "camera:0") -> Calibration:
    rest = np.full(K, level)
    rest[SIGNAL_INDEX["jaw_forward"]] = np.nan
    return Calibration(
        rest=rest,
        spread=np.full(K, 0.01),
        created_at=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes),
        source=source,
    )


def test_latest_wins_history_kept_and_profiles_isolated(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            me = get_or_create_profile(session=db, name="me")
            other = get_or_create_profile(session=db, name="other")
            save_calibration(session=db, profile_id=me.id, calibration=_calibration(0.1, minutes=0))
            save_calibration(session=db, profile_id=me.id, calibration=_calibration(0.3, minutes=10))
            save_calibration(session=db, profile_id=other.id, calibration=_calibration(0.9, minutes=20))
            me_id, other_id = me.id, other.id
        with store.transaction() as db:
            current = load_calibration(session=db, profile_id=me_id)
            assert current is not None and current.value("brow_height_r") == pytest.approx(0.3)
            assert np.isnan(current.value("jaw_forward"))
            history = calibration_history(session=db, profile_id=me_id)
            assert [round(r.to_calibration().value("mouth_width"), 2) for r in history] == [0.3, 0.1]
            other_cal = load_calibration(session=db, profile_id=other_id)
            assert other_cal is not None and other_cal.value("brow_height_r") == pytest.approx(0.9)
            assert load_calibration(session=db, profile_id=other_id + 100) is None
    finally:
        store.close()


def test_failed_transaction_keeps_the_previous_calibration(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            profile_id = get_or_create_profile(session=db).id
            save_calibration(session=db, profile_id=profile_id, calibration=_calibration(0.2))
        with pytest.raises(RuntimeError), store.transaction() as db:
            save_calibration(session=db, profile_id=profile_id, calibration=_calibration(0.7, minutes=5))
            raise RuntimeError("crash after saving, before commit")
        with store.transaction() as db:
            current = load_calibration(session=db, profile_id=profile_id)
            assert current is not None and current.value("brow_height_l") == pytest.approx(0.2)
            assert len(calibration_history(session=db, profile_id=profile_id)) == 1
    finally:
        store.close()


def test_deleting_a_profile_deletes_its_calibrations(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            profile = get_or_create_profile(session=db, name="leaving")
            save_calibration(session=db, profile_id=profile.id, calibration=_calibration(0.2))
        with store.transaction() as db:
            db.delete(db.scalar(select(Profile).where(Profile.name == "leaving")))
        with store.transaction() as db:
            assert db.scalars(select(CalibrationRecord)).all() == []
    finally:
        store.close()


def test_database_from_before_perception_is_upgraded_and_keeps_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)
    upgrade(engine, url, "0001")
    old = open_store(url, migrate=False)
    with old.transaction() as db:
        db.add(Profile(name="me"))
    old.close()
    engine.dispose()
    store = open_store(url)
    try:
        with store.transaction() as db:
            profile = get_or_create_profile(session=db)
            assert profile.id == 1  # the old row, not a new one
            long_source = _calibration(0.4, source="x" * 400)
            save_calibration(session=db, profile_id=profile.id, calibration=long_source)
        with store.transaction() as db:
            record = calibration_history(session=db, profile_id=1)[0]
            assert len(record.source) == 300 and record.source.startswith("...")
    finally:
        store.close()
