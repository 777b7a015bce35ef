"""The dashboard tells the truth and agrees with the terminal: enrolled today with nothing practised is
"to do" with adherence "-" (not "done", not 100%); after practising the planned day it is "done" and
100%; `facefit plan --json` and `facefit today` print the same figures for the same profile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_kit import (
    SIZES,
    Shots,
    answer_screening,
    check_page,
    chromium,
    live_server,
    shots_folder,
    sign_up,
)
from typer.testing import CliRunner

from facefit.cli import app as cli_app
from facefit.store import sessions as practice
from facefit.store.models import Profile
from facefit.store.web import Account

pytestmark = pytest.mark.browser
EMAIL = "dashboard@example.org"


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def _cli_figures(profile: str) -> tuple[dict[str, Any], str]:
    runner = CliRunner()
    plan = runner.invoke(cli_app, ["plan", "--json", "--profile", profile])
    assert plan.exit_code == 0, plan.output
    today = runner.invoke(cli_app, ["today", "--profile", profile])
    assert today.exit_code == 0, today.output
    table = runner.invoke(cli_app, ["plan", "--profile", profile])
    assert table.exit_code == 0, table.output
    return json.loads(plan.output), today.output + table.output


def _dashboard(page: Any, base: str) -> dict[str, str]:
    page.goto(base + "/")
    page.wait_for_selector("body[data-state=loaded]")
    return {"status": page.text_content("[data-testid=today-status]") or "",
            "adherence": page.text_content("[data-testid=adherence]") or "",
            "streak": page.text_content("[data-testid=streak]") or ""}


def test_dashboard_done_and_adherence_match_facefit_plan(
    browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db_url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    monkeypatch.setenv("FACEFIT_DB_URL", db_url)  # the CLI reads the web app's store
    shots = Shots(shots_folder(tmp_path))
    with live_server(db_url) as (base, app):
        page = browser.new_context(viewport=SIZES["phone"]).new_page()
        shots.watch(page)
        sign_up(page, base, EMAIL)
        answer_screening(page)
        page.evaluate("async () => (await import('/static/js/common.js')).api('/api/habits/enrol', "
                      "{ method: 'POST', body: { programme_id: 'eight-week' } })")
        with app.state.store.transaction() as db:
            account = db.query(Account).filter_by(email=EMAIL).one()
            profile_id = account.profile_id
            profile = db.get(Profile, profile_id).name

        before = _dashboard(page, base)
        check_page(page, shots, "dashboard-enrolled-nothing-done")
        plan, text = _cli_figures(profile)
        assert before["status"] == "to do" and before["adherence"] == "—"
        assert plan["adherence"] is None and plan["today"]["done"] is False and plan["streak"] == 0
        assert "adherence so far -" in text and "to do" in text and "100%" not in text

        with app.state.store.transaction() as db:  # what `facefit routine starter` writes when finished
            row = practice.start_session(session=db, profile_id=profile_id, kind="routine",
                                         routine_id="starter")
            practice.record_step(session=db, session_id=row.id, position=1, exercise_id="cheek-lifter",
                                 reps_target=10, reps_done=10, hold_s=50.0, duration_s=120.0)
            practice.record_step(session=db, session_id=row.id, position=2, exercise_id="jawline-definition",
                                 reps_target=8, reps_done=8, hold_s=40.0, duration_s=100.0)
            practice.finish_session(session=db, session_id=row.id, status="completed")

        after = _dashboard(page, base)
        check_page(page, shots, "dashboard-practised")
        plan, text = _cli_figures(profile)
        assert after["status"] == "done" and after["adherence"] == "100%" and after["streak"] == "1 day"
        assert plan["adherence"] == 100.0 and plan["today"]["done"] is True and plan["streak"] == 1
        assert "adherence so far 100%" in text and "done" in text
