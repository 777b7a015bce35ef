"""Study mode over HTTP, on SQLite and PostgreSQL: concealment, blinding and who reaches what.

- Concealment: two studies that differ only in their seed, whose next allocation for the same person
  differs, give byte-identical answers on every coordinator, participant and rater route (and the CLI)
  until that person is randomised; then the arms differ. Nothing upstream of randomisation depends on
  the sealed schedule, so no route can leak it.
- Blinding: every rater-facing response is checked field by field (JSON keys and values, headers, URLs,
  image bytes) for arm, visit, date, participant code, identity and ids.
- Raters reach no participant page and no other rater's item, through every id route of the app.
- A rating out of range and a visit photo the gate rejects are one clear error each, nothing saved.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from webtest_helpers import User

from facefit.photos.files import encode_jpeg, load_photo
from facefit.store import study as db
from facefit.store import web as accounts
from facefit.study import service
from facefit.study.allocation import generate_schedule
from facefit.study.definition import EXAMPLE_PATH, load_study, parse_study

FACE = Path(__file__).resolve().parents[2] / "src/facefit/synth/assets/grace_hopper_480.jpg"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
CODE = re.compile(r"\bP\d{4}\b")


@pytest.fixture(scope="module")
def visit_jpegs(image_landmarker: Any) -> list[bytes]:
    from facefit.photos.measure import measure_photo
    from facefit.photos.perturb import Perturbation, smile

    rgb = load_photo(FACE).rgb
    landmarks = measure_photo(rgb, image_landmarker).landmarks
    rng = np.random.default_rng(3)
    takes = [rgb] + [Perturbation.draw(rng).apply(rgb, landmarks, rng) for _ in range(3)]
    return [encode_jpeg(t) for t in takes] + [encode_jpeg(smile(rgb, landmarks, 1.6))]


def _promote(app: FastAPI, user: User, role: str) -> None:
    with app.state.store.transaction() as session:
        accounts.get_account(session=session, account_id=user.id).role = role  # type: ignore[union-attr]


def _create(app: FastAPI, slug: str, seed: int) -> str:
    data = load_study(EXAMPLE_PATH).to_dict()
    data["id"] = slug
    with app.state.store.transaction() as session:
        study, _ = service.create_study(
            session=session, definition=parse_study(data), seed=seed, actor="statistician"
        )
        return study.slug


def _twin_seeds(stratum: str) -> tuple[int, int]:
    """Two seeds whose first slot in ``stratum`` differs (so a leak would show as a difference)."""
    study = load_study(EXAMPLE_PATH)
    first = {
        seed: next(s.arm for s in generate_schedule(study, seed) if s.stratum == stratum)
        for seed in range(1, 12)
    }
    a = 1
    b = next(seed for seed, arm in first.items() if arm != first[a])
    return a, b


def _baseline_done(app: FastAPI, slug: str, code: str) -> None:
    with app.state.store.transaction() as session:
        study = service.load(session=session, slug=slug)
        row = service.participant(session=session, study=study, code=code)
        visit = db.open_visit(session=session, participant_id=row.id, visit="baseline", at=row.enrolled_at)
        visit.status, visit.completed_at = "complete", row.enrolled_at


def _screen(user: User) -> None:
    from facefit.safety.conditions import CONDITION_IDS

    response = user.client.post("/api/screening", json=dict.fromkeys(CONDITION_IDS, "no"))
    assert response.status_code in (200, 201), response.text


@pytest.fixture
def people(app: FastAPI, make_user: Any) -> dict[str, User]:
    users = {
        name: make_user(f"{name}@example.org", "coach" if name == "coord" else "member")
        for name in ("admin", "coord", "rater1", "rater2", "alice", "bob")
    }
    _promote(app, users["admin"], "admin")
    for name in ("rater1", "rater2"):  # an admin gives the role, through the API
        response = users["admin"].client.patch(
            f"/api/admin/accounts/{users[name].id}", json={"role": "rater"}
        )
        assert response.status_code == 200 and response.json()["role"] == "rater", response.text
    for name in ("alice", "bob"):
        _screen(users[name])
    return users


def _link(people: dict[str, User], slug: str) -> None:
    admin = people["admin"].client
    for name, role in (("coord", "coordinator"), ("rater1", "rater"), ("rater2", "rater")):
        response = admin.post(
            f"/api/study/studies/{slug}/staff", json={"email": people[name].email, "role": role}
        )
        assert response.status_code == 200, response.text


PAGES = ("/study", "/study/coordinate", "/study/rate")


def _api_routes(app: FastAPI) -> dict[str, set[str]]:
    """Every API path with its methods (the OpenAPI spec lists them all; pages take no ids)."""
    return {path: {m.upper() for m in ops} for path, ops in app.openapi()["paths"].items()}


def _get_routes(app: FastAPI) -> list[str]:
    study = [
        p
        for p, methods in _api_routes(app).items()
        if "GET" in methods and p.startswith(("/api/study", "/api/rate"))
    ]
    return sorted([*study, *PAGES])


def _snapshot(app: FastAPI, people: dict[str, User], slug: str, twins: list[str]) -> dict[str, Any]:
    """Every GET route of study mode as each audience sees it, for ``slug``; the twins' ids and schedule
    digests (a commitment: a hash of the schedule, by design different) are replaced by placeholders."""
    out: dict[str, Any] = {}
    with app.state.store.transaction() as session:
        digests = [db.get_study(session=session, slug=s).schedule_sha256 for s in twins]  # type: ignore[union-attr]
    for path in _get_routes(app):
        if "{token}" in path:
            continue
        url = path.replace("{slug}", slug)
        for who in ("coord", "bob", "rater1"):
            response = people[who].client.get(url)
            body = response.text
            for name in (*twins, *digests):
                body = body.replace(name, "SAME")
            out[f"{who} GET {path}"] = (response.status_code, body)
    return out


def test_next_allocation_cannot_be_read_through_any_route_before_randomisation(
    app: FastAPI, people: dict[str, User], monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    stratum = load_study(EXAMPLE_PATH).stratum(age=52, sex="female")
    seed_a, seed_b = _twin_seeds(stratum)
    slugs = [_create(app, "twin-a", seed_a), _create(app, "twin-b", seed_b)]
    for slug in slugs:
        _link(people, slug)
        enrolled = people["coord"].client.post(
            f"/api/study/studies/{slug}/participants",
            json={"email": people["bob"].email, "age": 52, "sex": "female"},
        )
        assert enrolled.status_code == 201 and enrolled.json()["eligible"], enrolled.text
        _baseline_done(app, slug, enrolled.json()["code"])
    a, b = (_snapshot(app, people, slug, slugs) for slug in slugs)
    assert a.keys() == b.keys() and len(a) >= 30
    differing = [k for k in a if a[k] != b[k]]
    assert differing == [], differing
    from typer.testing import CliRunner

    from facefit.cli import app as cli

    monkeypatch.setenv("FACEFIT_DB_URL", db_url)
    runner = CliRunner()
    outputs = []
    for slug, other in ((slugs[0], slugs[1]), (slugs[1], slugs[0])):
        texts = []
        for args in (
            ["status", slug, "--json"],
            ["status", slug, "P0001", "--json"],
            ["verify", slug],
            ["report", slug, "--json", "--today", "2030-01-01"],
        ):
            result = runner.invoke(cli, ["study", *args])
            assert result.exit_code == 0, result.output
            texts.append(result.output.replace(slug, "STUDY").replace(other, "OTHER"))
        outputs.append(texts)
    digests = []
    for slug in slugs:
        with app.state.store.transaction() as session:
            digests.append(db.get_study(session=session, slug=slug).schedule_sha256)  # type: ignore[union-attr]
    outputs = [
        [t.replace(digests[0], "DIGEST").replace(digests[1], "DIGEST") for t in texts] for texts in outputs
    ]
    assert outputs[0] == outputs[1]
    arms = [
        people["coord"].client.post(f"/api/study/studies/{s}/participants/P0001/randomise").json()["arm"]
        for s in slugs
    ]
    assert arms[0] != arms[1], "the twin seeds were chosen so that the sealed arms differ"


def _tokens(value: Any) -> set[str]:
    """Every ``token`` value in a decoded JSON body."""
    if isinstance(value, dict):
        own = {value["token"]} if isinstance(value.get("token"), str) else set()
        return own | {t for v in value.values() for t in _tokens(v)}
    if isinstance(value, list):
        return {t for v in value for t in _tokens(v)}
    return set()


def _check_blind(response: Any, forbidden: list[str]) -> None:
    """No forbidden string anywhere in a rater-facing response, no date, code or file header."""
    for header in ("last-modified", "etag", "content-disposition"):
        assert header not in response.headers, f"{response.url}: {header} header"
    if response.headers.get("content-type", "").startswith("image/"):
        data = response.content
        assert data[:2] == b"\xff\xd8" and b"Exif" not in data[:4096] and b"http://ns.adobe" not in data
        return
    text = response.text
    # The opaque tokens are random base64url: "bob", "arm" or "sha" turn up in them by chance (CI saw
    # "...dLQjBobW"). They are what a rater is meant to see, so the words are looked for around them.
    for token in _tokens(json.loads(text)):
        text = text.replace(token, "<token>")
    for word in forbidden:
        assert word.lower() not in text.lower(), f"{response.url} reveals {word!r}: {text[:300]}"
    assert not DATE.search(text), f"{response.url} has a date: {text[:300]}"
    assert not CODE.search(text), f"{response.url} has a participant code: {text[:300]}"

    def keys(value: Any) -> set[str]:
        if isinstance(value, dict):
            return set(value) | {k for v in value.values() for k in keys(v)}
        if isinstance(value, list):
            return {k for v in value for k in keys(v)}
        return set()

    allowed = {
        "done",
        "rated",
        "total",
        "item",
        "token",
        "image",
        "number",
        "age_range",
        "cheek_range",
        "study",
        "detail",
    }
    found = keys(json.loads(text))
    assert found <= allowed, f"{response.url}: unexpected fields {found - allowed}"


@pytest.fixture
def rated_study(
    app: FastAPI, people: dict[str, User], visit_jpegs: list[bytes], image_landmarker: Any
) -> str:
    """Alice and Bob randomised with complete visits; both raters' queues open."""
    from facefit.study.visits import add_visit_photo

    slug = _create(app, "blind", 21)
    _link(people, slug)
    coord = people["coord"].client
    codes = {}
    for name in ("alice", "bob"):
        response = coord.post(
            f"/api/study/studies/{slug}/participants",
            json={"email": people[name].email, "age": 50, "sex": "female"},
        )
        codes[name] = response.json()["code"]
    for k, jpeg in enumerate(visit_jpegs[:3]):  # alice takes her baseline photos in the browser's API
        taken = people["alice"].client.post(
            f"/api/study/me/{slug}/visits/baseline/photos", files={"file": (f"b{k}.jpg", jpeg, "image/jpeg")}
        )
        assert taken.status_code == 201, taken.text
    assert taken.json()["complete"] is True
    with app.state.store.transaction() as session:
        row = service.participant(
            session=session, study=service.load(session=session, slug=slug), code=codes["bob"]
        )
        randomised_later = row.enrolled_at
    from facefit.photos.files import decode_photo

    for k, jpeg in enumerate(visit_jpegs[:3]):
        add_visit_photo(
            store=app.state.store,
            slug=slug,
            code=codes["bob"],
            visit="baseline",
            photo=decode_photo(jpeg, f"bob{k}.jpg"),
            landmarker=image_landmarker,
            actor="coord",
            taken_at=randomised_later + timedelta(minutes=k),
        )
    for code in codes.values():
        assert coord.post(f"/api/study/studies/{slug}/participants/{code}/randomise").status_code == 200
    for name in ("rater1", "rater2"):
        queued = coord.post(f"/api/study/studies/{slug}/raters/{people[name].email}/queue")
        assert queued.status_code == 200, queued.text
    return slug


