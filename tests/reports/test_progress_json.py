"""The JSON progress view (for the web app) carries the report's numbers and survives json.dumps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from facefit.reports.progress import SCHEMA_VERSION, progress
from facefit.store.db import open_store
from habits.history import History, build


@pytest.fixture
def history(tmp_path: Path) -> Iterator[History]:
    store = open_store(f"sqlite:///{tmp_path / 'j.db'}")
    yield build(store)
    store.close()


def test_progress_json_matches_the_record(history: History) -> None:
    data = json.loads(json.dumps(progress(history.store, profile="me", today=history.today)))
    assert data["schema"] == SCHEMA_VERSION
    assert data["adherence"] == round(100 * 67 / 72, 1)
    assert data["streak"] == {"current": 16, "longest": 32}
    assert [w["practised"] for w in data["weeks"]] == [5, 4, 5, 5, 5, 6, 6, 6, 7, 4, 7, 7]
    assert data["clearance"]["level"] == "ok" and data["programme"]["id"] == "twelve-week"
    assert {e["kind"] for e in data["safety"]} == {"pain", "twitch"}
    assert data["photos"] is None
    assert sum(1 for d in data["days"] if d["status"] == "missed") == 6
