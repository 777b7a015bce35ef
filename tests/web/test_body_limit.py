"""Request bodies are limited while they are read, before sign-in is checked: a 300 MB body (declared or
streamed without a length) gets 413 and the server's memory barely moves (issue 13, finding 4)."""

from __future__ import annotations

import select
import socket
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from live_server import running_server, signed_up

MB = 1024 * 1024


def _stream(port: int, path: str, total: int, *, declared: bool = False, chunk: int = 256 * 1024,
            headers: str = "", prefix: bytes = b"", content_type: str = "application/json"
            ) -> tuple[int, int]:
    """POST ``total`` bytes of JSON-ish text, chunked (or with its Content-Length declared), as fast as
    the server takes them.

    Stops sending as soon as the server answers (or stops reading); returns (status, bytes sent).
    """
    sock = socket.create_connection(("127.0.0.1", port))
    framing = f"Content-Length: {total}" if declared else "Transfer-Encoding: chunked"
    sock.sendall(f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n"
                 f"{headers}{framing}\r\n\r\n".encode())
    piece = b"[" + b"1," * (chunk // 2 - 1) + b"1"
    frame = piece if declared else f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    if prefix:
        sock.sendall(prefix if declared else f"{len(prefix):x}\r\n".encode() + prefix + b"\r\n")
    sent = len(prefix)
    sock.settimeout(10)
    try:
        while sent < total:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable:
                break
            sock.sendall(frame)
            sent += len(piece)
    except (BrokenPipeError, ConnectionResetError, TimeoutError):
        pass
    reply = b""
    try:
        while b"\r\n" not in reply:
            data = sock.recv(4096)
            if not data:
                break
            reply += data
    finally:
        sock.close()
    return int(reply.split(b" ", 2)[1]), sent


def test_a_300_mb_body_is_refused_while_read_and_memory_stays_flat(tmp_path: Path,
                                                                   report_figure: Any) -> None:
    settings = {"db_url": f"sqlite:///{tmp_path / 'limit.db'}", "secure_cookies": False}
    with running_server(settings, tmp_path) as server:
        httpx.get(f"{server.url}/api/catalog/exercises")  # lazy imports done before the baseline
        member = signed_up(server.url, "big@example.org")  # argon2 takes 64 MB of its own, once
        baseline = server.rss()
        peak = [baseline]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], server.rss())
                time.sleep(0.02)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            status, sent = _stream(server.port, "/api/lifestyle", 300 * MB)  # no cookie: refused unread
            declared, declared_sent = _stream(server.port, "/api/lifestyle", 300 * MB, declared=True)
            form = "multipart/form-data; boundary=xyz"
            anonymous_upload = _stream(server.port, "/api/photos", 300 * MB, content_type=form)
            declared_upload = _stream(server.port, "/api/photos", 300 * MB, declared=True, content_type=form)
            cookie = "; ".join(f"{k}={v}" for k, v in member.cookies.items())
            upload_status, upload_sent = _stream(
                server.port, "/api/photos", 300 * MB, headers=f"Cookie: {cookie}\r\n"
                f"X-CSRF-Token: {member.headers['X-CSRF-Token']}\r\n",
                content_type=form,
                prefix=b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.jpg"\r\n'
                       b"Content-Type: image/jpeg\r\n\r\n\xff\xd8\xff")
        finally:
            done.set()
            watcher.join()
        assert status == 413 and sent < 20 * MB, (status, sent)
        assert declared == 413 and declared_sent < 20 * MB, (declared, declared_sent)
        assert anonymous_upload[0] == 401 and anonymous_upload[1] < 40 * MB, anonymous_upload  # not read
        assert declared_upload[0] == 413 and declared_upload[1] < 90 * MB, declared_upload
        assert upload_status == 413 and upload_sent < 90 * MB, (upload_status, upload_sent)  # 64 MB forms
        growth = (peak[0] - baseline) / MB
        report_figure(f"300 MB chunked JSON without a cookie: {status} after {sent / MB:.1f} MB sent; "
                      f"declared: {declared} after {declared_sent / MB:.1f} MB; signed-in upload "
                      f"{upload_status} after {upload_sent / MB:.1f} MB; server RSS {baseline / MB:.1f} MB, "
                      f"peak growth {growth:.1f} MB")
        assert growth < 20, f"server memory grew {growth:.1f} MB"
        assert httpx.get(f"{server.url}/healthz").status_code == 200


