"""Shared fixtures: an isolated FaceFit home per test, the real test data, one real landmarker."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("GLOG_minloglevel", "2")  # MediaPipe's native logging to stderr
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

# Speed is measured in bench/, never by test deadlines: on a loaded 2-core machine they only flake.
settings.register_profile("facefit", deadline=None, print_blob=True)
settings.load_profile("facefit")

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


FIGURE = "facefit_figure"
_FIGURES: list[str] = []


@pytest.fixture
def report_figure(record_property: Callable[[str, object], None]) -> Callable[[str], None]:
    """Record a figure a test measured (cases fuzzed, requests served, memory growth); every recorded line
    is printed under 'figures' at the end of the run, so the normal test command reproduces it (no -s).

    The line travels in the test's report (``user_properties``), so with ``make test``'s pytest-xdist
    workers it still reaches the process that prints the summary."""
    return lambda line: record_property(FIGURE, line)


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "call":
        _FIGURES.extend(f"{report.nodeid}: {value}" for name, value in report.user_properties
                        if name == FIGURE)


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    if _FIGURES and not os.environ.get("PYTEST_XDIST_WORKER"):
        terminalreporter.section("figures")
        for line in _FIGURES:
            terminalreporter.write_line(line)


# With make test's pytest-xdist workers (--dist loadfile --no-loadscope-reorder) files are handed out in
# collection order, so the longest start first and the two workers finish together, instead of one worker
# starting a 3-minute file at the end. Longest files of a serial run (--durations, session 10), longest first.
SLOW_FIRST = (
    "tests/web/test_journey.py", "tests/study/test_simulated_trial.py", "tests/web/test_pages.py",
    "tests/web/test_frame_loop.py", "tests/web/test_api_fuzz.py", "tests/web/test_study_pages.py",
    "tests/web/test_safety_pages.py", "tests/web/test_offline.py", "tests/web/test_error_sentences.py",
    "tests/coach/test_synth_clips.py", "tests/web/test_day_rule.py", "tests/web/test_dashboard_safety.py",
    "tests/web/test_token_load.py", "tests/coach/test_pose_clips.py", "tests/study/test_batch.py",
    "tests/web/test_study_staff_page.py",
)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("PYTEST_XDIST_WORKER"):  # a serial run keeps the usual order
        rank = {path: i for i, path in enumerate(SLOW_FIRST)}
        items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(SLOW_FIRST)))  # stable


PG_URL_ENV = "FACEFIT_TEST_PG_URL"  # set by .ci/postgres (always in CI)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh empty database on each backend; opt in by naming this fixture (tests run twice).

    SQLite: a file in tmp_path. PostgreSQL: a new schema on FACEFIT_TEST_PG_URL (search_path set in the
    URL), dropped afterwards. Without that variable the PostgreSQL variant is skipped locally and fails
    in CI, where .ci/postgres always sets it.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'facefit-test.db'}"
        return
    base = os.environ.get(PG_URL_ENV)
    if not base:
        if os.environ.get("CI"):
            pytest.fail(f"{PG_URL_ENV} is not set in CI: .ci/postgres should have started PostgreSQL")
        pytest.skip(f"{PG_URL_ENV} not set (as root: `source .ci/postgres` starts a local server)")
    import uuid

    import sqlalchemy as sa

    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(base, poolclass=sa.pool.NullPool)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text("SET LOCAL lock_timeout = '10s'"))
            connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
