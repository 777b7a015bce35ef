"""API-token load: N concurrent script clients, each with its own connection, loop on the REST API with
an API token for S seconds against one ``facefit serve`` process on 127.0.0.1; prints requests, errors
and latency p50/p99 per backend.

    .venv/bin/python bench/bench_token_load.py [--clients 50] [--seconds 15] [--pg postgresql+psycopg://...]

Goal (issue 13): 0 errors with 50 clients for 15 s on SQLite and on PostgreSQL. Four in five clients read
(GET /api/account), one in five also writes (POST /api/lifestyle), so SQLite's single writer is exercised
while readers keep coming. Token use is recorded every 0.5 s here (60 s in production) to exercise that
write path too. tests/web/test_token_load.py runs the same driver, 50 clients for 15 s, once per backend.
"""

from __future__ import annotations

import argparse
import os
import ssl
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "web"))

from live_server import running_server, signed_up  # noqa: E402


@dataclass
class LoadResult:
    requests: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)

    def line(self, label: str) -> str:
        ordered = sorted(self.latencies_ms) or [0.0]
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        return (f"{label}: {self.requests} requests, {sum(self.errors.values())} errors "
                f"{dict(self.errors) or ''}, p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms")


def token_load(url: str, token: str, *, clients: int = 50, seconds: float = 15.0) -> LoadResult:
    """Run the load; every non-2xx status or transport error counts as an error."""
    result = LoadResult()
    lock = threading.Lock()
    start = threading.Barrier(clients)
    tls = ssl.create_default_context()  # one for all clients (plain HTTP; httpx would build 50 of them)

    def client(n: int) -> None:
        writer = n % 5 == 4
        local = LoadResult()
        with httpx.Client(base_url=url, timeout=60, verify=tls,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            start.wait()
            deadline = time.monotonic() + seconds
            i = 0
            while time.monotonic() < deadline:
                began = time.perf_counter()
                try:
                    if writer:
                        day = (date.today() - timedelta(days=(n * 31 + i) % 300)).isoformat()
                        response = http.post("/api/lifestyle", json={"day": day, "values": {"sleep": 7.5}})
                    else:
                        response = http.get("/api/account")
                    if response.status_code >= 300:
                        local.errors[f"{response.status_code} {response.text[:80]}"] += 1
                except httpx.HTTPError as error:
                    local.errors[type(error).__name__] += 1
                local.requests += 1
                local.latencies_ms.append((time.perf_counter() - began) * 1000)
                i += 1
        with lock:
            result.requests += local.requests
            result.errors.update(local.errors)
            result.latencies_ms += local.latencies_ms

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return result


def run(db_url: str, tmp: Path, *, clients: int, seconds: float) -> LoadResult:
    """One server on ``db_url``, a member with a practice token (it reads and logs lifestyle), the load."""
    settings = {"db_url": db_url, "secure_cookies": False, "token_use_every_s": 0.5}
    with running_server(settings, tmp) as server:
        member = signed_up(server.url, "load@example.org")
        made = member.post("/api/account/tokens", json={"name": "load", "scope": "practice"})
        assert made.status_code == 201, made.text
        return token_load(server.url, made.json()["token"], clients=clients, seconds=seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--pg", default=os.environ.get("FACEFIT_TEST_PG_URL"),
                        help="PostgreSQL URL (a new schema is made and dropped); default FACEFIT_TEST_PG_URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="facefit-token-load-") as tmp:
        os.environ["FACEFIT_HOME"] = str(Path(tmp) / "home")
        sqlite = f"sqlite:///{Path(tmp) / 'load.db'}"
        result = run(sqlite, Path(tmp), clients=args.clients, seconds=args.seconds)
        print(result.line(f"sqlite, {args.clients} clients, {args.seconds:.0f} s"))
        if args.pg:
            import uuid

            import sqlalchemy as sa

            schema = f"bench_{uuid.uuid4().hex[:12]}"
            admin = sa.create_engine(args.pg, poolclass=sa.pool.NullPool)
            with admin.begin() as connection:
                connection.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
            try:
                separator = "&" if "?" in args.pg else "?"
                url = f"{args.pg}{separator}options=-csearch_path%3D{schema}"
                result = run(url, Path(tmp), clients=args.clients, seconds=args.seconds)
                print(result.line(f"postgresql, {args.clients} clients, {args.seconds:.0f} s"))
            finally:
                with admin.begin() as connection:
                    connection.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
                admin.dispose()


if __name__ == "__main__":
    main()
