"""One live coaching (or calibration) connection: frames in, engine events and a small state out.

The per-frame path is numpy and the engine only: no database, no logging, no dict per frame. Events
and finished sets are queued and written by the WebSocket handler's batched writer
(:meth:`LiveCoach.take_unsaved`) at every finished set and at least every few seconds, so a dropped
connection keeps every completed set and a resumed session (on this server or another) starts at the
next one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import orjson

from facefit.catalog.durations import StepPlan
from facefit.practice.recorder import PendingRows, QueuedRecorder
from facefit.practice.sets import DONE, NOTHING, REST, STOPPED, WORK, SetPlan, SetRunner, Step
from facefit.vision.observation import N_LANDMARKS
from facefit.web.live.protocol import Frame, FrameError, Header, ProtocolError, encode_state
from facefit.web.live.writer import ResumeAt

MAX_SETS = 10
PAGE_LANDMARKS_SMOOTHED = False
"""Whether the page's landmarks come smoothed over time (``coach.engine.Engine``): face_model.js asks for up
to four faces, which MediaPipe does not smooth; one face asked for would be (tests/web/test_live.py ties
this to face_model.js)."""


class FrameSignals:
    """A browser frame's subset of landmarks -> the full signal vector (NaN landmarks when no face).

    Reuses one (478, 3) buffer per connection, so the hot path allocates nothing but the result.
    """

    def __init__(self, indices: list[int]) -> None:
        from facefit.signals.compute import signals_from_arrays

        self._signals = signals_from_arrays
        self._indices = np.asarray(indices, dtype=np.intp)
        self._full = np.full((N_LANDMARKS, 3), np.nan)
        self._nan = np.full((N_LANDMARKS, 3), np.nan)

    def __call__(self, frame: Frame, values: np.ndarray | None = None) -> np.ndarray:
        """``values`` when the batcher already computed them, else the frame's own signals."""
        if values is not None:
            return values
        if frame.landmarks is None:
            return self._signals(self._nan, frame.image_size)
        self._full[self._indices] = frame.landmarks
        return self._signals(self._full, frame.image_size, frame.blendshapes, frame.transform)


def live_plan(step: StepPlan, *, sets: int | None = None, reps: int | None = None,
              rest_s: float | None = None) -> SetPlan:
    """The set plan of one exercise's resolved step, with the browser's optional changes (validated)."""
    check_changes(sets=sets, reps=reps, rest_s=rest_s)
    return SetPlan.from_step(step, sets=sets, reps=reps, rest_s=rest_s)


def check_changes(*, sets: int | None, reps: int | None, rest_s: float | None) -> None:
    """ProtocolError naming a change of sets, reps or rest outside what the page offers."""
    if sets is not None and not 1 <= sets <= MAX_SETS:
        raise ProtocolError(f"The sets must be between 1 and {MAX_SETS}, got {sets}.")
    if reps is not None and not 1 <= reps <= 100:
        raise ProtocolError(f"The reps must be between 1 and 100, got {reps}.")
    if rest_s is not None and not 0 <= rest_s <= 300:
        raise ProtocolError(f"The rest_s must be between 0 and 300 seconds, got {rest_s}.")


