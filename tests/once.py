"""Test data made once per test run, also across pytest-xdist workers (``make test`` runs two)."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest


def shared_folder(tmp_path_factory: pytest.TempPathFactory, name: str,
                  make: Callable[[Path], object]) -> Path:
    """A folder filled once per test run by ``make(folder)``, also when ``make test`` runs the suite in
    pytest-xdist workers: the first worker to ask fills it while the others wait on a lock, then every
    worker reads the same files (a clip rendered and run through the model once, not once per worker)."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's temp root; each worker's own basetemp is a folder in it
    folder = root / f"shared-{name}"
    with (root / f"shared-{name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / ".done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            make(folder)
            (folder / ".done").touch()
    return folder