def test_json_and_uploads_have_their_own_limits(app: FastAPI, make_user: Any) -> None:
    user = make_user("limits@example.org")
    big_json = b'{"values": {"note": "' + b"x" * (2 * MB) + b'"}}'
    response = user.client.post("/api/lifestyle", content=big_json,
                                headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and "request body is larger than the 1 MB" in response.json()["detail"]
    photo = b"\xff\xd8\xff" + b"\0" * (2 * MB)
    response = user.client.post("/api/photos", files={"file": ("big.jpg", photo)})
    assert response.status_code != 413  # 2 MB is a fine photo size (refused later as not an image)
    response = user.client.post("/api/photos", files={"file": ("big.jpg", photo * 10)})
    assert response.status_code == 413
    assert user.client.get("/api/account").status_code == 200


def _refusal(path: str, content_type: bytes, *, declared: int | None, sent: int = 0) -> tuple[int, str]:
    """What the body limit answers (status, detail) to a body for ``path``: declared with a length, or
    streamed without one, ``sent`` bytes in 1 MB chunks. The app behind it reads the whole body."""
    import asyncio
    import json

    from facefit.web.limits import BodyLimit

    async def app(scope: Any, receive: Any, send: Any) -> None:
        while True:  # read the whole body, as a route would; stop when it ends or is cut off
            message = await receive()
            if message["type"] == "http.disconnect" or not message.get("more_body"):
                return

    chunks = [b"x" * MB] * (sent // MB)
    answers: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": chunks.pop() if chunks else b"", "more_body": bool(chunks)}

    async def send(message: dict[str, Any]) -> None:
        answers.append(message)

    headers = [(b"content-type", content_type)]
    if declared is not None:
        headers.append((b"content-length", str(declared).encode()))
    scope = {"type": "http", "method": "POST", "path": path, "query_string": b"", "headers": headers}
    limit = BodyLimit(app, limit=1 * MB, form_limit=64 * MB, photo_limit=15 * MB)
    asyncio.run(limit(scope, receive, send))
    if not answers:  # not refused: the app read the body
        return 0, ""
    return answers[0]["status"], json.loads(answers[1]["body"])["detail"]


def test_a_refused_upload_names_the_limit_that_applied(app: FastAPI, make_user: Any) -> None:
    """A photo route's multipart body is held to the photo limit (15 MB), not the 64 MB every other upload
    gets, so the refusal names 15 MB, in the photo route's own words; any other upload names 64 MB."""
    from facefit.photos.files import photo_too_large

    form = b"multipart/form-data; boundary=xyz"
    visit = "/api/study/me/trial/visits/baseline/photos"
    for path in ("/api/photos", visit):
        assert _refusal(path, form, declared=100 * MB) == (413, photo_too_large(None, 100 * MB, 15 * MB))
        assert _refusal(path, form, declared=100 * MB)[1] == ("This upload is 100 MB; photos over 15 MB are "
                                                              "refused.")
        assert _refusal(path, form, declared=None, sent=20 * MB) == (
            413, "This upload is too large; photos over 15 MB are refused.")
        assert _refusal(path, form, declared=None, sent=14 * MB) == (0, "")  # under the limit: read whole
    offline = _refusal("/api/practice/offline", form, declared=100 * MB)
    assert offline == (413, "This upload is 100 MB; uploads over 64 MB are refused.")
    assert _refusal("/api/practice/offline", form, declared=20 * MB) == (0, "")  # 20 MB is fine there
    assert _refusal("/api/photos", b"application/json", declared=2 * MB)[1].startswith(
        "The request body is larger than the 1 MB")

    user = make_user("sixteen@example.org")  # the whole app, as a person's browser meets it
    body = b"\xff\xd8\xff" + b"\0" * (16 * MB)
    for path in ("/api/photos", visit):
        response = user.client.post(path, files={"file": ("phone.jpg", body, "image/jpeg")})
        assert response.status_code == 413, response.text
        assert response.json()["detail"] == "This upload is 16 MB; photos over 15 MB are refused."
