"""One live coaching (or calibration) connection: frames in, engine events and a small state out.

The per-frame path is numpy and the engine only: no database, no logging. Events and finished sets are
queued and written by the WebSocket handler in a worker thread (:meth:`LiveCoach.take_unsaved`), at
every finished set and at least every couple of seconds, so a dropped connection keeps every completed
set and a resumed session starts at the next one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facefit.vision.observation import N_LANDMARKS
from facefit.web.live.protocol import Frame, FrameError, ProtocolError

MAX_SETS = 10


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


@dataclass(frozen=True)
class Plan:
    """What this connection coaches: the exercise and its sets, reps, hold and rest between sets."""

    exercise_id: str
    sets: int
    reps_target: int | None
    hold_s: float | None
    rest_s: float
    name: str = ""
    cue: str = ""

    @classmethod
    def for_exercise(cls, exercise_id: str, *, sets: int | None = None, reps: int | None = None,
                     rest_s: float | None = None) -> Plan:
        """The catalog card's plan, optionally with fewer/more sets or reps (validated ranges)."""
        from facefit.catalog.durations import plan_exercise
        from facefit.catalog.loader import load_catalog

        card = load_catalog().exercise(exercise_id)  # CatalogError names the known exercises
        if sets is not None and not 1 <= sets <= MAX_SETS:
            raise ProtocolError(f"sets must be between 1 and {MAX_SETS}, got {sets}")
        if reps is not None and not 1 <= reps <= 100:
            raise ProtocolError(f"reps must be between 1 and 100, got {reps}")
        if rest_s is not None and not 0 <= rest_s <= 300:
            raise ProtocolError(f"rest_s must be between 0 and 300 seconds, got {rest_s}")
        step = plan_exercise(card)  # the catalog's numbers, the rest between sets included
        return cls(exercise_id=card.id, sets=sets or step.sets, reps_target=reps or step.reps,
                   hold_s=card.hold_s, rest_s=step.rest_between_sets_s if rest_s is None else rest_s,
                   name=card.name, cue=card.cue)


@dataclass
class Unsaved:
    """Rows to write: events (kind, t_s, payload) and finished sets (SessionStep fields), plus an end."""

    events: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)
    steps: list[dict[str, Any]] = field(default_factory=list)
    finish: tuple[str, str | None, dict[str, Any]] | None = None

    def __bool__(self) -> bool:
        return bool(self.events or self.steps or self.finish)


def _say(event: dict[str, Any]) -> str | None:
    kind = event.get("kind")
    if kind == "rep":
        return str(event.get("index", ""))
    if "message" in event:
        return str(event["message"])
    return None


