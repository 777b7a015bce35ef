"""Photo uploads refuse oversized, bomb, SVG and path-like files with a clear error; a real photo goes
through the gate. Export holds all of a member's data and nobody else's; deleting the account removes
every row and file."""

from __future__ import annotations

import io
import json
import struct
import zipfile
import zlib
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import inspect, select, text
from webtest_helpers import PASSWORD

from facefit.config import data_dir
from facefit.store import sessions as practice
from facefit.store.schema import metadata
from facefit.store.web import Account


def _png_bomb(side: int = 60_000, height: int | None = None) -> bytes:
    """A valid PNG header claiming side x side (or side x height) pixels with a tiny compressed body."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, height or side, 1, 0, 0, 0, 0)  # 1-bit grey
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"\x00" * 4096, 9)) + chunk(b"IEND", b""))


def _one_sentence(text: str) -> None:
    """What a person reads: one sentence, starting with a capital letter."""
    assert text[:1].isupper() and text.endswith(".") and ". " not in text[:-1], text


def test_a_photo_the_web_cannot_use_is_named_in_the_terminal_s_words(
    app: FastAPI, make_user: Any, tmp_path: Path
) -> None:
    """The web's checks before decoding, the decoder and the import give one capitalised sentence each,
    and a problem the terminal's `facefit photo add` also meets (``load_photo``) in the same words."""
    from PIL import Image

    from facefit.errors import InputError
    from facefit.photos.files import load_photo

    user = make_user("words@example.org")
    tiny, grey = io.BytesIO(), io.BytesIO()
    Image.new("RGB", (20, 20)).save(tiny, "PNG")
    Image.new("RGB", (400, 400), (128, 128, 128)).save(grey, "PNG")
    for name, data in (("empty.jpg", b""), ("tiny.png", tiny.getvalue())):
        response = user.client.post("/api/photos", files={"file": (name, data, "image/png")})
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        _one_sentence(detail)
        (tmp_path / name).write_bytes(data)
        try:
            load_photo(tmp_path / name)
        except InputError as error:
            assert str(error) == detail
        else:
            raise AssertionError(f"{name} was read")
    response = user.client.post("/api/photos", data={"force": "true"})  # no file at all
    assert response.status_code == 422 and "named 'file'" in response.json()["detail"]
    _one_sentence(response.json()["detail"])
    response = user.client.post("/api/photos", files={"file": ("grey.png", grey.getvalue(), "image/png")},
                                data={"force": "true"})  # kept despite the gate, but there is no face
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith("No face was found in grey.png")
    _one_sentence(response.json()["detail"])
    for missing in ("/api/photos/999", "/api/photos/ghost"):
        response = user.client.get(missing)
        assert response.status_code == 404
        _one_sentence(response.json()["detail"])


def test_one_pixel_limit_takes_a_50_mp_phone_photo_at_every_door(
    app: FastAPI, make_user: Any, tmp_path: Path
) -> None:
    """The web's upload check, `facefit photo add` (``load_photo``) and every other image reader
    (``open_source``: analyze, synth, calibration) share one limit, the vision stage's, and its words: a
    50 MP phone photo (8160x6144, a little over 50,000,000 pixels) passes it, 72 MP is refused alike."""
    from facefit.errors import InputError
    from facefit.photos.files import load_photo
    from facefit.vision.sources import MAX_IMAGE_PIXELS, open_source, too_many_pixels
    from facefit.web.uploads import check_pixels

    assert 8160 * 6144 <= MAX_IMAGE_PIXELS < 20_000 * 20_000
    user = make_user("pixels@example.org")
    phone = tmp_path / "phone.png"  # the header of a 50 MP photo; its pixels are cut short
    phone.write_bytes(_png_bomb(8160, 6144))
    assert check_pixels(phone.read_bytes(), "phone.png") == (8160, 6144)
    for door in (load_photo, open_source):
        try:
            door(phone)
        except InputError as error:  # past the pixel check, the cut-short data is what is refused
            assert "megapixel" not in str(error) and "truncated" in str(error), str(error)
        else:
            raise AssertionError("a cut-short PNG was read")
    big = tmp_path / "big.png"
    big.write_bytes(_png_bomb(9000, 8000))
    words = too_many_pixels("big.png", (9000, 8000))
    assert words == ("The photo big.png has 9000x8000 pixels (72 megapixels), more than the 64 megapixel "
                     "limit; resize it first.")
    response = user.client.post("/api/photos", files={"file": ("big.png", big.read_bytes(), "image/png")})
    assert (response.status_code, response.json()["detail"]) == (413, words)
    for door in (load_photo, open_source):
        try:
            door(big)
        except InputError as error:
            assert str(error) == words
        else:
            raise AssertionError("72 MP was read")


