"""A real ``facefit serve`` process (uvicorn, the options the command uses) for tests that need a server
of their own: memory of the server process, many concurrent clients, what uvicorn does with headers."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from webtest_helpers import PASSWORD

SERVE = (
    "import json, sys\n"
    "from facefit.cli.web import run_server\n"
    "from facefit.web.settings import WebSettings\n"
    "run_server(WebSettings(**json.loads(sys.argv[1])), host='127.0.0.1', port=int(sys.argv[2]),"
    " log_level='warning', workers=int(sys.argv[3]))\n"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def rss(self) -> int:
        """Resident memory of the server process, in bytes (from /proc)."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS in /proc status")


@contextmanager
def running_server(settings: dict[str, Any], tmp: Path, *, workers: int = 1) -> Iterator[Server]:
    """Start the server with ``WebSettings(**settings)`` (``workers`` processes, as ``facefit serve
    --workers``); stop it (SIGINT) afterwards."""
    port = free_port()
    log = tmp / f"server-{port}.log"
    with log.open("wb") as err:
        process = subprocess.Popen([sys.executable, "-c", SERVE, json.dumps(settings), str(port),
                                    str(workers)], stderr=err, stdout=err,
                                   env={**os.environ, "GLOG_minloglevel": "2"})
    server = Server(f"http://127.0.0.1:{port}", port, process, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{server.url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield server
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def signed_up(url: str, email: str) -> httpx.Client:
    """An httpx client signed up and in with a cookie (CSRF header set)."""
    client = httpx.Client(base_url=url, timeout=60)
    client.get("/api/auth/csrf")
    client.headers["X-CSRF-Token"] = client.cookies["facefit_csrf"]
    response = client.post("/api/auth/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    client.headers["X-CSRF-Token"] = response.json()["csrf_token"]
    return client