def test_rater_sees_nothing_but_a_face_and_a_token(
    app: FastAPI, people: dict[str, User], rated_study: str
) -> None:
    slug = rated_study
    forbidden = [
        "exercise",
        "control",
        "waitlist",
        "programme",
        "baseline",
        "week-8",
        "week-20",
        "alice",
        "bob",
        "@example.org",
        "photo_id",
        "visit",
        "arm",
        "participant",
        ".jpg",
        "sha",
    ]
    rater = people["rater1"].client
    queues = rater.get("/api/rate/queues")
    assert queues.status_code == 200
    _check_blind(queues, forbidden)
    seen_tokens = []
    while True:
        nxt = rater.get(f"/api/rate/{slug}/next")
        assert nxt.status_code == 200
        _check_blind(nxt, forbidden)
        body = nxt.json()
        if body["done"]:
            break
        token = body["item"]["token"]
        assert body["item"]["image"] == f"/api/rate/{slug}/photo/{token}"
        assert re.fullmatch(r"[A-Za-z0-9_-]{32}", token)
        photo = rater.get(body["item"]["image"])
        assert photo.status_code == 200
        _check_blind(photo, forbidden)
        bad = rater.post(
            f"/api/rate/{slug}/items/{token}", json={"apparent_age": 150, "upper_cheek": 2, "lower_cheek": 2}
        )
        assert (
            bad.status_code == 422
            and bad.json()["detail"] == "The apparent age must be from 18 to 100, got 150."
        )
        bad = rater.post(
            f"/api/rate/{slug}/items/{token}", json={"apparent_age": 50, "upper_cheek": 7, "lower_cheek": 2}
        )
        assert bad.status_code == 422 and "upper cheek fullness must be from 0 to 4" in bad.json()["detail"]
        assert rater.get(f"/api/rate/{slug}/next").json()["item"]["token"] == token  # nothing was saved
        done = rater.post(
            f"/api/rate/{slug}/items/{token}",
            json={"apparent_age": 50 + len(seen_tokens), "upper_cheek": 2, "lower_cheek": 1},
        )
        assert done.status_code == 200, done.text
        _check_blind(done, forbidden)
        again = rater.post(
            f"/api/rate/{slug}/items/{token}", json={"apparent_age": 40, "upper_cheek": 2, "lower_cheek": 1}
        )
        assert again.status_code == 400 and "final" in again.json()["detail"]
        seen_tokens.append(token)
    assert len(seen_tokens) == 2  # 2 people x 1 complete visit x 1 rated photo (15% of 2 rounds to no repeat)
    assert len(set(seen_tokens)) == len(seen_tokens)