class LiveCoach:
    """Sets of one exercise for one connection; :meth:`frame` is the per-frame hot path."""

    def __init__(self, plan: Plan, *, session_id: int, indices: list[int], rest: np.ndarray | None,
                 first_set: int = 1, tick_every: int = 1) -> None:
        from facefit.coach.engine import Engine

        self.plan = plan
        self.session_id = session_id
        self._frame_signals = FrameSignals(indices)
        self._engine = Engine.for_exercise(plan.exercise_id, rest=rest, reps_target=plan.reps_target,
                                           hold_target_s=plan.hold_s)
        self.set_index = first_set
        self.phase = "work" if first_set <= plan.sets else "done"
        self._last_t = -1.0
        self._set_start_t: float | None = None
        self._rest_until = 0.0
        self.unsaved = Unsaved()
        self.reps_total = 0
        self.tick_every = max(1, tick_every)

    # ----------------------------------------------------------------- per frame

    def frame(self, frame: Frame, values: np.ndarray | None = None) -> dict[str, Any] | None:
        """Feed one decoded frame (and its signals, when batched by the caller); returns the reply.

        The reply is the state plus any events with a sentence to say; without events it is sent only
        every ``tick_every``-th frame (the page needs ~15 updates a second, not 30).
        """
        if frame.t_ms <= self._last_t:
            raise FrameError(f"frame times must increase: got {frame.t_ms} ms after {self._last_t} ms")
        self._last_t = frame.t_ms
        events: list[dict[str, Any]] = []
        if self.phase == "rest" and frame.t_ms >= self._rest_until:
            self.phase = "work"
            self._engine.reset()
            self._set_start_t = None
        if self.phase == "work":
            self._work(frame, events, values)
        if not events and frame.seq % self.tick_every and self.phase == "work":
            return None
        reply: dict[str, Any] = {
            "type": "tick", "seq": frame.seq, "phase": self.phase, "set": min(self.set_index, self.plan.sets),
            "sets": self.plan.sets, "reps": len(self._engine.reps), "target": self.plan.reps_target,
            "hold": round(self._engine.holding_s, 2), "active": self._engine.active,
            "calibrating": self._engine.rest is None,
        }
        if self.phase == "rest":
            reply["rest_left"] = round(max(0.0, self._rest_until - frame.t_ms) / 1000.0, 1)
        if events:
            reply["events"] = events
        return reply

    def _work(self, frame: Frame, events: list[dict[str, Any]], values: np.ndarray | None) -> None:
        if self._set_start_t is None:
            self._set_start_t = frame.t_ms
        values = self._frame_signals(frame, values)
        for event in self._engine.update(values, frame.t_ms):
            payload = event.to_dict()
            kind = str(event.kind)
            self.unsaved.events.append((kind, float(event.t_s), payload))
            say = _say(payload)
            events.append({**payload, "event": kind, **({"say": say} if say else {})})
            if kind == "safety":
                self._stop(payload, events)
                return
        if self.plan.reps_target is not None and len(self._engine.reps) >= self.plan.reps_target:
            self._end_set(frame.t_ms, events)

    def _set_row(self, t_ms: float) -> dict[str, Any]:
        engine = self._engine
        return {
            "position": self.set_index, "exercise_id": self.plan.exercise_id, "set_index": self.set_index,
            "reps_target": self.plan.reps_target, "reps_done": len(engine.reps),
            "hold_s": round(sum(h.duration_s for h in engine.holds), 3),
            "duration_s": round(max(0.0, t_ms - (self._set_start_t or t_ms)) / 1000.0, 3),
        }

    def _end_set(self, t_ms: float, events: list[dict[str, Any]]) -> None:
        self.unsaved.steps.append(self._set_row(t_ms))
        self.reps_total += len(self._engine.reps)
        done = {"event": "set", "kind": "set", "set": self.set_index, "reps": len(self._engine.reps),
                "say": f"Set {self.set_index} done."}
        self.set_index += 1
        if self.set_index > self.plan.sets:
            self.phase = "done"
            done["say"] = "Well done: all sets finished."
            self.unsaved.finish = ("completed", None, self.summary())
        else:
            self.phase = "rest"
            self._rest_until = t_ms + 1000.0 * self.plan.rest_s
            done["rest_s"] = self.plan.rest_s
        events.append(done)

    def _stop(self, payload: dict[str, Any], events: list[dict[str, Any]]) -> None:
        self.phase = "stopped"
        reason = f"{payload.get('kind')}: {payload.get('message', '')}"
        self.unsaved.finish = ("stopped", reason, self.summary())
        events.append({"event": "stopped", "kind": "stopped", "reason": reason})

    # ----------------------------------------------------------------- control

    def pain(self, note: str, t_ms: float | None = None) -> dict[str, Any]:
        """The user pressed "it hurts": a safety event of kind pain, and the session stops."""
        payload = {"kind": "pain", "t_s": round((t_ms or max(self._last_t, 0)) / 1000.0, 3),
                   "message": note or "stopped for pain"}
        self.unsaved.events.append(("safety", payload["t_s"], payload))
        events: list[dict[str, Any]] = [{**payload, "event": "safety", "say": "Stopped. Rest your face."}]
        self._stop(payload, events)
        return {"type": "tick", "seq": None, "phase": self.phase, "events": events}

    def end(self) -> None:
        """The user ended the session: a set in progress with reps done is kept as a (short) set."""
        if self.phase in ("done", "stopped"):
            return
        if self.phase == "work" and self._engine.reps:
            row = self._set_row(max(self._last_t, 0.0))
            row["note"] = "ended early"
            self.unsaved.steps.append(row)
            self.reps_total += len(self._engine.reps)
            self.set_index += 1
        status = "completed" if self.set_index > 1 else "stopped"
        self.unsaved.finish = (status, None if status == "completed" else "ended before any rep",
                               self.summary())
        self.phase = "done"

    def summary(self) -> dict[str, Any]:
        engine = self._engine.summary()
        return {"exercise": self.plan.exercise_id, "sets_done": self.set_index - 1,
                "sets": self.plan.sets,
                "reps_total": self.reps_total + (len(self._engine.reps) if self.phase == "work" else 0),
                "last_set": {k: engine[k]
                             for k in ("reps_done", "reps_target", "hold_total_s", "calibration")}}

    def take_unsaved(self) -> Unsaved:
        """Hand the queued rows to the writer (called on the event loop; the write runs in a thread)."""
        out, self.unsaved = self.unsaved, Unsaved()
        return out


class LiveCalibration:
    """Collect a few seconds of neutral frames, then compute and save the user's rest."""

    def __init__(self, *, indices: list[int], seconds: float = 5.0) -> None:
        self._frame_signals = FrameSignals(indices)
        self.seconds = seconds
        self.t_ms: list[float] = []
        self.rows: list[np.ndarray] = []

    def frame(self, frame: Frame, values: np.ndarray | None = None) -> dict[str, Any]:
        if self.t_ms and frame.t_ms <= self.t_ms[-1]:
            raise FrameError(f"frame times must increase: got {frame.t_ms} ms after {self.t_ms[-1]} ms")
        values = self._frame_signals(frame, values)
        self.t_ms.append(frame.t_ms)
        self.rows.append(values)
        elapsed = (self.t_ms[-1] - self.t_ms[0]) / 1000.0
        return {"type": "tick", "seq": frame.seq, "phase": "calibrating", "elapsed": round(elapsed, 2),
                "seconds": self.seconds, "face": frame.landmarks is not None}

    @property
    def complete(self) -> bool:
        return bool(self.t_ms) and (self.t_ms[-1] - self.t_ms[0]) / 1000.0 >= self.seconds

    def calibrate(self) -> Any:
        """The Calibration (raises RestRejectedError naming what to fix)."""
        from facefit.signals.calibration import calibrate_from_series
        from facefit.signals.names import SignalSeries

        series = SignalSeries(np.asarray(self.t_ms, dtype=float), np.vstack(self.rows))
        return calibrate_from_series(series, source="browser")
