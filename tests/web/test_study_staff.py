"""The admin's Study staff page and its API: every study's coordinators and raters, linking an account
to a study and unlinking it through the one verb (``facefit.study.staff``), on SQLite and PostgreSQL.
Only an admin reaches the page or its posts; an unlinked rater's ratings stay in the study."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from test_error_sentences import is_sentence, terminal_words
from webtest_helpers import User

from facefit.store import study as db
from facefit.store import web as accounts
from facefit.study import service
from facefit.study.definition import EXAMPLE_PATH, load_study

SLUG = "face-exercise-rct"


def _role(app: FastAPI, user: User, role: str) -> None:
    with app.state.store.transaction() as session:
        accounts.get_account(session=session, account_id=user.id).role = role  # type: ignore[union-attr]


@pytest.fixture
def people(app: FastAPI, make_user: Callable[..., User]) -> dict[str, User]:
    with app.state.store.transaction() as session:
        service.create_study(session=session, definition=load_study(EXAMPLE_PATH), seed=2,
                             actor="statistician")
    out = {name: make_user(f"{name}@example.org", "coach" if name == "coach" else "member")
           for name in ("admin", "coach", "rater", "member")}
    _role(app, out["admin"], "admin")
    _role(app, out["rater"], "rater")
    return out


def test_an_admin_links_and_unlinks_staff_and_sees_them_listed(app: FastAPI, people: dict[str, User]) -> None:
    admin = people["admin"].client
    listed = admin.get("/api/study/staff").json()
    assert listed == [{"study": SLUG, "title": listed[0]["title"],
                       "staff": [{"role": "coordinator", "name": "statistician", "email": None}]}]
    for name, role in (("coach", "coordinator"), ("rater", "rater")):
        linked = admin.post(f"/api/study/studies/{SLUG}/staff",
                            json={"email": f"{name}@example.org", "role": role})
        assert linked.status_code == 200, linked.text
        assert linked.json()["detail"] == f"{name}@example.org is now a {role} of {SLUG}."
    staff = admin.get("/api/study/staff").json()[0]["staff"]
    assert {(m["role"], m["email"]) for m in staff} == {
        ("coordinator", None), ("coordinator", "coach@example.org"), ("rater", "rater@example.org")}
    assert people["coach"].client.get(f"/api/study/studies/{SLUG}").status_code == 200  # the link works
    assert people["rater"].client.get("/api/rate/queues").json()[0]["study"] == SLUG

    for name, role in (("coach", "coordinator"), ("rater", "rater")):
        gone = admin.post(f"/api/study/studies/{SLUG}/staff/unlink",
                          json={"email": f"{name}@example.org", "role": role})
        assert gone.status_code == 200, gone.text
        assert gone.json()["detail"] == f"{name}@example.org is no longer a {role} of {SLUG}."
    assert people["coach"].client.get(f"/api/study/studies/{SLUG}").status_code == 404
    assert people["rater"].client.get("/api/rate/queues").json() == []
    staff = admin.get("/api/study/staff").json()[0]["staff"]  # the rows stay (a rater's ratings with them)
    assert {(m["role"], m["name"], m["email"]) for m in staff} == {
        ("coordinator", "statistician", None), ("coordinator", "coach@example.org", None),
        ("rater", "rater@example.org", None)}
    with app.state.store.transaction() as session:
        study = db.get_study(session=session, slug=SLUG)
        assert study is not None
        entries = db.audit_entries(session=session, study_id=study.id)
        actions = [e.action for e in entries]
        assert db.audit_chain_intact(entries)
    assert actions[-4:] == ["coordinator-added", "rater-added", "coordinator-unlinked", "rater-unlinked"]


def _actions(app: FastAPI) -> list[str]:
    with app.state.store.transaction() as session:
        study = db.get_study(session=session, slug=SLUG)
        assert study is not None
        entries = db.audit_entries(session=session, study_id=study.id)
        assert db.audit_chain_intact(entries)
        return [e.action for e in entries]


def test_linking_again_after_an_unlink_is_in_the_audit_log(app: FastAPI, people: dict[str, User]) -> None:
    """The row an unlink keeps is reused when the account is linked again: that link adds no row, and was
    once missing from the log, whose last word on an account acting in the study again was its unlink."""
    admin = people["admin"].client
    for name, role in (("coach", "coordinator"), ("rater", "rater")):
        body = {"email": f"{name}@example.org", "role": role}
        assert admin.post(f"/api/study/studies/{SLUG}/staff", json=body).status_code == 200
        assert admin.post(f"/api/study/studies/{SLUG}/staff/unlink", json=body).status_code == 200
        assert admin.post(f"/api/study/studies/{SLUG}/staff", json=body).status_code == 200
        assert _actions(app)[-3:] == [f"{role}-added", f"{role}-unlinked", f"{role}-linked"], role
        assert admin.post(f"/api/study/studies/{SLUG}/staff", json=body).status_code == 200  # idempotent
        assert _actions(app)[-1] == f"{role}-linked"
    assert people["coach"].client.get(f"/api/study/studies/{SLUG}").status_code == 200
    assert people["rater"].client.get("/api/rate/queues").json()[0]["study"] == SLUG


def test_an_account_whose_role_changed_can_still_be_unlinked(app: FastAPI, people: dict[str, User]) -> None:
    """A coach made a member after being linked keeps the link (the role is checked on every request, so
    it does nothing until the role comes back); the admin removes it without restoring the role first."""
    admin = people["admin"].client
    for name, role in (("coach", "coordinator"), ("rater", "rater")):
        body = {"email": f"{name}@example.org", "role": role}
        assert admin.post(f"/api/study/studies/{SLUG}/staff", json=body).status_code == 200
        _role(app, people[name], "member")
        gone = admin.post(f"/api/study/studies/{SLUG}/staff/unlink", json=body)
        assert gone.status_code == 200, gone.text
        assert gone.json()["detail"] == f"{name}@example.org is no longer a {role} of {SLUG}."
        assert _actions(app)[-1] == f"{role}-unlinked"
    staff = admin.get("/api/study/staff").json()[0]["staff"]
    assert all(m["email"] is None for m in staff), staff
    nobody = admin.post(f"/api/study/studies/{SLUG}/staff/unlink",
                        json={"email": "nobody@example.org", "role": "rater"})
    assert nobody.status_code == 400 and is_sentence(nobody.json()["detail"]), nobody.text
    assert "is not a rater of" in nobody.json()["detail"]


def test_the_staff_posts_need_the_csrf_token(app: FastAPI, people: dict[str, User]) -> None:
    admin = people["admin"].client
    body = {"email": "rater@example.org", "role": "rater"}
    for tail in ("/staff", "/staff/unlink"):
        refused = admin.post(f"/api/study/studies/{SLUG}{tail}", json=body,
                             headers={"X-CSRF-Token": "forged"})
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"], (tail, refused.text)
    assert "rater-added" not in _actions(app)


def test_refusals_are_sentences_in_the_webs_words(app: FastAPI, people: dict[str, User]) -> None:
    admin = people["admin"].client
    cases = [
        ("/staff", {"email": "member@example.org", "role": "rater"}, 422, "is not a rater account"),
        ("/staff", {"email": "nobody@example.org", "role": "coordinator"}, 422,
         "is not a coach or admin account"),
        ("/staff/unlink", {"email": "rater@example.org", "role": "rater"}, 400, "is not a rater of"),
    ]
    for tail, body, code, words in cases:
        answer = admin.post(f"/api/study/studies/{SLUG}{tail}", json=body)
        detail = answer.json()["detail"]
        assert answer.status_code == code and words in detail, (tail, body, answer.text)
        assert is_sentence(detail) and not terminal_words(detail), detail
    unknown = admin.post("/api/study/studies/nope/staff",
                         json={"email": "rater@example.org", "role": "rater"})
    assert unknown.status_code == 404 and not terminal_words(unknown.json()["detail"])


def test_only_an_admin_reaches_the_page_and_its_posts(app: FastAPI, people: dict[str, User]) -> None:
    body = {"email": "rater@example.org", "role": "rater"}
    for name in ("coach", "rater", "member"):
        client = people[name].client
        page = client.get("/study/staff", follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"] == "/", (name, page.status_code)
        assert client.get("/api/study/staff").status_code == 403, name
        for tail in ("/staff", "/staff/unlink"):
            refused = client.post(f"/api/study/studies/{SLUG}{tail}", json=body)
            assert refused.status_code == 403, (name, tail, refused.text)
    anonymous = people["admin"].client.__class__(app)
    page = anonymous.get("/study/staff", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert anonymous.get("/api/study/staff").status_code == 401
    assert people["admin"].client.get("/study/staff").status_code == 200
    with app.state.store.transaction() as session:  # nothing was linked by the refused posts
        study = db.get_study(session=session, slug=SLUG)
        assert db.list_staff(session=session, study_id=study.id, role="rater") == []  # type: ignore[union-attr]


def test_an_admins_menu_leads_with_their_pages_until_they_practise(
        app: FastAPI, people: dict[str, User]) -> None:
    from facefit.safety.conditions import CONDITION_IDS

    admin = people["admin"].client

    def menu() -> list[str]:
        html = admin.get("/account").text
        nav = html[html.index('id="site-nav"'):html.index("</nav>")]
        return [part.split('"')[0] for part in nav.split('<a href="')[1:]]

    def tabs() -> list[str]:
        html = admin.get("/account").text
        bar = html[html.index('class="tabbar"'):]
        return [part.split('"')[0] for part in bar.split('<a href="')[1:]]

    assert menu()[:3] == ["/study/coordinate", "/study/staff", "/coach"]
    assert tabs() == ["/study/coordinate", "/study/staff", "/coach", "/account"]
    assert admin.post("/api/screening", json={c: "no" for c in CONDITION_IDS}).status_code == 200
    assert menu()[:2] == ["/", "/practice"] and "/study/staff" in menu()  # now also a member
    assert tabs() == ["/", "/practice", "/progress", "/photos"]
    member = people["member"].client.get("/account").text
    assert "/study/staff" not in member and "/study/coordinate" not in member