def test_raters_reach_no_participant_data_and_no_other_raters_items(
    app: FastAPI, people: dict[str, User], rated_study: str
) -> None:
    slug = rated_study
    rater1, rater2 = people["rater1"].client, people["rater2"].client
    theirs = rater2.get(f"/api/rate/{slug}/next").json()["item"]["token"]
    mine = rater1.get(f"/api/rate/{slug}/next").json()["item"]["token"]
    assert theirs != mine
    with app.state.store.transaction() as session:
        alice_photo = session.scalars(select(db.StudyVisitPhoto)).first().photo_id  # type: ignore[union-attr]
    ids = {
        "slug": slug,
        "token": theirs,
        "code": "P0001",
        "visit": "baseline",
        "name": people["rater2"].email,
        "photo_id": alice_photo,
        "session_id": 1,
        "member_id": people["alice"].id,
        "account_id": people["alice"].id,
        "token_id": 1,
        "coach_id": people["coord"].id,
        "id": 1,
    }
    reached = []
    for path, methods in _api_routes(app).items():
        if "{" not in path:
            continue
        url = re.sub(r"{(\w+)}", lambda m: str(ids.get(m.group(1), 1)), path)
        for method in sorted(methods):
            response = rater1.request(method, url, json={})
            if response.status_code < 400:
                reached.append(f"{method} {path} -> {response.status_code}")
    assert reached == ["GET /api/rate/{slug}/next -> 200"], reached  # their own queue, and nothing else
    assert rater1.get("/api/study/me").json() == []
    assert rater1.get(f"/api/study/studies/{slug}").status_code == 403
    assert rater1.get(f"/api/study/studies/{slug}/results").status_code == 403
    assert rater1.get("/study/coordinate").status_code == 200  # the page only says it is not for them
    assert "Only coordinators" in rater1.get("/study/coordinate").text


