"""``facefit routine --coach --video`` and ``facefit demo``: coached sets stored with their engine events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from facefit.cli import app
from facefit.habits.service import practice_by_day
from facefit.store.db import open_store
from facefit.store.models import PracticeSession, SessionEvent, SessionStep

runner = CliRunner()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def cheek_clip(tmp_path_factory: pytest.TempPathFactory, real_data: Path, image_landmarker: Any) -> Path:
    """A 3-rep cheek-lifter mp4 (480x360, 15 fps) made once from a real photo."""
    from facefit.synth.clip import make_clip
    from facefit.synth.spec import ClipSpec

    out = tmp_path_factory.mktemp("coach-routine") / "cheek.mp4"
    spec = ClipSpec(exercise="cheek-lifter", reps=3, hold_s=2.0, rest_s=1.5, size=(480, 360), fps=15.0)
    make_clip(str(real_data / "obama.jpg"), spec, out=str(out), landmarker=image_landmarker)
    return out


def test_routine_coach_counts_the_set_from_the_video(cheek_clip: Path) -> None:
    args = ["routine", "cheek-lifter", "--coach", "--video", str(cheek_clip), "--no-input"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "rep 3/10" in result.stdout
    with open_store().transaction() as session:
        (row,) = session.query(PracticeSession).all()
        assert row.source.startswith("coach:") and row.ended_at is not None
        steps = session.query(SessionStep).filter_by(session_id=row.id).order_by(SessionStep.position).all()
        assert steps[0].reps_done == 3 and not steps[0].skipped
        assert "coached: 3 reps counted" in (steps[0].note or "")
        assert all(s.skipped for s in steps[1:])  # the video ended: later sets are not invented
        reps = session.query(SessionEvent).filter_by(session_id=row.id, kind="rep").all()
        assert len(reps) == 3
        assert {e.payload["exercise_id"] for e in reps} == {"cheek-lifter"}


def test_routine_coach_needs_a_source() -> None:
    result = runner.invoke(app, ["routine", "cheek-lifter", "--coach", "--no-input"])
    assert result.exception is not None and "--camera" in str(result.exception)


def test_demo_coaches_a_clip_from_the_bundled_photo() -> None:
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "Session completed: 2 of 2 reps counted" in result.stdout
    with open_store().transaction() as session:
        (row,) = session.query(PracticeSession).all()
        assert (row.kind, row.source, row.status) == ("coach", "demo", "completed")
        assert row.summary["reps_done"] == 2
        kinds = [e.kind for e in session.query(SessionEvent).filter_by(session_id=row.id)]
        assert kinds.count("rep") == 2 and kinds.count("progress") == 2
        # marked as a demo in the history, and never practice (adherence, streaks, volume caps)
        assert practice_by_day(session=session, profile_id=row.profile_id) == {}
    listed = runner.invoke(app, ["history"])
    assert listed.exit_code == 0 and "(demo:" in listed.stdout  # the table wraps the rest of the cell


def test_routine_coach_on_a_corrupt_video_starts_no_session(tmp_path: Path) -> None:
    from facefit.errors import InputError

    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    result = runner.invoke(app, ["routine", "cheek-lifter", "--coach", "--video", str(fake), "--no-input"])
    assert isinstance(result.exception, InputError) and "not a video or image" in str(result.exception)
    with open_store().transaction() as session:
        assert session.query(PracticeSession).count() == 0
