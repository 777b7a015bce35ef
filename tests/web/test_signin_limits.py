"""Sign-in limiting holds under parallel attempts, counts per account and per address, decays, and believes
X-Forwarded-For only from configured proxies (issue 13, finding 6)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from live_server import running_server, signed_up
from webtest_helpers import PASSWORD, sign_up

from facefit.web.app import create_app
from facefit.web.settings import WebSettings


def _login(client: httpx.Client | TestClient, email: str, password: str, **headers: str) -> Any:
    if "facefit_csrf" not in client.cookies:
        client.get("/api/auth/csrf")
    return client.post("/api/auth/login", json={"email": email, "password": password},
                       headers={"X-CSRF-Token": client.cookies["facefit_csrf"], **headers})


def test_parallel_guesses_and_spoofed_addresses_are_limited_on_a_real_server(tmp_path: Path,
                                                                            report_figure: Any) -> None:
    settings = {"db_url": f"sqlite:///{tmp_path / 'signin.db'}", "secure_cookies": False}
    with running_server(settings, tmp_path) as server:
        signed_up(server.url, "target@example.org")
        clients = [httpx.Client(base_url=server.url, timeout=60) for _ in range(30)]
        for client in clients:
            client.get("/api/auth/csrf")
        start = threading.Barrier(len(clients))
        began = time.monotonic()
        codes: list[int] = []

        def guess(n: int) -> None:
            start.wait()
            codes.append(_login(clients[n], "target@example.org", f"guess-{n}").status_code)

        threads = [threading.Thread(target=guess, args=(n,)) for n in range(len(clients))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        counts = Counter(codes)
        assert len(codes) == 30 and set(counts) <= {401, 429} and counts[401] <= 5, counts
        # From loopback, a made-up X-Forwarded-For must not make each try look like a new address: the
        # address limit (4 x 5 failures) stops a spray over many accounts.
        spray = [_login(clients[0], f"user{n}@example.org", "wrong password", **{
            "X-Forwarded-For": f"203.0.113.{n}"}).status_code for n in range(30)]
        drained = (time.monotonic() - began) * 20 / 300  # the address count drains one try per 15 s
        first = spray.index(429) + 1 if 429 in spray else None
        report_figure(f"30 parallel wrong passwords: {counts[401]} x 401, {counts[429]} x 429; 30 emails "
                      f"with made-up X-Forwarded-For from loopback: {spray.count(401)} x 401, "
                      f"{spray.count(429)} x 429 (first 429 at try {first})")
        assert 429 in spray and counts[401] + spray.count(401) <= 20 + drained, (counts, spray, drained)
        for client in clients:
            client.close()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_limits_are_per_account_and_per_address_and_decay(tmp_path: Path, monkeypatch: Any) -> None:
    from argon2 import PasswordHasher

    from facefit.web import security

    monkeypatch.setattr(security, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))  # fast guesses
    app = create_app(WebSettings(db_url=f"sqlite:///{tmp_path / 'decay.db'}", secure_cookies=False,
                                 trusted_proxies=("testclient",)))
    try:
        clock = Clock()
        app.state.login_limiter.clock = clock
        sign_up(app, "ann@example.org")
        browser = TestClient(app)
        # per account: five wrong passwords from five addresses, then even the right one waits
        codes = [_login(browser, "ann@example.org", "wrong", **{"X-Forwarded-For": f"198.51.100.{n}"}
                        ).status_code for n in range(5)]
        blocked = _login(browser, "ann@example.org", PASSWORD, **{"X-Forwarded-For": "198.51.100.99"})
        assert codes == [401] * 5 and blocked.status_code == 429, (codes, blocked.text)
        wait = int(blocked.headers["Retry-After"])
        assert 0 < wait <= 61  # one more try every 300 s / 5 failures
        clock.now += wait
        assert _login(browser, "ann@example.org", PASSWORD).status_code == 200  # decayed: the owner gets in
        assert _login(browser, "ann@example.org", "wrong").status_code == 401  # and the count was cleared
        # per address: 20 failures over 20 accounts from one (proxied) address block that address only
        codes = [_login(browser, f"nobody{n}@example.org", "wrong", **{"X-Forwarded-For": "192.0.2.7"}
                        ).status_code for n in range(21)]
        assert codes[:20] == [401] * 20 and codes[20] == 429, codes
        assert _login(browser, "other@example.org", "wrong", **{"X-Forwarded-For": "192.0.2.8"}
                      ).status_code == 401
        clock.now += 301  # after the whole window everything has drained
        assert _login(browser, "nobody0@example.org", "wrong", **{"X-Forwarded-For": "192.0.2.7"}
                      ).status_code == 401
    finally:
        app.state.store.close()


def test_proxy_headers_are_ignored_unless_the_proxy_is_trusted(app: FastAPI, monkeypatch: Any) -> None:
    """The tests' app trusts no proxy: X-Forwarded-For is just a header."""
    from argon2 import PasswordHasher

    from facefit.web import security

    monkeypatch.setattr(security, "_HASHER", PasswordHasher(time_cost=1, memory_cost=1024))
    sign_up(app, "bea@example.org")
    browser = TestClient(app)
    codes = [_login(browser, f"x{n}@example.org", "wrong", **{"X-Forwarded-For": f"10.1.1.{n}"}).status_code
             for n in range(21)]
    assert codes[20] == 429, codes


def test_serve_refuses_a_trusted_proxy_that_is_not_an_address() -> None:
    import pytest

    from facefit.cli.web import serve
    from facefit.errors import InputError

    with pytest.raises(InputError, match=r"The --trusted-proxy value 'proxy\.example' is not an IP address"):
        serve(trusted_proxy=["proxy.example"])