def test_uploads_are_refused_by_size_type_pixels_and_name(
    app: FastAPI, make_user: Any, real_data: Path
) -> None:
    user = make_user("up@example.org")
    jpeg = (real_data / "single_face.jpg").read_bytes()
    cases = [
        (("big.jpg", b"\xff\xd8\xff" + b"\0" * (50 * 2**20), "image/jpeg"), 413, "50 MB; photos over 15 MB"),
        (("bomb.png", _png_bomb(), "image/png"), 413, "far more pixels than the 64 megapixel limit"),
        (("x.svg", b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>'
                   b"</svg>", "image/svg+xml"), 415, "SVG drawing"),
        (("../../x", jpeg, "image/jpeg"), 422, "is not a plain file name"),
        (("notes.jpg", b"hello, not an image", "image/jpeg"), 415, "not a JPEG, PNG or WebP"),
    ]
    for upload, code, message in cases:
        response = user.client.post("/api/photos", files={"file": upload})
        assert response.status_code == code, (upload[0], response.text)
        assert message in response.json()["detail"], response.json()
        _one_sentence(response.json()["detail"])
    assert user.client.get("/api/photos").json() == []
    assert not list((data_dir() / "photos").rglob("*.jpg"))
    response = user.client.post("/api/photos", files={"file": ("me.jpg", jpeg, "image/jpeg")})
    assert response.status_code == 201
    verdict = response.json()
    assert {c["name"] for c in verdict["gate"]["checks"]} >= {"one_face", "sharpness"}
    if not verdict["accepted"]:  # the gate names what to fix
        assert all(c["advice"] for c in verdict["gate"]["checks"] if not c["passed"])


def _member_with_data(app: FastAPI, make_user: Any, email: str, jpeg: bytes) -> tuple[Any, int, int]:
    user = make_user(email)
    with app.state.store.transaction() as db:
        profile_id = db.get(Account, user.id).profile_id
        session = practice.start_session(session=db, profile_id=profile_id, kind="coach",
                                         exercise_id="cheek-lifter", source="web")
        practice.record_event(session=db, session_id=session.id, kind="rep", payload={"owner": email})
        practice.record_step(session=db, session_id=session.id, position=1, exercise_id="cheek-lifter",
                             reps_done=1)
    response = user.client.post("/api/photos", files={"file": ("p.jpg", jpeg, "image/jpeg")},
                                data={"force": "true"})
    assert response.status_code == 201 and response.json()["photo_id"], response.text
    assert user.client.post("/api/lifestyle", json={"values": {"sleep": 7.5}}).status_code == 200
    return user, profile_id, session.id


def _rows_of(app: FastAPI, profile_id: int, account_id: int) -> dict[str, int]:
    counts: dict[str, int] = {}
    with app.state.store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for column, value in (("profile_id", profile_id), ("account_id", account_id),
                                  ("member_id", account_id)):
                if column in table.c:
                    n = connection.execute(select(table).where(table.c[column] == value)).all()
                    counts[f"{table.name}.{column}"] = len(n)
        counts["profiles"] = connection.execute(text("SELECT COUNT(*) FROM profiles WHERE id = :i"),
                                                {"i": profile_id}).scalar_one()
        counts["accounts"] = connection.execute(text("SELECT COUNT(*) FROM accounts WHERE id = :i"),
                                                {"i": account_id}).scalar_one()
    return counts


def test_export_and_delete_account(app: FastAPI, make_user: Any, real_data: Path) -> None:
    jpeg = (real_data / "single_face.jpg").read_bytes()
    ann, ann_profile, ann_session = _member_with_data(app, make_user, "ann@example.org", jpeg)
    ben, ben_profile, ben_session = _member_with_data(app, make_user, "ben@example.org", jpeg)

    response = ann.client.get("/api/account/export")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        names = set(archive.namelist())
        sessions = json.loads(archive.read("data/sessions.json"))
        events = json.loads(archive.read("data/session_events.json"))
        accounts = json.loads(archive.read("data/accounts.json"))
        everything = b"".join(archive.read(n) for n in names)
        photo_files = [n for n in names if n.startswith("files/photos/")]
    assert {"data/sessions.csv", "data/photos.json", "data/lifestyle_days.json", "README.txt"} <= names
    assert [s["id"] for s in sessions] == [ann_session] and [e["payload"]["owner"] for e in events] == [
        "ann@example.org"]
    assert "password_hash" not in accounts[0] and b"ben@example.org" not in everything
    assert len(photo_files) == 1 and photo_files[0].startswith(f"files/photos/p{ann_profile}/")

    ann_files = list((data_dir() / "photos" / f"p{ann_profile}").glob("*.jpg"))
    assert len(ann_files) == 1
    refused = ann.client.request("DELETE", "/api/account", json={"password": "wrong password!",
                                                                 "confirm": "delete my account"})
    assert refused.status_code == 403 and sum(_rows_of(app, ann_profile, ann.id).values()) > 0
    deleted = ann.client.request("DELETE", "/api/account", json={"password": PASSWORD,
                                                                 "confirm": "delete my account"})
    assert deleted.status_code == 200, deleted.text
    left = _rows_of(app, ann_profile, ann.id)
    assert sum(left.values()) == 0, left
    with app.state.store.engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM sessions WHERE id = :i"),
                                  {"i": ann_session}).scalar_one() == 0
        tables = set(inspect(connection).get_table_names())
    assert {"sessions", "session_events", "photos", "accounts"} <= tables
    assert not any(path.exists() for path in ann_files)
    assert ann.client.get("/api/account").status_code == 401
    # Ben (same photo pixels, his own copy) keeps everything
    assert sum(_rows_of(app, ben_profile, ben.id).values()) > 0
    assert ben.client.get(f"/api/sessions/{ben_session}").status_code == 200
    photo = ben.client.get("/api/photos").json()[0]
    assert ben.client.get(photo["image"]).status_code == 200
