"""/start is the member's first-run path. Staff have no setup to do, as on the dashboard: a coach is sent
to their clients, an admin or a rater gets one plain line and the pages their role is for, never the
member's screening, calibration and programme steps. (The pages at phone and laptop size:
tests/web/test_pages.py.)"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI

from facefit.store import web as accounts
from facefit.web.first_run import STAFF_START


def _as(app: FastAPI, make_user: Any, email: str, role: str) -> Any:
    user = make_user(email)
    with app.state.store.transaction() as session:
        accounts.get_account(session=session, account_id=user.id).role = role  # type: ignore[union-attr]
    return user


def test_staff_see_their_own_pages_on_start_and_members_the_setup_steps(app: FastAPI, make_user: Any) -> None:
    member = make_user("member@example.org").client.get("/start")
    assert member.status_code == 200 and 'data-step="screening"' in member.text
    assert 'data-testid="staff-start"' not in member.text
    coach = make_user("coach@example.org", "coach").client.get("/start", follow_redirects=False)
    assert (coach.status_code, coach.headers["location"]) == (303, "/coach")
    for role in ("admin", "rater"):
        user = _as(app, make_user, f"{role}@example.org", role)
        page = user.client.get("/start")
        assert page.status_code == 200
        assert 'data-testid="staff-start"' in page.text and STAFF_START[role].sentence in page.text
        assert "data-step=" not in page.text and "Five short steps" not in page.text
        listed = page.text.split('data-testid="staff-pages"')[1].split("</ul>")[0]
        links = re.findall(r'<a href="([^"]+)">', listed)
        assert links == [href for href, _, _ in STAFF_START[role].pages]
        for href in links:  # every page named is one this role may use, not a page that turns it away
            answer = user.client.get(href)
            assert answer.status_code == 200, href
            assert not re.search(r"<p>Only (coach|rater|coordinators)", answer.text), href
        dashboard = user.client.get("/").text  # the dashboard agrees: no setup card
        assert 'data-testid="setup"' not in dashboard
