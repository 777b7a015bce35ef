"""One recorder protocol for every practice session: the session row, finished sets, events, the end.

A door picks where rows go: :class:`StoreRecorder` commits each call in its own transaction (the
terminal: a crash keeps every finished set), :class:`QueuedRecorder` queues them in memory for the
web's batched writer (``facefit.web.live.writer``). Both create the session row only when the first
row is written (the first frame of a set, a finished block), so a session that never ran leaves no
empty "interrupted" row behind. :class:`PlayerRecorder` adapts the routine player's reports to it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol

from facefit.coach.events import SafetyEvent, SafetyKind
from facefit.routine.blocks import Block
from facefit.routine.player import BlockResult
from facefit.store import sessions as rows
from facefit.store.db import Store

EndStatus = Literal["completed", "stopped"]


@dataclass(frozen=True)
class SessionInfo:
    """What the session row says: whose, what kind, which routine or exercise, from which door."""

    profile_id: int
    kind: str = "routine"
    routine_id: str | None = None
    exercise_id: str | None = None
    source: str = "terminal"


@dataclass(frozen=True)
class StepRow:
    """One finished (or skipped) set, as ``store.sessions.record_step`` keeps it."""

    position: int
    exercise_id: str
    set_index: int = 1
    reps_target: int | None = None
    reps_done: int | None = None
    hold_s: float | None = None
    duration_s: float = 0.0
    skipped: bool = False
    note: str | None = None

    @classmethod
    def from_block(cls, result: BlockResult) -> StepRow:
        """The row of a routine block the player finished."""
        block = result.block
        return cls(position=block.index + 1, exercise_id=block.exercise_id, set_index=block.set_index,
                   reps_target=block.step.reps, reps_done=result.reps_done,
                   hold_s=block.step.hold_s if block.step.reps else None, duration_s=round(result.work_s, 3),
                   skipped=result.skipped, note=result.note)


class SessionRecorder(Protocol):
    """Where a session's rows go. ``step``/``event`` create the session row on first use."""

    def step(self, row: StepRow) -> None: ...

    def event(self, kind: str, t_s: float, payload: dict[str, Any]) -> None: ...

    def finish(self, status: EndStatus, reason: str | None, summary: dict[str, Any]) -> None: ...


class StoreRecorder:
    """Commits every call at once, each in its own transaction (see the module docstring)."""

    def __init__(self, store: Store, info: SessionInfo) -> None:
        self.store = store
        self.info = info
        self.session_id: int | None = None

    def start(self) -> int:
        """The session row's id, created on the first call."""
        if self.session_id is None:
            with self.store.transaction() as db:
                self.session_id = rows.start_session(session=db, **asdict(self.info)).id
        return self.session_id

    def step(self, row: StepRow) -> None:
        session_id = self.start()
        with self.store.transaction() as db:
            rows.record_step(session=db, session_id=session_id, **asdict(row))

    def event(self, kind: str, t_s: float, payload: dict[str, Any]) -> None:
        session_id = self.start()
        with self.store.transaction() as db:
            rows.record_event(session=db, session_id=session_id, kind=kind, t_s=t_s, payload=payload)

    def finish(self, status: EndStatus, reason: str | None, summary: dict[str, Any]) -> None:
        session_id = self.start()
        with self.store.transaction() as db:
            rows.finish_session(session=db, session_id=session_id, status=status, stop_reason=reason,
                                summary=summary)


@dataclass
class PendingRows:
    """Rows queued by a :class:`QueuedRecorder` and not yet written: events (kind, t_s, payload),
    finished sets, and the session's end."""

    events: list[tuple[str, float, dict[str, Any]]] = field(default_factory=list)
    steps: list[StepRow] = field(default_factory=list)
    finish: tuple[EndStatus, str | None, dict[str, Any]] | None = None

    def __bool__(self) -> bool:
        return bool(self.events or self.steps or self.finish)


class QueuedRecorder:
    """Queues rows in memory; the web's writer takes them (:meth:`take`) and commits them in batches.

    ``session_id`` is None until the session row exists: the writer creates it with the first batch
    (``info`` says what it is) unless a resumed session's id was given.
    """

    def __init__(self, info: SessionInfo, session_id: int | None = None) -> None:
        self.info = info
        self.session_id = session_id
        self.pending = PendingRows()

    def step(self, row: StepRow) -> None:
        self.pending.steps.append(row)

    def event(self, kind: str, t_s: float, payload: dict[str, Any]) -> None:
        self.pending.events.append((kind, t_s, payload))

    def finish(self, status: EndStatus, reason: str | None, summary: dict[str, Any]) -> None:
        self.pending.finish = (status, reason, summary)

    def take(self) -> PendingRows:
        """Hand the queued rows over (they are the caller's to write or to :meth:`requeue`)."""
        out, self.pending = self.pending, PendingRows()
        return out

    def requeue(self, failed: PendingRows) -> None:
        """Rows whose write failed go back in front of those queued since."""
        self.pending.events[:0] = failed.events
        self.pending.steps[:0] = failed.steps
        self.pending.finish = self.pending.finish or failed.finish


class PlayerRecorder:
    """The routine player's ``Recorder`` (``routine.player``) written through a :class:`SessionRecorder`;
    ``on_block`` is told of each finished block too (the terminal prints it)."""

    def __init__(
        self, recorder: SessionRecorder, on_block: Callable[[BlockResult], None] | None = None
    ) -> None:
        self.recorder = recorder
        self.on_block = on_block

    def block_done(self, result: BlockResult, t_s: float) -> None:
        self.recorder.step(StepRow.from_block(result))
        if self.on_block is not None:
            self.on_block(result)

    def pain(self, block: Block, reps_done: int | None, reason: str, t_s: float) -> None:
        stop = SafetyEvent(t_s=t_s, safety=SafetyKind.PAIN, message=reason)
        self.recorder.event("safety", t_s, stop.payload(exercise_id=block.exercise_id,
                                                        set_index=block.set_index, reps_done=reps_done))

    def finish(self, status: EndStatus, reason: str | None, summary: dict[str, Any]) -> None:
        self.recorder.finish(status, reason, summary)
