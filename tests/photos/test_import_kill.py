"""Crash safety: SIGKILL an import of 20 photos mid-way, twice; no half-written file, no orphan row,
and re-running completes the import exactly once per photo."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from facefit.fileio import TEMP_PREFIX
from facefit.photos.gate import Reference, evaluate
from facefit.photos.measure import PhotoMeasurement, measure_photo
from facefit.photos.perturb import Perturbation
from facefit.store.db import open_store
from facefit.store.photos import Photo

N_PHOTOS = 20


@pytest.fixture(scope="session")
def twenty_photos(
    tmp_path_factory: pytest.TempPathFactory,
    grace_path: Path,
    grace_rgb: np.ndarray,
    grace: PhotoMeasurement,
    image_landmarker: object,
) -> list[Path]:
    """Grace plus 19 simulated re-takes that all pass the gate against her (so all 20 get stored)."""
    folder = tmp_path_factory.mktemp("twenty")
    reference = Reference.from_measurement(grace)
    rng = np.random.default_rng(7)
    files = [grace_path]
    while len(files) < N_PHOTOS:
        rgb = Perturbation.draw(rng).apply(grace_rgb, grace.landmarks, rng)
        if evaluate(measure_photo(rgb, image_landmarker), reference).accepted:
            path = folder / f"retake-{len(files):02d}.png"
            Image.fromarray(rgb).save(path)
            files.append(path)
    return files


def _stored_files(home: Path) -> list[Path]:
    return sorted(
        p for p in (home / "photos").rglob("*") if p.is_file() and not p.name.startswith(TEMP_PREFIX)
    )


def _check_consistent(home: Path) -> list[Photo]:
    """Every row has its complete file; every final-named file decodes completely."""
    for path in _stored_files(home):
        with Image.open(path) as image:
            image.load()  # raises on a truncated file
    store = open_store(f"sqlite:///{home / 'facefit.db'}")
    try:
        with store.transaction() as session:
            rows = list(session.scalars(select(Photo)))
        for row in rows:
            path = home / row.file_name
            assert path.is_file(), f"orphan row {row.id}: {row.file_name} missing"
            with Image.open(path) as image:
                image.load()
                assert image.size == (row.width, row.height)
        assert len({r.sha256 for r in rows}) == len(rows)
        return rows
    finally:
        store.close()


def _start_import(files: list[Path], home: Path) -> subprocess.Popen[bytes]:
    """A `facefit photo add` process; its stderr goes to home/stderr-<n>.txt for failure messages."""
    exe = Path(sys.executable).with_name("facefit")
    env = {**os.environ, "FACEFIT_HOME": str(home), "GLOG_minloglevel": "2"}
    home.mkdir(parents=True, exist_ok=True)
    with (home / f"stderr-{len(list(home.glob('stderr-*.txt')))}.txt").open("wb") as err:
        return subprocess.Popen([exe, "photo", "add", *map(str, files)], env=env, stdout=subprocess.DEVNULL,
                                stderr=err)


def _stderr_of(home: Path) -> str:
    return "\n".join(p.read_text(errors="replace")[-800:] for p in sorted(home.glob("stderr-*.txt")))


def _kill_after(
    process: subprocess.Popen[bytes], home: Path, stored_at_least: int, timeout_s: float = 90
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if len(_stored_files(home)) >= stored_at_least:
            break
        time.sleep(0.01)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)


def test_sigkill_mid_import_leaves_no_half_file_and_no_orphan_row(
    twenty_photos: list[Path], facefit_home: Path
) -> None:
    first = _start_import(twenty_photos, facefit_home)
    _kill_after(first, facefit_home, stored_at_least=4)
    assert first.returncode == -signal.SIGKILL, "the import finished before it could be killed"
    rows = _check_consistent(facefit_home)
    assert 0 < len(rows) < N_PHOTOS

    second = _start_import(twenty_photos, facefit_home)
    _kill_after(second, facefit_home, stored_at_least=len(rows) + 5)
    rows = _check_consistent(facefit_home)

    final = _start_import(twenty_photos, facefit_home)
    assert final.wait(timeout=300) == 0, _stderr_of(facefit_home)
    rows = _check_consistent(facefit_home)
    assert len(rows) == N_PHOTOS
    assert sum(r.is_baseline for r in rows) == 1
    assert all(r.accepted for r in rows)
    assert len(_stored_files(facefit_home)) == N_PHOTOS
    assert not [p for p in (facefit_home / "photos").rglob(f"{TEMP_PREFIX}*")]

    again = _start_import(twenty_photos, facefit_home)  # idempotent: nothing new
    assert again.wait(timeout=300) == 0, _stderr_of(facefit_home)
    assert len(_check_consistent(facefit_home)) == N_PHOTOS


def test_two_processes_importing_the_same_photo_store_it_once(grace_path: Path, facefit_home: Path) -> None:
    facefit_home.mkdir(parents=True, exist_ok=True)
    open_store(f"sqlite:///{facefit_home / 'facefit.db'}").close()  # migrate once, before the race
    racers = [_start_import([grace_path], facefit_home) for _ in range(2)]
    assert [p.wait(timeout=120) for p in racers] == [0, 0], _stderr_of(facefit_home)
    rows = _check_consistent(facefit_home)
    assert len(rows) == 1 and rows[0].is_baseline
