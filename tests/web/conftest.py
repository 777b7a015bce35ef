"""Web fixtures: an app per test on SQLite and PostgreSQL, signed-in clients, a real landmark stream.

The landmark stream is real: a ``facefit synth`` cheek-lifter clip (3 reps, known truth) run through
the real Face Landmarker once per test session; live-coaching tests replay it over the WebSocket.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from webtest_helpers import User, sign_up

from facefit.web.app import create_app
from facefit.web.settings import WebSettings
from once import shared_folder


@pytest.fixture
def app(db_url: str) -> Iterator[FastAPI]:
    """A fresh app on a fresh database (SQLite file, or a new PostgreSQL schema).

    ``tick_every=1`` so WebSocket tests get one reply per frame they send; the OpenAPI schema is served
    (off by default) for the tests that walk or fuzz it.
    """
    application = create_app(WebSettings(db_url=db_url, secure_cookies=False, tick_every=1, api_docs=True))
    yield application
    from facefit.web import perception

    perception.close(application.state)
    application.state.store.close()


@pytest.fixture
def make_user(app: FastAPI) -> Callable[..., User]:
    return lambda email, role="member": sign_up(app, email, role)


@dataclass(frozen=True)
class Recording:
    """A synth clip and what the real landmarker saw in it, frame by frame."""

    clip: Path
    truth: dict[str, Any]
    t_ms: np.ndarray
    landmarks: np.ndarray  # (N, 478, 3)
    blendshapes: np.ndarray
    transforms: np.ndarray
    size: tuple[int, int]


FACEFIT = Path(sys.executable).with_name("facefit")


LEAD_REST_S = 8


def make_clip(out_dir: Path, photo: Path, *, fps: int = 15, reps: int = 3,
              exercise: str = "cheek-lifter") -> tuple[Path, dict[str, Any]]:
    """An exercise clip (cheek lifter unless told) as a y4m for the fake webcam, and its truth JSON
    (~10 s to make).

    It starts with 8 s of still rest. A person keeps still while the page says so; Chromium's fake
    webcam plays the file from when the camera opens, whether the page is ready or not. On a loaded
    machine the page's first settled landmarks came ~4 s after the camera opened: with a 4 s lead the
    coach's first still second was a smile hold, and it counted 0 of 3 reps."""
    clip, truth = out_dir / f"{exercise}.y4m", out_dir / "truth.json"
    subprocess.run(
        [str(FACEFIT), "synth", "--photo", str(photo), "--out", str(clip),
         "--truth", str(truth), "--exercise", exercise, "--reps", str(reps), "--hold", "1",
         "--tempo", "0.6", "--rest", "1.5", "--lead-rest", str(LEAD_REST_S), "--fps", str(fps)],
        check=True, capture_output=True, env={**os.environ, "GLOG_minloglevel": "2"},
    )
    return clip, json.loads(truth.read_text())


NEUTRAL_PHOTO = Path(__file__).resolve().parents[2] / "src/facefit/synth/assets/grace_hopper_480.jpg"


@pytest.fixture(scope="session")
def synth_clip(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """One cheek-lifter clip per test run (shared by xdist workers): 8 s still neutral rest, then 3 reps
    (y4m + truth).

    The photo is the public-domain portrait shipped for ``facefit demo``: its face is neutral at rest
    (single_face.jpg smiles, so a calibration on it is rightly rejected as "not neutral").
    """
    folder = shared_folder(tmp_path_factory, "cheek-clip", lambda out: make_clip(out, NEUTRAL_PHOTO))
    return folder / "cheek-lifter.y4m", json.loads((folder / "truth.json").read_text())


@pytest.fixture(scope="session")
def recording(tmp_path_factory: pytest.TempPathFactory, synth_clip: tuple[Path, dict[str, Any]]) -> Recording:
    folder = shared_folder(tmp_path_factory, "cheek-recording",
                           lambda out: save_recording(record_clip(*synth_clip), out))
    return load_recording(folder, *synth_clip)


@pytest.fixture(scope="session")
def jawline_recording(tmp_path_factory: pytest.TempPathFactory) -> Recording:
    """A jawline-definition clip (3 reps) through the real Face Landmarker: the starter routine's other
    counted exercise (tests/web/test_day_rule.py)."""
    def make(out: Path) -> None:
        save_recording(record_clip(*make_clip(out, NEUTRAL_PHOTO, exercise="jawline-definition")), out)

    folder = shared_folder(tmp_path_factory, "jawline-recording", make)
    return load_recording(folder, folder / "jawline-definition.y4m",
                          json.loads((folder / "truth.json").read_text()))


ARRAYS = ("t_ms", "landmarks", "blendshapes", "transforms")


def save_recording(recording: Recording, folder: Path) -> None:
    np.savez(folder / "recording.npz", size=np.array(recording.size),
             **{name: getattr(recording, name) for name in ARRAYS})


def load_recording(folder: Path, clip: Path, truth: dict[str, Any]) -> Recording:
    with np.load(folder / "recording.npz") as saved:
        arrays = {name: saved[name] for name in ARRAYS}
        size = (int(saved["size"][0]), int(saved["size"][1]))
    return Recording(clip=clip, truth=truth, size=size, **arrays)


def record_clip(clip: Path, truth: dict[str, Any]) -> Recording:
    """What the real Face Landmarker sees in ``clip``, frame by frame."""
    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.vision.sources import open_source

    rows = []
    with open_source(str(clip)) as source, Landmarker(RunningMode.VIDEO) as landmarker:
        for frame in source:
            rows.append(landmarker.detect(frame.rgb, frame.t_ms))
    return Recording(
        clip=clip, truth=truth, t_ms=np.array([o.t_ms for o in rows], dtype=float),
        landmarks=np.stack([o.landmarks for o in rows]), blendshapes=np.stack([o.blendshapes for o in rows]),
        transforms=np.stack([o.transform for o in rows]), size=rows[0].image_size,
    )
