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
