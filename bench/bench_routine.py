"""Foundation costs: catalog load, programme planning, player overhead per tick, one committed set.

    .venv/bin/python bench/bench_routine.py

Each figure comes with a baseline measured in the same run, so the ratio says what FaceFit adds:
- catalog: full load + validation of the built-in TOML files vs. tomllib parsing alone;
- plan(): the 20-week protocol expanded to dated days vs. building the same number of plain dates;
- player: one tick of ``timed_step`` (key read, timer advance, state snapshot) vs. a bare loop that only
  calls the same fake clock and sleep; at the real 10 ticks/s this is the CPU the player costs;
- store: one set committed in its own transaction (SQLite, WAL, synchronous=NORMAL) vs. a raw sqlite3
  INSERT + COMMIT on a table of the same shape.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
import tomllib
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from facefit.catalog.loader import _load, builtin_paths, load_catalog
from facefit.catalog.schedule import plan
from facefit.routine.blocks import session_plan
from facefit.routine.player import StepContext, timed_step
from facefit.store.db import open_store
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import record_step, start_session


def best_of(repeats: int, fn: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.calls = 0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.calls += 1
        self.now += seconds


def bench_catalog() -> None:
    paths = tuple(builtin_paths())
    full = best_of(20, lambda: _load(paths))
    parse = best_of(20, lambda: [tomllib.loads(p.read_text()) for p in paths])
    print(f"catalog load+validate: {full * 1e3:7.2f} ms   tomllib only: {parse * 1e3:6.2f} ms   "
          f"ratio {full / parse:5.1f}x")


def bench_plan() -> None:
    catalog = load_catalog()
    start = date(2026, 1, 5)
    days = plan("study-20-week", start, catalog=catalog)
    full = best_of(20, lambda: plan("study-20-week", start, catalog=catalog))
    bare = best_of(20, lambda: [start + timedelta(days=i) for i in range(len(days))])
    print(f"plan(study-20-week), {len(days)} days: {full * 1e3:6.2f} ms   "
          f"plain dates: {bare * 1e3:6.3f} ms   ratio {full / bare:5.1f}x")


def bench_player() -> None:
    blocks = session_plan("daily-10", load_catalog()).blocks
    fake = FakeTime()
    ctx = StepContext(clock=fake.clock, sleep=fake.sleep, speed=1.0, tick_s=0.1)

    def run() -> None:
        for block in blocks:
            timed_step(block, ctx)

    elapsed = best_of(3, run)
    ticks = fake.calls // 3
    bare_fake = FakeTime()

    def bare() -> None:
        for _ in range(ticks):
            bare_fake.clock()
            bare_fake.sleep(0.1)

    baseline = best_of(3, bare)
    per_tick = elapsed / ticks
    print(f"player: {ticks} ticks for daily-10 at 1x, {per_tick * 1e6:6.1f} us/tick   bare loop "
          f"{baseline / ticks * 1e6:5.2f} us/tick   ratio {elapsed / baseline:5.1f}x   "
          f"CPU at 10 ticks/s: {per_tick * 10 * 100:.4f}%")


def bench_store(n: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = open_store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        with store.transaction() as db:
            sid = start_session(session=db, profile_id=get_or_create_profile(session=db).id).id

        def facefit_writes() -> None:
            for i in range(n):
                with store.transaction() as db:
                    record_step(session=db, session_id=sid, position=i, exercise_id="cheek-lifter",
                                set_index=1, reps_target=10, reps_done=10, hold_s=5.0, duration_s=70.0)

        ours = best_of(3, facefit_writes) / n
        store.close()
        raw = sqlite3.connect(Path(tmp) / "raw.db", isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.execute("CREATE TABLE s (id INTEGER PRIMARY KEY, session_id INT, position INT, "
                    "exercise_id TEXT, set_index INT, reps_target INT, reps_done INT, hold_s REAL, "
                    "duration_s REAL, skipped INT, note TEXT, completed_at TEXT)")

        def raw_writes() -> None:
            for i in range(n):
                raw.execute("BEGIN")
                raw.execute("INSERT INTO s VALUES (NULL, 1, ?, 'cheek-lifter', 1, 10, 10, 5.0, 70.0, 0, "
                            "NULL, datetime('now'))", (i,))
                raw.execute("COMMIT")

        base = best_of(3, raw_writes) / n
        raw.close()
    print(f"store: one committed set {ours * 1e3:6.3f} ms   raw sqlite3 {base * 1e3:6.3f} ms   "
          f"ratio {ours / base:5.1f}x")


def main() -> None:
    bench_catalog()
    bench_plan()
    bench_player()
    bench_store()


if __name__ == "__main__":
    main()
