"""The real ``facefit`` process: SIGKILL mid-routine keeps finished sets; keys work in a terminal."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from facefit.store.db import open_store
from facefit.store.sessions import get_session

FACEFIT = str(Path(sys.executable).with_name("facefit"))


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FACEFIT_DB_URL"}
    return env | {"FACEFIT_HOME": str(home), "COLUMNS": "120"}


def test_sigkill_mid_routine_keeps_completed_steps(facefit_home: Path) -> None:
    env = env_for(facefit_home)
    process = subprocess.Popen([FACEFIT, "routine", "daily-10", "--speed", "20", "--no-input"],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env, text=True)
    seen: list[str] = []
    try:
        assert process.stdout is not None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line:
                break
            seen.append(line)
            if "2/13 Warm-up massage" in line:
                break
        assert any("2/13 Warm-up massage" in line for line in seen), seen
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert process.returncode == -signal.SIGKILL
    out = subprocess.run([FACEFIT, "history", "--json"], env=env, capture_output=True, text=True, check=True)
    (row,) = json.loads(out.stdout)
    assert row["status"] == "interrupted" and row["ended_at"] is None
    assert row["steps_done"] >= 2 and row["routine_id"] == "daily-10"
    table = subprocess.run([FACEFIT, "history"], env=env, capture_output=True, text=True, check=True)
    assert "interrupted" in table.stdout


@pytest.mark.parametrize(("signum", "reason"), [(signal.SIGINT, "interrupted with Ctrl-C"),
                                                (signal.SIGTERM, "terminated (SIGTERM)")])
def test_ctrl_c_or_sigterm_close_the_session_as_stopped_and_keep_finished_sets(
    facefit_home: Path, signum: int, reason: str
) -> None:
    env = env_for(facefit_home)
    # Ctrl-C in a terminal reaches a process whose SIGINT is the default; one started from a background
    # job of a non-interactive shell (a CI runner's `cmd &`) inherits SIGINT ignored, and would run on.
    process = subprocess.Popen([FACEFIT, "routine", "daily-10", "--speed", "60", "--no-input"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert process.stdout is not None
    line = ""
    while "1/13 Skin prep" not in line:
        line = process.stdout.readline()
        assert line, "the routine ended before its first set was reported"
    process.send_signal(signum)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 130
    assert "every finished set is saved" in err
    out = subprocess.run([FACEFIT, "history", "--json"], env=env, capture_output=True, text=True, check=True)
    (row,) = json.loads(out.stdout)
    assert row["status"] == "stopped" and row["stop_reason"] == reason
    assert row["steps_done"] >= 1 and row["ended_at"] is not None


def test_keys_in_a_terminal_pause_and_stop_for_pain(facefit_home: Path) -> None:
    env = env_for(facefit_home)
    master, slave = pty.openpty()
    process = subprocess.Popen([FACEFIT, "routine", "cheek-lifter", "--speed", "5"],
                               stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True)
    os.close(slave)
    output = b""

    def pump(seconds: float) -> None:
        nonlocal output
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    output += os.read(master, 65536)
                except OSError:
                    return

    try:
        deadline = time.monotonic() + 30
        while b"keys: p pause" not in output and time.monotonic() < deadline:
            pump(0.1)
        assert b"keys: p pause" in output, output[-2000:]
        os.write(master, b"p")
        pump(0.6)
        assert b"PAUSED" in output
        os.write(master, b"p")
        pump(0.3)
        os.write(master, b"x")
        deadline = time.monotonic() + 20
        while process.poll() is None and time.monotonic() < deadline:
            pump(0.1)
        pump(0.2)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)
        os.close(master)
    text = output.decode(errors="replace")
    assert process.returncode == 4, text[-2000:]
    assert "see a doctor" in text and "stopped" in text and "facefit ack" in text  # the advice for pain
    store = open_store(f"sqlite:///{facefit_home / 'facefit.db'}")
    with store.transaction() as db:
        session = get_session(session=db, session_id=1)
        assert session is not None and session.status == "stopped" and session.ended_at is not None
        assert session.stop_reason is not None and session.stop_reason.startswith("pain:")
        assert [e.payload["kind"] for e in session.events] == ["pain"]
        assert session.steps[-1].skipped and session.steps[-1].note == "stopped: pain"
    store.close()