def dumps(message: dict[str, Any]) -> str:
    """A JSON text message (orjson: numpy numbers included, ~10x the standard library's speed)."""
    return orjson.dumps(message, option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _say(event: dict[str, Any]) -> str | None:
    kind = event.get("kind")
    if kind == "rep":
        return str(event.get("index", ""))
    if "message" in event:
        return str(event["message"])
    return None


HOLD_STEP_S = 0.2
"""The hold the page shows moves in steps of this: a state reply goes out when it passes the next step
(5 a second while holding), not for every frame."""


class LiveCoach:
    """The sets of one exercise for one connection: the practice layer's set runner, frames from the
    browser, replies for the page; :meth:`step` is the per-frame hot path (numpy and the engine only).

    A frame is answered only when it changes what the page shows (phase, set, reps, the rep starting or
    ending, the hold passing a :data:`HOLD_STEP_S` step, a second of rest), with at least one reply every
    ``tick_every`` frames so the page knows the coach is there: an 18-byte binary state
    (``protocol.encode_state``; a JSON ``tick`` unless ``binary``), or a JSON ``tick`` (state and events)
    when the frame produced events.

    Rows go to a :class:`~facefit.practice.recorder.QueuedRecorder`; the WebSocket handler hands them to
    the batched writer (:meth:`take_unsaved`) and creates the session row before the first one.
    """

    def __init__(self, plan: SetPlan, *, recorder: QueuedRecorder, indices: list[int],
                 rest: np.ndarray | None, first_set: int = 1, tick_every: int = 15,
                 binary: bool = True) -> None:
        self.plan = plan
        self.binary = binary  # state replies as protocol.STATE bytes (the page), else JSON ticks (scripts)
        self.recorder = recorder
        # The page's landmarks come from face_model.js, which asks for up to four faces in VIDEO mode, as
        # `facefit analyze` does: MediaPipe does not smooth those (it smooths a face tracked alone), so
        # the engine reads their noise frame to frame (signals/stillness.py NOISE_LAG_S).
        self.runner = SetRunner(plan, rest=rest, recorder=recorder, first_set=first_set,
                                smoothed=PAGE_LANDMARKS_SMOOTHED)
        self._frame_signals = FrameSignals(indices)
        self._last_t = -1.0
        self.tick_every = max(1, tick_every)
        self._shown: tuple[Any, ...] | None = None  # the state last sent
        self._quiet = 0  # frames since the last reply
        self._resume: ResumeAt | None = None
        self._resume_key: tuple[int, int] = (0, 0)

    @property
    def session_id(self) -> int | None:
        return self.recorder.session_id

    @property
    def phase(self) -> str:
        return str(self.runner.phase)

    @property
    def finished(self) -> bool:
        """Done or stopped: no more frames are coached."""
        phase = self.runner.phase
        return phase is DONE or phase is STOPPED

    @property
    def unsaved(self) -> PendingRows:
        return self.recorder.pending

    # ----------------------------------------------------------------- per frame

    def frame(self, frame: Frame, values: np.ndarray | None = None) -> bytes | str | None:
        """Feed one decoded frame (its signals computed here unless given); returns the reply, if any."""
        return self.advance(frame.seq, frame.t_ms, self._frame_signals(frame, values))

    def step(self, header: Header, values: np.ndarray) -> bytes | str | None:
        """The batcher's entry: a checked frame header and the signals it computed for the frame."""
        return self.advance(header.seq, header.t_ms, values)

    def advance(self, seq: int, t_ms: float, values: np.ndarray) -> bytes | str | None:
        """One frame's signals through the set runner; the reply (None when the page has nothing new)."""
        if t_ms <= self._last_t:
            raise FrameError(f"frame times must increase: got {t_ms} ms after {self._last_t} ms")
        self._last_t = t_ms
        runner = self.runner
        step = runner.frame(values, t_ms)
        if step is not NOTHING and (step.events or step.finished is not None):
            self._shown, self._quiet = self._state_key(t_ms), 0
            return dumps(self._tick(seq, t_ms, self._replies(step)))
        key = self._state_key(t_ms)
        self._quiet += 1
        if key == self._shown and self._quiet < self.tick_every:
            return None
        self._shown, self._quiet = key, 0
        engine = runner.engine
        if not self.binary:
            return dumps(self._tick(seq, t_ms, []))
        return encode_state(seq=seq, phase=runner.phase, set_index=min(runner.set_index, self.plan.sets),
                            sets=self.plan.sets, reps=len(engine.reps), target=self.plan.reps_target,
                            hold_s=key[-1] * HOLD_STEP_S if runner.phase is WORK else 0.0,
                            rest_left_s=runner.rest_left_s(t_ms), active=engine.active,
                            calibrating=engine.rest is None)

    def _state_key(self, t_ms: float) -> tuple[Any, ...]:
        """What the page shows, quantised as it shows it (see the class docstring)."""
        runner = self.runner
        phase = runner.phase
        if phase is WORK:
            engine = runner.engine
            active = engine.active
            hold = int(engine.holding_s / HOLD_STEP_S) if active else 0
            return phase, runner.set_index, len(engine.reps), active, engine.rest is None, hold
        if phase is REST:
            return phase, runner.set_index, math.ceil(runner.rest_left_s(t_ms))
        return (phase,)

    def _tick(self, seq: int | None, t_ms: float, events: list[dict[str, Any]]) -> dict[str, Any]:
        runner, engine = self.runner, self.runner.engine
        reply: dict[str, Any] = {
            "type": "tick", "seq": seq, "phase": self.phase, "set": min(runner.set_index, self.plan.sets),
            "sets": self.plan.sets, "reps": len(engine.reps), "target": self.plan.reps_target,
            "hold": round(engine.holding_s, 2), "active": engine.active, "calibrating": engine.rest is None,
        }
        if runner.phase is REST:
            reply["rest_left"] = round(runner.rest_left_s(t_ms), 1)
        if events:
            reply["events"] = events
        return reply

    def _replies(self, step: Step) -> list[dict[str, Any]]:
        """The page's view of what a frame did: engine events with a sentence to say, set ends, stops."""
        out = []
        for event in step.events:
            payload = event.to_dict()
            say = "Stopped. Rest your face." if payload.get("kind") == "pain" else _say(payload)
            out.append({**payload, "event": str(event.kind), **({"say": say} if say else {})})
        done = step.finished
        if done is None:
            return out
        runner = self.runner
        if runner.phase is STOPPED:
            out.append({"event": "stopped", "kind": "stopped", "reason": runner.stop_reason})
            return out
        ended = {"event": "set", "kind": "set", "set": done.set_index, "reps": done.reps,
                 "say": f"Set {done.set_index} done."}
        if runner.phase is REST:
            ended["rest_s"] = self.plan.rest_s
        elif done.stop is not None:
            ended["say"] = f"Set {done.set_index} ended early: {done.stop.message}"
        else:
            ended["say"] = "Well done: all sets finished."
        out.append(ended)
        return out

    # ----------------------------------------------------------------- control

    def pain(self, note: str) -> dict[str, Any]:
        """The person pressed "it hurts": a pain safety event, and the session stops."""
        step = self.runner.pain(max(self._last_t, 0.0), note)
        return self._tick(None, max(self._last_t, 0.0), self._replies(step))

    def end(self) -> None:
        """The person ended the session: a set in progress with reps done is kept as a (short) set."""
        self.runner.end()

    def summary(self) -> dict[str, Any]:
        return self.runner.summary()

    def take_unsaved(self) -> PendingRows:
        """Hand the queued rows to the writer (called on the event loop; the write runs in a thread)."""
        return self.recorder.take()

    def resume_at(self) -> ResumeAt:
        """Where this session would continue if the connection dropped now (kept in ``live_sessions``);
        the same object until the next set or a newly found rest changes it."""
        runner = self.runner
        if self._resume is None or self._resume_key != (runner.set_index, id(runner.rest)):
            self._resume_key = (runner.set_index, id(runner.rest))
            self._resume = ResumeAt(runner.set_index, rest_to_json(runner.rest))
        return self._resume


def rest_to_json(rest: np.ndarray | None) -> list[float | None] | None:
    """A rest vector as JSON (NaN, for a signal the face did not give, as None)."""
    return None if rest is None else [float(v) if math.isfinite(v) else None for v in rest]


def rest_from_json(values: list[float | None] | None) -> np.ndarray | None:
    return None if values is None else np.array([np.nan if v is None else v for v in values], dtype=float)


MAX_CALIBRATION_FPS = 60.0
"""Calibration keeps at most this many frames per second asked for: a camera sends 15-60."""
CALIBRATION_GRACE_S = 20.0
"""Wall-clock seconds beyond the length asked for after which a calibration ends with what it has."""
PROGRESS_EVERY_S = 0.25
"""A calibration tells the page how far it is at most this often (and whenever the face comes or goes)."""


class LiveCalibration:
    """Collect a few seconds of neutral frames, then compute and save the user's rest.

    Bounded by frames and by wall time as well as by the frames' own clock: timestamps that barely move
    (0.0001 ms apart) would otherwise never reach the length asked for while memory grew with every
    frame. It ends after ``seconds`` of frame time, ``seconds x MAX_CALIBRATION_FPS`` frames, or
    ``seconds + CALIBRATION_GRACE_S`` of wall time, whichever comes first; if the frames then span less
    than ``seconds``, :meth:`calibrate` refuses and says why.
    """

    def __init__(self, *, indices: list[int], seconds: float = 5.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._frame_signals = FrameSignals(indices)
        self.seconds = seconds
        self.max_frames = int(seconds * MAX_CALIBRATION_FPS)
        self._clock = clock
        self._deadline = clock() + seconds + CALIBRATION_GRACE_S
        self.t_ms: list[float] = []
        self.rows: list[np.ndarray] = []
        self._face: bool | None = None  # face seen in the frame last told about
        self._told_s = 0.0

    def frame(self, frame: Frame, values: np.ndarray | None = None) -> str | None:
        """Feed one decoded frame (its signals computed here unless given); returns the reply, if any."""
        return self.advance(frame.seq, frame.t_ms, self._frame_signals(frame, values),
                            frame.landmarks is not None)

    def step(self, header: Header, values: np.ndarray) -> str | None:
        """The batcher's entry: a checked frame header and the signals it computed for the frame."""
        return self.advance(header.seq, header.t_ms, values, header.face)

    def advance(self, seq: int, t_ms: float, values: np.ndarray, face: bool) -> str | None:
        """Keep the frame; a JSON tick when the face comes or goes, every ``PROGRESS_EVERY_S`` of frame
        time, and when the collection is complete."""
        if self.t_ms and t_ms <= self.t_ms[-1]:
            raise FrameError(f"frame times must increase: got {t_ms} ms after {self.t_ms[-1]} ms")
        if not self.complete:
            self.t_ms.append(t_ms)
            self.rows.append(values)
        elapsed = self.span_s
        if face == self._face and elapsed - self._told_s < PROGRESS_EVERY_S and not self.complete:
            return None
        self._face, self._told_s = face, elapsed
        return dumps({"type": "tick", "seq": seq, "phase": "calibrating", "elapsed": round(elapsed, 2),
                      "seconds": self.seconds, "face": face})

    @property
    def span_s(self) -> float:
        """Seconds of frame time collected."""
        return (self.t_ms[-1] - self.t_ms[0]) / 1000.0 if self.t_ms else 0.0

    @property
    def complete(self) -> bool:
        return bool(self.t_ms) and (self.span_s >= self.seconds or len(self.t_ms) >= self.max_frames
                                    or self._clock() >= self._deadline)

    def calibrate(self) -> Any:
        """The Calibration (raises RestRejectedError naming what to fix)."""
        from facefit.signals.calibration import RestRejectedError, calibrate_from_series
        from facefit.signals.names import SignalSeries

        if self.span_s < self.seconds:
            raise RestRejectedError(
                f"The frames' times cover only {self.span_s:.2f} s of the {self.seconds:g} s asked for "
                f"({len(self.t_ms)} frames): frame times must be the camera's clock in milliseconds; "
                "hold still and try again.")
        series = SignalSeries(np.asarray(self.t_ms, dtype=float), np.vstack(self.rows))
        return calibrate_from_series(series, source="browser")
