"""``/ws/coach``: the live coaching and calibration WebSocket (protocol in ``facefit.web.live``).

Client -> server: a JSON ``start`` message, then binary landmark frames (``live.protocol``) at the rate
``ready`` names (``fps``), and JSON control messages (``pain``, ``end``, ``ping``). Server -> client:
``ready``; the state when what the page shows changes (at least every ``tick_every`` frames): 18 bytes
of binary if the start said ``binary: true`` (the page does), else a JSON ``tick``; a JSON ``tick``
(state plus events with a sentence to say) for a frame that produced events;
``error`` for any bad message (the connection stays open; after too many the server closes it with
code 1008); ``saved`` when work is stored; ``pong`` once every frame sent before the ``ping`` is done.

Frames go to the event loop's :class:`~facefit.web.live.batcher.SignalBatcher` without waiting; the
batcher calls :meth:`Connection.step` with each frame's signals, and replies leave through the
connection's own queue and sender task, in order, so a client that stops reading holds nobody else.

Authentication: the session cookie (only from the app's own origin: no cross-site WebSocket
hijacking) or an API token in the ``start`` message. Each connection owns its own engine; one bad
client cannot affect another's session.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import anyio
import numpy as np
from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from facefit.errors import FaceFitError
from facefit.fileio import NestingError, parse_bounded
from facefit.practice.recorder import PendingRows, QueuedRecorder, SessionInfo
from facefit.practice.sets import SetPlan
from facefit.practice.start import PracticePlan, Refusal, start_practice
from facefit.store import live as live_store
from facefit.store import web as accounts
from facefit.store.db import Store
from facefit.web.deps import SESSION_COOKIE, Caller, caller_from_credentials, scope_allows
from facefit.web.live.batcher import SignalBatcher
from facefit.web.live.claims import claims_for
from facefit.web.live.coaching import (
    LiveCalibration,
    LiveCoach,
    check_changes,
    dumps,
    live_plan,
    rest_from_json,
)
from facefit.web.live.fastpath import EXTENSION, LiveLink
from facefit.web.live.per_loop import for_this_loop
from facefit.web.live.protocol import Header, ProtocolError, landmark_indices, read_header
from facefit.web.live.writer import ResumeAt, opener_for, writer_for
from facefit.web.practice import refusal_body, refusal_sentence, warning_body

router = APIRouter(tags=["live"])
log = logging.getLogger(__name__)

MAX_ERRORS = 50
FLUSH_EVERY_S = 5.0
SEND_FPS = 15
"""The frame rate the browser is asked for in ``ready``: what the engine was evaluated at (the frontal
evaluation's clips are 15 fps) and, measured on the same clips at both rates, as good as 30
(``eval/frame_rate.py``). Every frame costs the server the same, so this halves the work per user."""
MAX_QUEUED = 8
"""Frames of one connection waiting for the batcher beyond which its socket is not read (TCP then slows
the client down; the page drops frames while its send buffer is full). The socket is read again once
half of them are stepped (:data:`RESUME_BELOW`)."""
RESUME_BELOW = MAX_QUEUED // 2
MAX_OUTBOX = 64
"""Replies waiting to be sent beyond which state replies are dropped (the next one supersedes them)."""
MAX_LIVE_PER_USER = 2
"""Live connections (coaching or calibration) one account may have open at once: a phone and a laptop.
More are refused, so one account cannot hold a server's engines and memory."""
FINISH_WITHIN_S = 10.0
"""How long a closing connection may take to give back its slot and save what it received."""


class StartMessage(BaseModel):
    """The first message of a connection."""

    model_config = ConfigDict(extra="forbid")

    type: str
    mode: str = Field(default="coach", pattern="^(coach|calibrate)$")
    exercise: str | None = Field(default=None, max_length=80)
    session_id: int | None = None
    sets: int | None = None
    reps: int | None = None
    rest_s: float | None = None
    seconds: float = Field(default=5.0, ge=2.0, le=15.0, description="calibration length")
    token: str | None = Field(default=None, max_length=200)
    binary: bool = Field(default=False, description=(
        "state replies as 18-byte binary messages (protocol.STATE; the page asks for them); JSON otherwise"))


def _origin_ok(websocket: WebSocket, allowed: tuple[str, ...]) -> bool:
    origin = websocket.headers.get("origin")
    if origin is None:  # not a browser (scripts use tokens anyway)
        return True
    return urlparse(origin).netloc == websocket.headers.get("host") or origin in allowed


def _authenticate(store: Store, token: str | None, cookie: str | None) -> Caller | None:
    with store.transaction() as db:
        return caller_from_credentials(session=db, bearer=token, cookie=None if token else cookie)


def _verdict(store: Store, profile_id: int, exercise_id: str) -> PracticePlan | Refusal:
    """``start_practice`` for one exercise: its plan (with the stored rest) or why not."""
    with store.transaction() as db:
        return start_practice(session=db, profile_id=profile_id, target=exercise_id)


@dataclass(frozen=True)
class Resumed:
    """A session continued on this connection: its finished sets, and (when it was started on a server
    with issue 18's resume state) the plan, next set and rest it had, wherever that was."""

    done: list[dict[str, Any]]
    plan: SetPlan | None = None
    next_set: int | None = None
    rest: np.ndarray | None = None


def _resume_session(store: Store, caller: Caller, exercise_id: str, session_id: int) -> Resumed:
    """The caller's unfinished session ``session_id`` as the database has it (ProtocolError otherwise)."""
    with store.transaction() as db:
        row = accounts.get_session(session=db, profile_id=caller.profile_id, session_id=session_id)
        if row is None:
            raise ProtocolError(f"You have no session {session_id} to resume.")
        if row.ended_at is not None or row.exercise_id != exercise_id:
            raise ProtocolError(f"Session {session_id} is finished or is not a {exercise_id} session.")
        done = [{"set": s.set_index, "reps": s.reps_done, "hold_s": s.hold_s}
                for s in row.steps if not s.skipped]
        state = live_store.get_live_session(session=db, profile_id=caller.profile_id, session_id=session_id)
        if state is None:  # a session from before resume state was kept: its sets and the start message
            return Resumed(done)
        return Resumed(done, SetPlan(**state.plan), state.next_set, rest_from_json(state.rest))


def _save_calibration(store: Store, profile_id: int, calibration: Any) -> None:
    try:
        from facefit.store.calibration import save_calibration
    except ImportError as error:
        raise ProtocolError("Calibration storage is not available in this build yet.") from error
    with store.transaction() as db:
        save_calibration(session=db, profile_id=profile_id, calibration=calibration)


def batcher(app: Any) -> SignalBatcher:
    """The batcher of the running event loop (one per loop: uvicorn has one, test clients one each)."""
    return for_this_loop(app, "signal_batchers", lambda: SignalBatcher(landmark_indices()))


class Connection:
    """State of one WebSocket: who, what is being coached, what waits to be sent, what is not yet saved."""

    def __init__(self, websocket: WebSocket) -> None:
        self.ws = websocket
        self.store: Store = websocket.app.state.store
        self.settings = websocket.app.state.settings
        self.loop = asyncio.get_running_loop()
        self.batcher = batcher(websocket.app)
        self.caller: Caller | None = None
        self.coach: LiveCoach | None = None
        self.calibration: LiveCalibration | None = None
        self.calibrated = False  # a calibration of this connection has collected its frames
        self.n_landmarks = 0
        self.errors = 0
        self.max_bytes: int = self.settings.max_ws_message_bytes
        self.last_flush = time.monotonic()
        self.flush_timer: asyncio.TimerHandle | None = None  # flush_soon's wait for FLUSH_EVERY_S
        self.finishing = False
        self._confirming: set[asyncio.Task[None]] = set()
        self.slot: int | None = None  # the profile whose live-connection count this one holds
        self.claim = 0  # ... and its claim's id (store.live.LiveConnection)
        self.resume_saved: ResumeAt | None = None  # where the database says this session resumes
        self.outbox: deque[bytes | str] = deque()
        self.sender: asyncio.Task[None] | None = None
        self.gone = False  # the client went away: nothing more to send
        self.queued = 0  # frames handed to the batcher and not yet stepped
        self.room = asyncio.Event()  # set while fewer than MAX_QUEUED frames wait
        self.room.set()
        self.settled = asyncio.Event()  # set while no frame waits
        self.settled.set()
        # ``facefit serve``'s protocol (web/live/fastpath.py) hands binary frames to take_frame straight
        # from the socket and writes replies at once; None under other servers (the ASGI path only).
        self.link: LiveLink | None = websocket.scope.get("extensions", {}).get(EXTENSION)
        self.receiving = False  # run() is waiting for the next message, nothing else is in hand
        self.held = False  # take_frame stopped reading the socket: this stream has MAX_QUEUED waiting
        self.opening: asyncio.Task[int] | None = None  # the session row being made (open_session)

    async def hold_live_slot(self, profile_id: int) -> None:
        """Count this connection against the account's MAX_LIVE_PER_USER on every server process
        (``web.live.claims``; ProtocolError when full)."""
        if self.slot is not None:
            return
        claims = claims_for(self.ws.app, MAX_LIVE_PER_USER)
        claim = await claims.claim(profile_id)
        if claim is None:
            raise ProtocolError(f"You already have {MAX_LIVE_PER_USER} live sessions open (another tab or "
                                "device?); end one there first.")
        self.slot, self.claim = profile_id, claim

    async def release_live_slot(self) -> None:
        if self.slot is not None:
            profile_id, self.slot = self.slot, None
            await claims_for(self.ws.app, MAX_LIVE_PER_USER).release(profile_id, self.claim)

    # ------------------------------------------------------------------ sending

    def post(self, message: bytes | str) -> None:
        """Queue a message for this client; its sender task sends the queue in order."""
        if self.gone:
            return
        if len(self.outbox) >= MAX_OUTBOX and isinstance(message, bytes):
            return  # the client is not reading: a state it would read later is superseded anyway
        if self.sender is None and self.link is not None and self.link.write_now(message):
            return  # nothing queued before it: written now, no task
        self.outbox.append(message)
        if self.sender is None:
            self.sender = self.loop.create_task(self._send_queued())

    async def _send_queued(self) -> None:
        try:
            while self.outbox:
                message = self.outbox.popleft()
                if isinstance(message, bytes):
                    await self.ws.send_bytes(message)
                else:
                    await self.ws.send_text(message)
        except (WebSocketDisconnect, RuntimeError, OSError):
            self.gone = True
            self.outbox.clear()
        finally:
            self.sender = None

    async def sent(self) -> None:
        """Wait until everything queued so far has been sent (or the client is gone)."""
        while self.sender is not None:
            await asyncio.wait([self.sender])

    async def send(self, message: dict[str, Any]) -> None:
        self.post(dumps(message))

    async def error(self, text: str) -> bool:
        """Tell the client what was wrong; False once it has sent too many bad messages."""
        if self.count_error(text):
            return True
        await self.sent()
        await self.ws.close(code=1008, reason="too many bad messages")
        return False

    def count_error(self, text: str) -> bool:
        """Queue the error message; False when this was one bad message too many."""
        self.errors += 1
        self.post(dumps({"type": "error", "message": text}))
        return self.errors < MAX_ERRORS

    async def run(self) -> None:
        if self.link is not None:
            self.link.set_sink(self.take_frame)
        try:
            while True:
                if self.caller is None:  # an idle socket that never starts is closed, not kept forever
                    try:
                        message = await asyncio.wait_for(self.ws.receive(), self.settings.ws_start_timeout_s)
                    except TimeoutError:
                        await self.sent()
                        await self.ws.close(code=1008, reason="no start message")
                        break
                else:
                    self.receiving = True
                    try:
                        message = await self.ws.receive()
                    finally:
                        self.receiving = False
                if message["type"] == "websocket.disconnect":
                    break
                try:
                    await self.handle(message.get("bytes"), message.get("text"))
                except (ProtocolError, FaceFitError) as problem:
                    if not await self.error(str(problem)):
                        break
                except (json.JSONDecodeError, NestingError, UnicodeDecodeError) as problem:
                    if not await self.error(f"Control messages must be JSON objects: {problem}."):
                        break
                if self.errors >= MAX_ERRORS:  # counted by the batcher's frame errors
                    await self.sent()
                    await self.ws.close(code=1008, reason="too many bad messages")
                    break
        except WebSocketDisconnect:
            pass
        finally:
            if self.link is not None:
                self.link.set_sink(None)
            # Shielded: a server shutting down (or a test client leaving) cancels this task, and the
            # claim and the frames already received must still be released and saved. Bounded in time.
            with anyio.move_on_after(FINISH_WITHIN_S, shield=True):
                await self.finish()

    async def finish(self) -> None:
        """Give back the live slot, coach and keep every frame already handed over, then flush."""
        self.finishing = True  # the forced flush below writes everything: no timer's flush after it
        if self.flush_timer is not None:
            self.flush_timer.cancel()
            self.flush_timer = None
        await self.release_live_slot()
        with contextlib.suppress(TimeoutError):  # frames already handed over are coached and kept
            await asyncio.wait_for(self.settled.wait(), 5.0)
        if self._confirming:  # finished sets still being confirmed are saved before this returns
            await asyncio.gather(*self._confirming, return_exceptions=True)
        await self.flush(force=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.sent(), 1.0)

    async def handle(self, data: bytes | None, text: str | None) -> None:
        limit = self.settings.max_ws_message_bytes
        if len(data or b"") > limit or len(text or "") > limit:
            raise ProtocolError(f"The message is too large (limit {limit} bytes).")
        if data is not None:
            await self.frame(data)
        elif text is not None:
            await self.control(parse_bounded(json.loads, text))  # a deep one is an error, not a crash

    async def frame(self, data: bytes) -> None:
        """Check a frame's header and hand it to the batcher (which calls :meth:`step`)."""
        worker = self.coach or self.calibration
        if worker is None:
            if self.calibrated:
                return  # frames already on their way when the calibration had enough
            raise ProtocolError("Send a 'start' message before landmark frames.")
        if self.coach is not None and self.coach.finished:
            raise ProtocolError(f"This session is {self.coach.phase}; start a new one.")
        header = read_header(data, self.n_landmarks)
        if self.coach is not None and self.coach.session_id is None:
            await self.ensure_session()  # the first frame of the first set makes the session row
        self.queued += 1
        self.settled.clear()
        self.batcher.put(self, header)
        if self.queued >= MAX_QUEUED:
            self.room.clear()
            await self.room.wait()

    def take_frame(self, data: bytes) -> bool:
        """The socket's short path (``web/live/fastpath.py``): hand a binary message to the batcher now,
        as :meth:`frame` would, or return False to have it go through ASGI and :meth:`frame` instead.

        Taken only when nothing else is in hand (run() waits for the next message: no control message is
        being handled, so none is overtaken), the header is good and the client has not sent too many
        bad messages: every other case is the ordinary path's. The first frame of a session starts making
        its row (:meth:`open_session`) and is taken without waiting for it: when hundreds of streams
        start together the rows take a while, and before session 7 each stream's first frame waited for
        its row on the ASGI path with its next frames queued behind it. A stream with
        MAX_QUEUED frames waiting stops being read here (``LiveLink.hold_reading``) and is read again
        when it is down to RESUME_BELOW (:meth:`_stepped`): a server behind keeps every frame on this
        path, where before a full stream's frames went through ASGI, which costs more per frame just
        when the server has least to spare (seen at the start of 500 streams: thousands of frames a
        second by ASGI for several seconds)."""
        if not self.receiving or self.errors or len(data) > self.max_bytes:
            return False
        coach = self.coach
        if coach is None:
            if self.calibration is None:
                return False
        elif coach.finished:
            return False
        try:
            header = read_header(data, self.n_landmarks)
        except ProtocolError:
            return False
        if coach is not None and coach.session_id is None:
            self.open_session()  # the first frame: the row is made meanwhile, the frame does not wait
        self.queued += 1
        self.settled.clear()
        self.batcher.put(self, header)
        if self.queued >= MAX_QUEUED:  # (again after a control message, whose receive resumed reading)
            self.held = True
            self.link.hold_reading()  # type: ignore[union-attr]  (take_frame is only called with a link)
        return True

    # ------------------------------------------------------------------ called by the batcher

    def step(self, header: Header, values: Any) -> None:
        """A frame's signals are ready: the engine steps, the reply (if any) is queued, rows are flushed."""
        self._stepped()
        coach = self.coach
        worker = coach or self.calibration
        if worker is None:
            return
        try:
            reply = worker.step(header, values)
        except (ProtocolError, FaceFitError) as problem:
            self.count_error(str(problem))
            return
        if reply is not None:
            self.post(reply)
            # Only a frame that produced events or ended a set queues rows, and such a frame is always
            # answered (LiveCoach.advance): the others need no look at the rows. Events that wait for
            # FLUSH_EVERY_S are flushed by flush_soon's timer.
            if coach is not None and coach.unsaved:
                self.flush_soon()
        if coach is None and self.calibration is not None and self.calibration.complete:
            done, self.calibration, self.calibrated = self.calibration, None, True  # later frames ignored
            self._background(self.finish_calibration(done))

    def failed(self, header: Header, error: Exception) -> None:
        """A frame the batcher could not use: its problem goes to the client; a bug is logged."""
        self._stepped()
        if isinstance(error, (ProtocolError, FaceFitError)):
            self.count_error(str(error))
        else:
            log.error("live frame failed", exc_info=error)
            self.count_error("the server could not process this frame")

    def _stepped(self) -> None:
        self.queued -= 1
        if self.queued < MAX_QUEUED:
            self.room.set()
            if self.held and self.queued <= RESUME_BELOW:
                self.held = False
                self.link.release_reading()  # type: ignore[union-attr]
        if self.queued == 0:
            self.settled.set()

    def _background(self, work: Any) -> None:
        task = self.loop.create_task(work)
        self._confirming.add(task)
        task.add_done_callback(self._confirming.discard)

    async def control(self, message: Any) -> None:
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise ProtocolError('Control messages must be JSON objects with a "type".')
        kind = message["type"]
        if kind == "start":
            await self.start(message)
        elif kind == "ping":  # answered after every frame sent before it: a client's sync point
            await self.settled.wait()
            await self.send({"type": "pong", "t": message.get("t")})
        elif kind == "pain":
            if self.coach is None:
                raise ProtocolError("No session is running.")
            await self.settled.wait()  # after the frames sent before it, as they were sent
            await self.send(self.coach.pain(str(message.get("note", ""))[:500]))
            await self.flush(force=True)
        elif kind == "end":
            if self.coach is None:
                raise ProtocolError("No session is running.")
            await self.settled.wait()
            self.coach.end()
            await self.flush(force=True)
        else:
            raise ProtocolError(f"Unknown message type {kind!r}; expected start, pain, end or ping.")

    async def start(self, raw: dict[str, Any]) -> None:
        if self.coach is not None or self.calibration is not None:
            raise ProtocolError("This connection already started; open a new one for another session.")
        try:
            start = StartMessage.model_validate(raw)
        except ValidationError as invalid:
            first = invalid.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "message"
            raise ProtocolError(f"The start message is not valid: {where}: {first['msg']}.") from None
        cookie = self.ws.cookies.get(SESSION_COOKIE)
        if start.token is None and cookie and not _origin_ok(self.ws, self.settings.allowed_origins):
            raise ProtocolError("This WebSocket was opened from another site; refused.")
        caller = await asyncio.to_thread(_authenticate, self.store, start.token, cookie)
        if caller is None:
            raise ProtocolError("Sign in first (session cookie or API token in the start message).")
        if not scope_allows(caller, "practice"):
            raise ProtocolError(f"This API token's scope is {caller.scope}; coaching needs a practice token.")
        await self.hold_live_slot(caller.profile_id)
        self.caller = caller
        indices = landmark_indices()
        self.n_landmarks = len(indices)
        if start.mode == "calibrate":
            self.calibration = LiveCalibration(indices=indices, seconds=start.seconds)
            await self.send({"type": "ready", "mode": "calibrate", "landmarks": indices, "fps": SEND_FPS,
                             "seconds": self.calibration.seconds})
            return
        if not start.exercise:
            raise ProtocolError("The start message needs an exercise id, e.g. cheek-lifter.")
        from facefit.catalog.loader import load_catalog
        from facefit.coach.specs import spec_for

        exercise_id = load_catalog().exercise(start.exercise).id  # CatalogError names the known ones
        spec_for(exercise_id)  # ... and the coach can check it
        check_changes(sets=start.sets, reps=start.reps, rest_s=start.rest_s)
        verdict = await asyncio.to_thread(_verdict, self.store, caller.profile_id, exercise_id)
        if isinstance(verdict, Refusal):  # the same verdict as every other door, linking to its page here
            self.caller = None
            await self.release_live_slot()
            await self.send({"type": "error", "message": refusal_sentence(verdict),
                             "refusal": refusal_body(verdict)})
            return
        plan = live_plan(verdict.steps[0], sets=start.sets, reps=start.reps, rest_s=start.rest_s)
        resumed = Resumed([]) if start.session_id is None else await asyncio.to_thread(
            _resume_session, self.store, caller, exercise_id, start.session_id)
        # A resumed session goes on as it would have on the server that began it: its plan, its next
        # set, and the rest found in its first still second (else the stored calibration, if any).
        done = resumed.done
        plan = resumed.plan or plan
        rest = resumed.rest if resumed.rest is not None else verdict.rest
        first_set = max(resumed.next_set or 1, max((d["set"] for d in done), default=0) + 1)
        recorder = QueuedRecorder(SessionInfo(caller.profile_id, "coach", None, exercise_id, "web"),
                                  session_id=start.session_id)
        self.coach = LiveCoach(plan, recorder=recorder, indices=indices, rest=rest, first_set=first_set,
                               tick_every=self.settings.tick_every, binary=start.binary)
        await self.send({
            "type": "ready", "mode": "coach", "session_id": start.session_id, "landmarks": indices,
            "plan": {"exercise": plan.exercise_id, "name": plan.name, "cue": plan.cue, "sets": plan.sets,
                     "reps": plan.reps_target, "hold_s": plan.hold_s, "rest_s": plan.rest_s},
            "set": first_set, "completed_sets": done, "resumed": start.session_id is not None,
            "calibration": "stored" if rest is not None else "first-second",
            "fps": SEND_FPS, "tick_every": self.coach.tick_every,
            "warnings": [warning_body(w) for w in verdict.warnings],
        })

    async def ensure_session(self) -> int:
        """The session row's id, made now if this is the first frame (the client is told its id)."""
        coach = self.coach
        assert coach is not None
        if coach.recorder.session_id is None:
            # shielded: whoever waits may be cancelled (a closing connection), the row is made anyway
            return await asyncio.shield(self.open_session())
        return coach.recorder.session_id

    def open_session(self) -> asyncio.Future[int]:
        """Start making the session row (once; its id is the result). Made when the first frame of a set
        arrives (never for a start alone), batched with the other streams' first frames
        (web/live/writer.py SessionOpener). The short path does not wait for it (:meth:`take_frame`):
        its frames are coached meanwhile and the rows they queue are written once the row exists."""
        if self.opening is None:
            coach = self.coach
            assert coach is not None
            self.resume_saved = coach.resume_at()
            self.opening = self.loop.create_task(self._open_session(coach))
            self.opening.add_done_callback(self._opened)
        return self.opening

    def _opened(self, task: asyncio.Task[int]) -> None:
        """A session row that could not be made ends the connection as an error in the handler would
        (close 1011); its end tries once more to save what was coached (:meth:`finish`)."""
        if task.cancelled() or task.exception() is None:
            return
        log.error("could not make a live session's row", exc_info=task.exception())
        if not self.finishing:
            self._background(self.ws.close(code=1011, reason="could not start the session"))

    async def _open_session(self, coach: LiveCoach) -> int:
        recorder = coach.recorder
        try:
            session_id = await opener_for(self.ws.app).open(recorder.info, coach.plan, self.resume_saved)
        except BaseException:
            self.opening = None  # the next flush (at the latest the connection's end) tries again
            raise
        recorder.session_id = session_id
        self.post(dumps({"type": "session", "session_id": session_id}))
        self.flush_soon()  # rows the frames coached meanwhile queued (nothing if none)
        return session_id

    def flush_soon(self) -> None:
        """Hand queued rows to the writer without waiting: at once for a finished set or the end (its
        "saved" follows the commit), other events ``FLUSH_EVERY_S`` after the last flush (a timer, so
        the frames in between do not look at the rows). Called after a frame that queued rows."""
        coach = self.coach
        if coach is None or coach.session_id is None or not coach.unsaved:
            return
        pending = coach.unsaved
        if not (pending.steps or pending.finish):
            wait = self.last_flush + FLUSH_EVERY_S - time.monotonic()
            if wait > 0:  # events alone: written once FLUSH_EVERY_S has passed since the last flush
                if self.flush_timer is None:
                    self.flush_timer = self.loop.call_later(wait, self._flush_due)
                return
        self._background(self.flush(force=False))

    def _flush_due(self) -> None:
        self.flush_timer = None
        if not self.finishing:
            self.flush_soon()  # (re-armed if the timer fired early)

    async def flush(self, *, force: bool = False) -> None:
        """Queue rows for the writer: at once for finished sets and endings (and wait until they are
        committed, so "saved" is true), otherwise every few seconds without waiting."""
        coach = self.coach
        if coach is None or not coach.unsaved:
            return
        pending = coach.unsaved
        if coach.session_id is None and self.opening is None and not (pending.events or pending.steps):
            coach.take_unsaved()  # ended before its first frame: no session to write
            return
        session_id = await self.ensure_session()
        must_confirm = bool(pending.steps or pending.finish)
        if not (force or must_confirm) and time.monotonic() - self.last_flush < FLUSH_EVERY_S:
            return
        unsaved = coach.take_unsaved()
        self.last_flush = time.monotonic()
        resume = coach.resume_at()  # written only when it changed (a set ended, the rest was found)
        future = writer_for(self.ws.app).submit(session_id, unsaved,
                                                None if resume is self.resume_saved else resume)
        self.resume_saved = resume
        if not (force or must_confirm):
            future.add_done_callback(lambda done: self._requeue(done, unsaved))
            return
        # Awaited here, but in a task of its own when a frame asked (flush_soon): waiting for the commit
        # never holds this stream's frames.
        await self._confirm(future, unsaved, session_id)

    async def _confirm(self, future: asyncio.Future[None], unsaved: PendingRows, session_id: int) -> None:
        """Wait for the writer's commit, then tell the client which sets are saved (requeue on failure)."""
        try:
            await future
        except Exception:
            log.exception("could not save live session %s", session_id)
            self._requeue(future, unsaved)
            return
        if unsaved.steps or unsaved.finish:
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):  # the client may be gone
                await self.send({"type": "saved", "sets": [s.set_index for s in unsaved.steps],
                                 "finished": unsaved.finish[0] if unsaved.finish else None})

    def _requeue(self, done: asyncio.Future[None], unsaved: PendingRows) -> None:
        """A failed write goes back in front of the queue for the next flush."""
        if done.cancelled() or done.exception() is None or self.coach is None:
            return
        self.coach.recorder.requeue(unsaved)
        self.resume_saved = None  # written again with the next rows
        if not self.finishing and self.flush_timer is None:  # tried again in FLUSH_EVERY_S
            self.flush_timer = self.loop.call_later(FLUSH_EVERY_S, self._flush_due)

    async def finish_calibration(self, calibration: LiveCalibration) -> None:
        assert self.caller is not None
        try:
            result = calibration.calibrate()
        except FaceFitError as rejected:
            await self.send({"type": "calibration", "ok": False, "message": str(rejected)})
            return
        await asyncio.to_thread(_save_calibration, self.store, self.caller.profile_id, result)
        await self.send({"type": "calibration", "ok": True, "message": "Rest saved.",
                         "calibration": result.to_dict()})


@router.websocket("/ws/coach")
async def coach_socket(websocket: WebSocket) -> None:
    """Live coaching: see the module docstring for the protocol."""
    await websocket.accept()
    await Connection(websocket).run()
