"""Practice done without a connection, counted once it is back.

The practice page keeps the face points it would have sent (the live protocol's binary frames,
``web/live/protocol.py``) on the device; ``POST /api/practice/offline`` replays them, in their own
timestamps, through the same live coach a WebSocket connection uses (``web.live.coaching.LiveCoach`` on
the practice layer's set runner), so reps, holds, faults and safety stops are exactly what live coaching
would have counted. The session is stored with the time it was practised and source ``web-offline``.
A replayed session passes the same practice check as any other start (``practice.start``): a refused
person's offline session is not counted, and the reply says why.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from facefit.fileio import NestingError, parse_bounded
from facefit.web.deps import MemberDep
from facefit.web.live.protocol import HEADER, FrameError, decode_frame

router = APIRouter(tags=["practice"])
OFFLINE_SOURCE = "web-offline"
FACE, BLENDSHAPES, TRANSFORM = 1, 2, 4
N_BLENDSHAPES = 52


class OfflineStart(BaseModel):
    """The start message the WebSocket would have had, plus when and with which landmarks."""

    model_config = ConfigDict(extra="ignore")

    mode: str = Field(default="coach", pattern="^coach$")
    exercise: str = Field(max_length=80)
    sets: int | None = Field(default=None, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    rest_s: float | None = Field(default=None, ge=0, le=300)
    landmarks: list[int] = Field(min_length=1, max_length=478)
    started_at: datetime


def split_frames(data: bytes) -> Iterator[bytes]:
    """The concatenated binary frames one by one (each frame's header says how long it is)."""
    offset = 0
    while offset < len(data):
        if len(data) - offset < HEADER.size:
            raise FrameError(f"the recording ends in a partial frame at byte {offset}")
        _version, flags, n, _seq, _t, _w, _h = HEADER.unpack_from(data, offset)
        size = HEADER.size
        if flags & FACE:
            size += 12 * n + (4 * N_BLENDSHAPES if flags & BLENDSHAPES else 0)
            size += 64 if flags & TRANSFORM else 0
        yield data[offset:offset + size]
        offset += size


def replay(start: OfflineStart, data: bytes, *, profile_id: int, store: Any) -> dict[str, Any]:
    """Count the recording as live coaching would and store it; returns the session's summary."""
    from facefit.practice.recorder import QueuedRecorder, SessionInfo
    from facefit.practice.start import Refusal, start_practice
    from facefit.store import sessions as practice
    from facefit.web.live.coaching import LiveCoach, live_plan
    from facefit.web.live.writer import write_rows
    from facefit.web.practice import refusal_sentence

    with store.transaction() as db:
        verdict = start_practice(session=db, profile_id=profile_id, target=start.exercise)
    if isinstance(verdict, Refusal):
        raise HTTPException(status.HTTP_409_CONFLICT, refusal_sentence(verdict))
    plan = live_plan(verdict.steps[0], sets=start.sets, reps=start.reps, rest_s=start.rest_s)
    info = SessionInfo(profile_id, "coach", None, plan.exercise_id, OFFLINE_SOURCE)
    coach = LiveCoach(plan, recorder=QueuedRecorder(info), indices=start.landmarks, rest=verdict.rest,
                      tick_every=1_000_000)
    frames = 0
    for chunk in split_frames(data):
        if coach.phase in ("done", "stopped"):
            break
        coach.frame(decode_frame(chunk, len(start.landmarks)))
        frames += 1
    if frames == 0:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "The recording holds no frames.")
    coach.end()
    rows = coach.take_unsaved()
    with store.transaction() as db:
        row = practice.start_session(session=db, profile_id=profile_id, kind="coach",
                                     exercise_id=plan.exercise_id, source=OFFLINE_SOURCE)
        moment = start.started_at
        row.started_at = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
        session_id = row.id
    write_rows(store, [(session_id, rows)])
    summary = coach.summary()
    return {"session_id": session_id, "frames": frames, "reps": summary.get("reps_total"),
            "sets": summary.get("sets_done"), "status": coach.phase}


@router.post("/api/practice/offline", status_code=status.HTTP_201_CREATED,
             summary="Count and store a session practised without a connection (multipart: 'start' JSON "
             "and 'frames', the live protocol's binary frames one after another)")
async def offline_session(request: Request, caller: MemberDep) -> dict[str, Any]:
    form = await request.form(max_files=1, max_fields=2)
    raw_start, frames = form.get("start"), form.get("frames")
    if not isinstance(raw_start, str) or frames is None or isinstance(frames, str):
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            "Send a multipart form with 'start' (JSON) and 'frames' (binary).")
    try:
        start = OfflineStart.model_validate(parse_bounded(json.loads, raw_start))
    except (json.JSONDecodeError, NestingError, ValidationError) as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"The 'start' field is not a valid start message: {str(error).splitlines()[0]}."
                            ) from None
    data = await frames.read()
    try:
        return await asyncio.to_thread(replay, start, data, profile_id=caller.profile_id,
                                       store=request.app.state.store)
    except FrameError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT,
                            f"The recording is damaged: {error}.") from None
