"""One coached-set runner for every door: the sets of one exercise over a stream of signal vectors.

The terminal (``facefit coach``, ``facefit routine --coach``) and the browser (``/ws/coach``) feed it
frames on the frame's own clock and render what it returns. A set ends when

- the target reps are counted (``target``), or a timed step has run its duration (``timed``);
- it has run ``MAX_SET_FACTOR`` times its planned length without that (``time-out``);
- the engine stops it for safety (``safety``; pain, twitching and new asymmetry stop the whole
  session, fatigue and overwork end this exercise early), or the person stops for pain (``pain``);
- the person ends the session (``ended``) or the camera or video runs out (``source-ended``).

Between sets it rests for the plan's rest (the catalog's, or the routine's), ignoring frames. Each set
gets a fresh engine; the rest found in the first still second (no stored calibration) is carried over
to the next set. The engine's ``not-seen`` fault (no rep in 15 s of visible face) passes through as an
event: the person hears it, the set goes on until the time-out. Rows go to a
:class:`~facefit.practice.recorder.SessionRecorder`: each event at once, each finished set when
``record_sets``, and the session's end when the runner ``owns_session``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from facefit.catalog.durations import StepPlan
from facefit.coach.engine import Engine
from facefit.coach.events import Event, SafetyEvent, SafetyKind
from facefit.practice.recorder import SessionRecorder, StepRow
from facefit.safety.stops import BLOCKING_KINDS

MAX_SET_FACTOR = 2.0
"""A set that has not reached its target after this many times its planned length is ended (time-out)."""
MIN_SET_LIMIT_S = 10.0
"""The planned length the time-out is counted from is at least this (a short set still gets time)."""


class Phase(enum.StrEnum):
    """Where a :class:`SetRunner` is; the live protocol sends it as its index in this order
    (``web/live/protocol.PHASES``, ``static/js/live.js``)."""

    WORK = "work"
    REST = "rest"
    DONE = "done"
    STOPPED = "stopped"


WORK, REST, DONE, STOPPED = Phase.WORK, Phase.REST, Phase.DONE, Phase.STOPPED
"""The phases as module globals, for the code that reads a runner's phase on every frame of every live
stream (here and ``web/live/coaching.py``): a module global costs a tenth of an Enum class attribute
(~10 vs ~100 ns)."""


class SetEnd(enum.StrEnum):
    TARGET = "target"
    TIMED = "timed"
    TIME_OUT = "time-out"
    SAFETY = "safety"
    PAIN = "pain"
    ENDED = "ended"
    SOURCE = "source-ended"


@dataclass(frozen=True)
class SetPlan:
    """What to coach: the exercise, its sets, reps (None: timed), hold, planned set length and rest.

    ``lead_s`` is the time before a set's work starts that the time-out also allows (the terminal
    player's cue or rest); ``position`` the step's place in its session (1 for one exercise)."""

    exercise_id: str
    sets: int
    reps_target: int | None
    hold_s: float | None
    set_s: float
    rest_s: float
    name: str = ""
    cue: str = ""
    lead_s: float = 0.0
    position: int = 1

    @classmethod
    def from_step(cls, step: StepPlan, *, sets: int | None = None, reps: int | None = None,
                  rest_s: float | None = None, lead_s: float = 0.0) -> SetPlan:
        """The plan of a resolved catalog/routine step, optionally with other sets, reps or rest."""
        reps_target = step.reps if reps is None or step.reps is None else reps
        set_s = step.set_s if reps_target is None or step.reps is None else reps_target * step.rep_s
        return cls(exercise_id=step.exercise.id, sets=sets or step.sets, reps_target=reps_target,
                   hold_s=step.hold_s if step.reps is not None else step.duration_s, set_s=set_s,
                   rest_s=step.rest_between_sets_s if rest_s is None else rest_s, name=step.exercise.name,
                   cue=step.exercise.cue, lead_s=lead_s, position=step.position)

    @property
    def limit_s(self) -> float:
        return MAX_SET_FACTOR * max(self.lead_s + self.set_s, MIN_SET_LIMIT_S)


@dataclass(frozen=True)
class SetResult:
    """How one set ended, with what was counted."""

    set_index: int
    reps: int
    hold_s: float
    duration_s: float
    end: SetEnd
    calibration: str
    stop: SafetyEvent | None = None
    note: str | None = None
    engine: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The set's engine summary (reps, holds, faults, safety in the ``facefit analyze`` shape)."""

    def row(self, plan: SetPlan) -> StepRow:
        return StepRow(position=plan.position if plan.sets == 1 else self.set_index,
                       exercise_id=plan.exercise_id, set_index=self.set_index, reps_target=plan.reps_target,
                       reps_done=self.reps, hold_s=round(self.hold_s, 3),
                       duration_s=round(self.duration_s, 3), note=self.note)


