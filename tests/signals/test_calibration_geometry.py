"""A rest recorded before the face-frame geometry (issue 15) is not compared with today's signals."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from facefit.signals.calibration import GEOMETRY_VERSION, Calibration
from facefit.signals.compute import K
from facefit.store.calibration import calibration_history, load_calibration, save_calibration
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile


def _rest(geometry: int = GEOMETRY_VERSION) -> Calibration:
    return Calibration(rest=np.full(K, 0.2), spread=np.full(K, 0.01), source="camera:0", geometry=geometry,
                       created_at=datetime(2026, 1, 1, tzinfo=UTC))


def test_the_geometry_version_travels_with_the_rest_and_old_rows_read_as_version_1() -> None:
    data = _rest().to_dict()
    assert data["geometry"] == GEOMETRY_VERSION and Calibration.from_dict(data).comparable
    del data["geometry"]  # a row saved before the version was recorded
    old = Calibration.from_dict(data)
    assert old.geometry == 1 and not old.comparable


def test_the_store_does_not_hand_out_an_old_geometry_rest_but_keeps_it(db_url: str) -> None:
    store = open_store(db_url)
    try:
        with store.transaction() as db:
            me = get_or_create_profile(session=db, name="me")
            save_calibration(session=db, profile_id=me.id, calibration=_rest(geometry=1))
            me_id = me.id
        with store.transaction() as db:
            assert load_calibration(session=db, profile_id=me_id) is None  # record a new rest
            assert len(calibration_history(session=db, profile_id=me_id)) == 1
            save_calibration(session=db, profile_id=me_id, calibration=_rest())
        with store.transaction() as db:
            current = load_calibration(session=db, profile_id=me_id)
            assert current is not None and current.comparable
    finally:
        store.close()