def test_visit_photo_the_gate_rejects_is_one_clear_error(
    app: FastAPI, people: dict[str, User], visit_jpegs: list[bytes]
) -> None:
    slug = _create(app, "gate", 5)
    _link(people, slug)
    people["coord"].client.post(
        f"/api/study/studies/{slug}/participants",
        json={"email": people["alice"].email, "age": 50, "sex": "female"},
    )
    alice = people["alice"].client
    assert (
        alice.post(
            f"/api/study/me/{slug}/visits/baseline/photos",
            files={"file": ("ok.jpg", visit_jpegs[0], "image/jpeg")},
        ).status_code
        == 201
    )
    smiling = alice.post(
        f"/api/study/me/{slug}/visits/baseline/photos",
        files={"file": ("smile.jpg", visit_jpegs[-1], "image/jpeg")},
    )
    assert smiling.status_code == 422
    assert smiling.json()["detail"].startswith(
        "The photo smile.jpg did not pass the photo checks and was not added to the visit: relax into your "
        "neutral")
    visits = alice.get("/api/study/me").json()[0]["visits"]
    assert visits[0]["photos"] == 1 and len(alice.get("/api/photos").json()) == 1
    assert (
        people["bob"]
        .client.post(
            f"/api/study/me/{slug}/visits/baseline/photos",
            files={"file": ("x.jpg", visit_jpegs[1], "image/jpeg")},
        )
        .status_code
        == 404
    )