@dataclass
class Step:
    """What one frame (or a control) did: the engine's events and the set it finished, if any."""

    events: list[Event] = field(default_factory=list)
    finished: SetResult | None = None


NOTHING = Step()
"""What a frame that did nothing returns (shared, so the per-frame path makes no object; never mutated:
:meth:`SetRunner.frame` makes a new :class:`Step` when there is something in it)."""


class SetRunner:
    """The sets of one exercise (see the module docstring); :meth:`frame` is the per-frame path."""

    def __init__(self, plan: SetPlan, *, rest: np.ndarray | None = None,
                 recorder: SessionRecorder | None = None, first_set: int = 1, record_sets: bool = True,
                 owns_session: bool = True, smoothed: bool = False) -> None:
        self.plan = plan
        self.smoothed = smoothed  # the landmarks come smoothed over time (coach.engine.Engine)
        self.rest = rest
        self._given_rest = rest  # a first-second rest learned again (coach/engine.py REST_AGAIN_S) falls back
        self.recorder = recorder
        self.record_sets = record_sets
        self.owns_session = owns_session
        self.set_index = first_set
        self.sets_done = 0
        self.reps_total = 0
        self.results: list[SetResult] = []
        self.phase = Phase.WORK if first_set <= plan.sets else Phase.DONE
        self.engine = self._engine()
        self.stop_reason: str | None = None
        self._set_start: float | None = None
        self._last_t = 0.0
        self._rest_until = 0.0
        # the plan is frozen: what every frame compares against, read once
        self._reps_target, self._set_s, self._limit_s = plan.reps_target, plan.set_s, plan.limit_s

    def _engine(self) -> Engine:
        return Engine.for_exercise(self.plan.exercise_id, rest=self.rest, reps_target=self.plan.reps_target,
                                   hold_target_s=self.plan.hold_s, smoothed=self.smoothed)

    # ------------------------------------------------------------------ per frame

    @property
    def started(self) -> bool:
        """A frame of the current set has been seen."""
        return self._set_start is not None

    def frame(self, values: np.ndarray, t_ms: float) -> Step:
        """Feed one frame's signal vector at caller time ``t_ms`` (increasing)."""
        phase = self.phase
        if phase is REST and t_ms >= self._rest_until:
            self.phase = phase = Phase.WORK
            self.engine = self._engine()
            self._set_start = None
        if phase is not WORK:
            return NOTHING
        if self._set_start is None:
            self._set_start = t_ms
        self._last_t = t_ms
        engine = self.engine
        events = engine.update(values, t_ms)
        if events:
            self._record(events)
        if engine.rest is not None:
            self.rest = engine.rest  # found in the first still second: the next set starts from it
        elif engine.calibration == "first-second":
            self.rest = self._given_rest  # being learned again: the rest thrown away is not carried on
        elapsed = (t_ms - self._set_start) / 1000.0
        reps = self._reps_target
        end = (SetEnd.SAFETY if engine.stopped is not None
               else SetEnd.TARGET if reps is not None and len(engine.reps) >= reps
               else SetEnd.TIMED if reps is None and engine.rest is not None and elapsed >= self._set_s
               else SetEnd.TIME_OUT if elapsed >= self._limit_s else None)
        if end is None:
            return Step(events) if events else NOTHING  # most frames: no new object
        step = Step(events)
        step.finished = self._end_set(t_ms, end, engine.stopped)
        return step

    def rest_left_s(self, t_ms: float) -> float:
        """Seconds of rest left before the next set (0 when not resting)."""
        return max(0.0, self._rest_until - t_ms) / 1000.0 if self.phase is Phase.REST else 0.0

    # ------------------------------------------------------------------ controls

    def pain(self, t_ms: float | None = None, note: str = "") -> Step:
        """The person stopped because it hurts: a pain safety event, and the session stops."""
        t = self._last_t if t_ms is None else t_ms
        event = SafetyEvent(t_s=round(max(t, 0.0) / 1000.0, 3), safety=SafetyKind.PAIN,
                            message=note or "stopped because it hurts")
        step = Step(self._record([event]))
        step.finished = self._end_set(t, SetEnd.PAIN, event)
        return step

    def end(self) -> Step:
        """The person ended the session: a set in progress with reps counted is kept (ended early)."""
        if self.phase in (Phase.DONE, Phase.STOPPED):
            return Step()
        step = Step()
        if self.phase is Phase.WORK and self.engine.reps:
            step.finished = self._end_set(self._last_t, SetEnd.ENDED, None, note="ended early", last=True)
        if self.phase not in (Phase.DONE, Phase.STOPPED):
            done = self.sets_done > 0
            self._close(Phase.DONE if done else Phase.STOPPED, "completed" if done else "stopped",
                        None if done else "ended before any rep")
        return step

    def source_ended(self) -> Step:
        """The camera or video ran out: a rep still open is closed, and a started set is kept."""
        if self.phase is not Phase.WORK or self._set_start is None:
            return Step()
        step = Step(self._record(self.engine.finish()))
        step.finished = self._end_set(self._last_t, SetEnd.SOURCE, None, last=True)
        return step

    # ------------------------------------------------------------------ state changes

    def _record(self, events: list[Event]) -> list[Event]:
        if events and self.recorder is not None:  # most frames have none: no dict for them
            where = {"exercise_id": self.plan.exercise_id, "set_index": self.set_index}
            for event in events:  # the payload of every door: the event's to_dict() and where it happened
                self.recorder.event(str(event.kind), float(event.t_s), {**event.to_dict(), **where})
        return events

    def _end_set(self, t_ms: float, end: SetEnd, stop: SafetyEvent | None, *, note: str | None = None,
                 last: bool = False) -> SetResult:
        engine = self.engine
        result = SetResult(
            set_index=self.set_index, reps=len(engine.reps), hold_s=sum(h.duration_s for h in engine.holds),
            duration_s=max(0.0, t_ms - (self._set_start or t_ms)) / 1000.0, end=end,
            calibration=engine.calibration, stop=stop,
            note=note or (f"{stop.safety}: {stop.message}" if stop is not None else None),
            engine=engine.summary())
        self.results.append(result)
        self.sets_done += 1
        self.reps_total += result.reps
        if self.recorder is not None and self.record_sets:
            self.recorder.step(result.row(self.plan))
        self._set_start = None
        if stop is not None:
            blocking = stop.safety in BLOCKING_KINDS  # pain, twitch, new asymmetry: the session stops
            self._close(Phase.STOPPED if blocking else Phase.DONE, "stopped",
                        f"{stop.safety}: {stop.message}")
        elif last or self.set_index >= self.plan.sets:
            self._close(Phase.DONE, "completed", None)
        else:
            self.phase = Phase.REST
            self._rest_until = t_ms + 1000.0 * self.plan.rest_s
            self.set_index += 1
        return result

    def _close(self, phase: Phase, status: str, reason: str | None) -> None:
        self.phase = phase
        self.stop_reason = reason
        if self.recorder is not None and self.owns_session:
            self.recorder.finish(status, reason, self.summary())  # type: ignore[arg-type]

    def summary(self) -> dict[str, Any]:
        """The session's summary: sets and reps done, and the last set's engine summary."""
        engine = self.engine.summary()
        last = {k: engine[k] for k in ("reps_done", "reps_target", "hold_total_s", "calibration")}
        return {"exercise": self.plan.exercise_id, "sets_done": self.sets_done, "sets": self.plan.sets,
                "reps_total": self.reps_total + (len(self.engine.reps) if self.started else 0),
                "last_set": last}
