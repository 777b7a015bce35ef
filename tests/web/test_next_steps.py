"""An error's way out is said by each door in its own words (``facefit.errors.NextStep``): the terminal
names a command, the web the page to use. The web's answers for these refusals name no terminal
command, no backticked text and no ``--flag``; the terminal keeps its commands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from fastapi import FastAPI
from test_error_sentences import is_sentence, terminal_words
from webtest_helpers import User

from facefit.cli._steps import TERMINAL_STEPS
from facefit.cli._steps import error_text as terminal_text
from facefit.errors import NextStep
from facefit.photos.progress import NoBaselineError, measure_repeatability
from facefit.safety.conditions import CONDITION_IDS, RULES_BY_ID, Level
from facefit.study import service
from facefit.study.definition import EXAMPLE_PATH, load_study
from facefit.web.responses import WEB_STEPS
from facefit.web.responses import error_text as web_text


def test_every_step_has_words_at_both_doors_and_the_webs_name_no_command() -> None:
    assert set(TERMINAL_STEPS) == set(NextStep) == set(WEB_STEPS)
    for step in NextStep:
        web = WEB_STEPS[step].format(slug="trial")
        assert is_sentence(web) and not terminal_words(web), (step, web)
        assert is_sentence(TERMINAL_STEPS[step].format(slug="trial")), step


def test_no_baseline_photo_is_one_problem_with_each_doors_way_out(app: FastAPI) -> None:
    with pytest.raises(NoBaselineError) as caught:
        measure_repeatability(store=app.state.store, profile_id=1, landmarker=None)
    assert str(caught.value) == "There is no baseline photo yet."
    assert terminal_text(caught.value) == ("There is no baseline photo yet. Add one with "
                                           "`facefit photo add FILE` first.")
    assert web_text(caught.value) == "There is no baseline photo yet. Add one on the Photos page first."


def _consult_first_condition() -> str:
    return next(cid for cid in CONDITION_IDS if RULES_BY_ID[cid].level is Level.CONSULT_FIRST)


def test_the_webs_enrol_refusals_name_pages_not_commands(
        app: FastAPI, make_user: Callable[..., User]) -> None:
    member = make_user("enrol@example.org")
    before = member.client.post("/api/habits/enrol", json={"programme_id": "eight-week"})
    assert before.status_code == 400, before.text
    assert before.json()["detail"] == ("A programme needs the health screening answered first. Answer it on "
                                       "the Screening page first.")
    answers = {cid: "no" for cid in CONDITION_IDS} | {_consult_first_condition(): "yes"}
    assert member.client.post("/api/screening", json=answers).status_code == 200
    consult = member.client.post("/api/habits/enrol", json={"programme_id": "eight-week"})
    assert consult.status_code == 400, consult.text
    detail = consult.json()["detail"]
    assert detail.startswith("Your screening says to consult a clinician first. Once a clinician has "
                             "cleared you")
    assert "Clinician clearance page" in detail and not terminal_words(detail), detail


def test_the_terminals_enrol_refusals_keep_their_commands(app: FastAPI) -> None:
    from facefit.habits.service import enrol
    from facefit.safety.errors import NotScreenedError, SafetyBlockError
    from facefit.safety.screening import parse_answers
    from facefit.safety.service import record_screening
    from facefit.store.profiles import get_or_create_profile

    with app.state.store.transaction() as session:
        profile = get_or_create_profile(session=session, name="terminal").id
        with pytest.raises(NotScreenedError) as unscreened:
            enrol(session=session, profile_id=profile, programme_id="eight-week", start=date.today())
        assert terminal_text(unscreened.value).endswith("Run `facefit screen` first.")
        answers = {cid: "no" for cid in CONDITION_IDS} | {_consult_first_condition(): "yes"}
        record_screening(session=session, profile_id=profile, answers=parse_answers(answers))
        with pytest.raises(SafetyBlockError) as consult:
            enrol(session=session, profile_id=profile, programme_id="eight-week", start=date.today())
        assert terminal_text(consult.value).endswith("enrol again with --clinician-cleared.")


def test_the_webs_study_refusals_name_no_command(app: FastAPI, make_user: Callable[..., User]) -> None:
    """A coordinator queues photos for someone who is not a rater; a person who never answered the
    screening is assessed: neither answer names a terminal command."""
    with app.state.store.transaction() as session:
        service.create_study(session=session, definition=load_study(EXAMPLE_PATH), seed=3, actor="test")
    admin = make_user("admin@example.org")
    with app.state.store.transaction() as session:
        from facefit.store import web as accounts

        accounts.get_account(session=session, account_id=admin.id).role = "admin"  # type: ignore[union-attr]
    make_user("ada@example.org")
    slug = "face-exercise-rct"
    queue = admin.client.post(f"/api/study/studies/{slug}/raters/nobody/queue")
    assert queue.status_code == 404, queue.text
    assert queue.json()["detail"] == (f"There is no rater 'nobody' in study {slug}. An admin links their "
                                      "rater account to the study on the Study staff page.")
    assessed = admin.client.post(f"/api/study/studies/{slug}/participants",
                                 json={"email": "ada@example.org", "age": 40, "sex": "female"})
    assert assessed.status_code == 201, assessed.text
    reasons = assessed.json()["reasons"]
    assert any("not screened yet" in r for r in reasons), reasons
    assert not [r for r in reasons if terminal_words(r)], reasons
    overview = admin.client.get(f"/api/study/studies/{slug}").json()  # what the coordinator page shows
    shown = [r for p in overview["participants"] for r in p["not_eligible_because"]]
    assert shown and not [r for r in shown if terminal_words(r)], shown


def test_the_terminal_names_its_command_for_a_missing_rater_and_study(app: FastAPI) -> None:
    from facefit.study import rating

    with app.state.store.transaction() as session:
        study, _ = service.create_study(session=session, definition=load_study(EXAMPLE_PATH), seed=3,
                                        actor="test")
        with pytest.raises(rating.NotARaterError) as missing:
            rating.rater(session=session, study=study, name="nobody")
        with pytest.raises(service.StudyNotFoundError) as unknown:
            service.load(session=session, slug="nope")
    assert terminal_text(missing.value) == (f"There is no rater 'nobody' in study {study.slug}. Add them "
                                            f"with `facefit study rate {study.slug} --rater NAME "
                                            "--add-rater`.")
    assert terminal_text(unknown.value).endswith("Create one with `facefit study create FILE --seed N`.")
    assert not terminal_words(web_text(unknown.value))
