"""A short looping demonstration of each camera-checked exercise, made by FaceFit's own ``synth`` from
the bundled public-domain portrait (nothing downloaded), and optionally from the user's own baseline
photo ("see yourself do it").

The catalog demos are made on first request and cached as WebM (VP8, PyAV) in the data folder, keyed by
exercise and :data:`DEMO_VERSION`. A user's own demo is health data: it is made on this server, served
only to its owner with ``no-store``, and never written to disk (kept in a small in-memory cache so a
second look is instant; a restart forgets it).
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import FileResponse, Response

from facefit.web.deps import CallerDep, DbDep, MemberDep

DEMO_VERSION = 1
SIZE = (320, 320)
FPS = 12
MAX_HOLD_S = 3.0  # a demo shows the movement; the card and the coach give the real hold time
PORTRAIT = Path(__file__).resolve().parents[1] / "synth" / "assets" / "grace_hopper_480.jpg"
OWN_CACHE_SIZE = 6

router = APIRouter(include_in_schema=False)
_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()
_own: OrderedDict[tuple[int, str, str], bytes] = OrderedDict()


def demo_exercises() -> tuple[str, ...]:
    """Exercises with a demonstration: those the coach checks and the synth can show."""
    from facefit.coach.specs import checked_exercises
    from facefit.synth.spec import EXERCISES

    return tuple(e for e in checked_exercises() if e in EXERCISES)


def demo_spec(exercise_id: str) -> Any:
    """One rep at the card's tempo after a short still rest, with the hold capped at MAX_HOLD_S."""
    from facefit.synth.spec import EXERCISE_TIMING, ClipSpec

    hold, _up, _down = EXERCISE_TIMING[exercise_id]
    return ClipSpec(exercise=exercise_id, reps=1, hold_s=min(hold, MAX_HOLD_S), rest_s=1.0, lead_rest_s=1.5,
                    fps=FPS, size=SIZE)


def encode_webm(frames: Iterable[np.ndarray], fps: int = FPS) -> bytes:
    """RGB frames -> a WebM (VP8) file in memory; browsers play and loop it without plug-ins."""
    from facefit.vision.sources import import_av

    av = import_av()
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="webm") as container:
        stream = container.add_stream("libvpx", rate=fps)
        stream.width, stream.height = SIZE
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 400_000
        for rgb in frames:
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buffer.getvalue()


def render_demo(photo: Any, exercise_id: str, landmarker: Any) -> bytes:
    """The demo of ``exercise_id`` on ``photo`` (a path or RGB array) as WebM bytes."""
    from facefit.synth.clip import prepare_clip

    clip = prepare_clip(photo, demo_spec(exercise_id), landmarker=landmarker)
    return encode_webm(frame.rgb for frame in clip.frames())


def cached_demo_path(exercise_id: str) -> Path:
    from facefit.config import data_dir

    return data_dir() / "demos" / f"{exercise_id}-v{DEMO_VERSION}.webm"


def _lock(key: str) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(key, threading.Lock())


def catalog_demo(exercise_id: str, state: Any) -> Path:
    """The cached demo file of ``exercise_id``, made now if missing (one maker per exercise at a time)."""
    from facefit.fileio import write_atomic
    from facefit.web.perception import image_landmarker

    path = cached_demo_path(exercise_id)
    with _lock(exercise_id):
        if not path.is_file():
            with image_landmarker(state) as landmarker:
                data = render_demo(PORTRAIT, exercise_id, landmarker)
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data, mode=0o644)  # public catalog material, not health data
    return path


def _known(exercise_id: str) -> None:
    if exercise_id not in demo_exercises():
        raise HTTPException(status.HTTP_404_NOT_FOUND,
                            f"There is no demonstration of {exercise_id!r}; there are demonstrations of "
                            f"{', '.join(demo_exercises())}.")


@router.get("/demos/{exercise_id}.webm")
def demo(exercise_id: str, request: Request, _caller: CallerDep) -> FileResponse:
    """The catalog demonstration (public material, made once, then a static file)."""
    _known(exercise_id)
    path = catalog_demo(exercise_id, request.app.state)
    return FileResponse(path, media_type="video/webm", headers={"Cache-Control": "max-age=86400"})


def _own_demo(request: Request, db: Any, profile_id: int, exercise_id: str) -> bytes:
    from facefit.photos.library import load_stored_rgb
    from facefit.store.photos import get_baseline
    from facefit.web.perception import image_landmarker

    baseline = get_baseline(session=db, profile_id=profile_id)
    if baseline is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no baseline photo yet: take one on the "
                                                       "Photos page to see yourself do the exercise.")
    key = (profile_id, baseline.file_name, exercise_id)
    with _lock(f"own-{profile_id}"):
        if key not in _own:
            rgb = load_stored_rgb(baseline)
            with image_landmarker(request.app.state) as landmarker:
                _own[key] = render_demo(rgb, exercise_id, landmarker)
            while len(_own) > OWN_CACHE_SIZE:
                _own.popitem(last=False)
        _own.move_to_end(key)
        return _own[key]


@router.get("/demos/{exercise_id}/me.webm")
def own_demo(exercise_id: str, request: Request, db: DbDep, caller: MemberDep) -> Response:
    """The demonstration made from the caller's own baseline photo: theirs only, never stored."""
    _known(exercise_id)
    data = _own_demo(request, db, caller.profile_id, exercise_id)
    return Response(data, media_type="video/webm", headers={"Cache-Control": "private, no-store"})
