"""Shared fixtures: an isolated FaceFit home per test, the real test data, one real landmarker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's native logging to stderr
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

REPO = Path(__file__).resolve().parents[1]
REAL_DATA = Path(os.environ.get("FACEFIT_REAL_DATA", REPO.parent / "shared" / "data" / "real"))


@pytest.fixture(autouse=True)
def facefit_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own data dir and SQLite file; nothing touches the user's real data."""
    home = tmp_path / "facefit-home"
    monkeypatch.setenv("FACEFIT_HOME", str(home))
    monkeypatch.delenv("FACEFIT_DB_URL", raising=False)
    return home


@pytest.fixture(scope="session")
def real_data() -> Path:
    """../shared/data/real (override with FACEFIT_REAL_DATA)."""
    if not REAL_DATA.is_dir():
        pytest.skip(f"real test data not found at {REAL_DATA} (set FACEFIT_REAL_DATA)")
    return REAL_DATA


@pytest.fixture(scope="session")
def image_landmarker() -> Iterator[object]:
    """One real Face Landmarker in IMAGE mode shared by the session (model load ~100 ms)."""
    from facefit.vision.landmarker import Landmarker, RunningMode

    with Landmarker(RunningMode.IMAGE) as landmarker:
        yield landmarker
