"""What the command line does with hostile or careless input and settings (issue 13, finding 9): deeply
nested JSON/TOML is one clear error, concurrent ``facefit log`` runs for one day all land, ``--out``
never replaces a device, and the data folder and database are private whatever the umask.

Everything runs the real ``facefit`` console script in its own process, as a person would.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

FACEFIT = Path(sys.executable).with_name("facefit")
DEEP = 3000


def _run(*args: str, home: Path, umask: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FACEFIT_HOME": str(home), "GLOG_minloglevel": "2"}
    env.pop("FACEFIT_DB_URL", None)
    return subprocess.run([str(FACEFIT), *args], capture_output=True, text=True, env=env, timeout=300,
                          preexec_fn=(lambda: os.umask(umask)) if umask is not None else None, check=False)


def test_deeply_nested_json_and_toml_are_one_clear_error(tmp_path: Path, facefit_home: Path) -> None:
    answers = tmp_path / "answers.json"
    answers.write_text("[" * DEEP + "]" * DEEP)
    lifestyle = tmp_path / "log.json"
    lifestyle.write_text('{"sleep": ' + "[" * DEEP + "]" * DEEP + "}")
    catalog = tmp_path / "deep.toml"
    catalog.write_text("x = " + "[" * DEEP + "]" * DEEP + "\n")
    for args in (("screen", "--answers", str(answers)), ("log", "--file", str(lifestyle)),
                 ("catalog", "validate", str(catalog))):
        result = _run(*args, home=facefit_home)
        assert result.returncode != 0, (args, result.stdout)
        assert "Traceback" not in result.stderr and "RecursionError" not in result.stderr, result.stderr
        lines = [line for line in result.stderr.splitlines() if "nested" in line]
        assert len(lines) == 1 and "32 levels" in lines[0], (args, result.stderr)


def test_out_never_replaces_a_device_or_folder(tmp_path: Path, facefit_home: Path) -> None:
    for target in ("/dev/null", "/dev/full", str(tmp_path)):
        before = os.stat(target)
        result = _run("report", "--out", target, home=facefit_home)
        assert result.returncode != 0 and "Traceback" not in result.stderr, result.stderr
        said = "Is a directory" if target == str(tmp_path) else "it is a device, pipe or socket"
        assert f"Cannot write {target}: {said}" in " ".join(result.stderr.split()), result.stderr
        after = os.stat(target)
        assert stat.S_IFMT(after.st_mode) == stat.S_IFMT(before.st_mode) and after.st_ino == before.st_ino
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
    report = tmp_path / "report.html"
    assert _run("report", "--out", str(report), home=facefit_home).returncode == 0 and report.is_file()


def test_data_folder_and_database_are_private_under_umask_022(tmp_path: Path) -> None:
    home = tmp_path / "fresh-home"
    probe = (
        "import os, stat\n"
        "from facefit.config import data_dir\n"
        "from facefit.store.db import open_store\n"
        "from facefit.store.profiles import get_or_create_profile\n"
        "store = open_store()\n"
        "with store.transaction() as db:\n"
        "    get_or_create_profile(session=db, name='me')\n"
        "with store.engine.connect() as c:\n"  # the WAL and SHM exist while a connection is open
        "    c.exec_driver_sql('SELECT COUNT(*) FROM profiles').scalar()\n"
        "    root = data_dir()\n"
        "    for name in ('.', 'facefit.db', 'facefit.db-wal', 'facefit.db-shm'):\n"
        "        print(name, oct(stat.S_IMODE(os.stat(root / name).st_mode)))\n"
    )
    env = {**os.environ, "FACEFIT_HOME": str(home)}
    env.pop("FACEFIT_DB_URL", None)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True,
                         preexec_fn=lambda: os.umask(0o022)).stdout
    modes = dict(line.split() for line in out.splitlines())
    private = {".": "0o700", "facefit.db": "0o600", "facefit.db-wal": "0o600", "facefit.db-shm": "0o600"}
    assert modes == private
    # an older install left them readable by others: the next command tightens them
    os.chmod(home, 0o755)
    os.chmod(home / "facefit.db", 0o644)
    assert _run("log", "sleep=7h", home=home, umask=0o022).returncode == 0
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    assert stat.S_IMODE((home / "facefit.db").stat().st_mode) == 0o600


VALUES = {"spf": ("spf=yes", True), "sleep_h": ("sleep=7.5h", 7.5), "water_l": ("water=1.8l", 1.8),
          "calcium_mg": ("calcium=1100mg", 1100.0), "vitamin_d_iu": ("vitamin_d=800iu", 800.0),
          "smoking": ("smoking=no", False), "moisturiser": ("moisturiser=yes", True)}


FORK_LOGS = """
import os, sys, time
from facefit.cli import main
import facefit.habits.service, facefit.store.db
out, values = sys.argv[1], sys.argv[2:]
go = os.path.join(out, "go")
children = []
for n, value in enumerate(values):
    pid = os.fork()
    if pid == 0:  # a `facefit log` process with its imports already done
        err = os.open(os.path.join(out, f"err{n}"), os.O_CREAT | os.O_WRONLY, 0o600)
        os.dup2(err, 2)
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        while not os.path.exists(go):
            time.sleep(0.002)
        sys.argv = ["facefit", "log", value]
        try:
            main()
        except SystemExit as end:
            os._exit(end.code if isinstance(end.code, int) else 1)
        os._exit(0)
    children.append(pid)
open(os.path.join(out, "ready"), "w").close()
codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
print(" ".join(map(str, codes)))
"""


def test_thirty_concurrent_logs_of_one_new_day_all_land(tmp_path: Path, facefit_home: Path) -> None:
    """30 ``facefit log`` processes on a new database, released at one instant: every field each of them
    logged is saved (the first ones also race to create the schema and the profile). The processes are
    forked from one that has done the imports, so they start within milliseconds of each other."""
    env = {**os.environ, "FACEFIT_HOME": str(facefit_home)}
    env.pop("FACEFIT_DB_URL", None)
    pairs = list(VALUES.values())
    parent = subprocess.Popen([sys.executable, "-c", FORK_LOGS, str(tmp_path),
                               *(pairs[n % len(pairs)][0] for n in range(30))],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 120
    while not (tmp_path / "ready").exists():
        assert parent.poll() is None and time.monotonic() < deadline, parent.communicate()
        time.sleep(0.05)
    (tmp_path / "go").touch()
    out, err = parent.communicate(timeout=300)
    codes = out.split()
    failed = [(tmp_path / f"err{n}").read_text()[-300:] for n, code in enumerate(codes[:30]) if code != "0"]
    assert len(codes) == 30 and not failed, (err, failed[:3])
    from facefit.habits.service import lifestyle_days
    from facefit.store.db import open_store
    from facefit.store.profiles import get_or_create_profile

    store = open_store()
    try:
        with store.transaction() as db:
            days = lifestyle_days(session=db, profile_id=get_or_create_profile(session=db, name="me").id)
    finally:
        store.close()
    assert days == {date.today(): {field: value for field, (_, value) in VALUES.items()}}
