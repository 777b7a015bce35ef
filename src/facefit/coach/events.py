"""Typed, frozen events the engine emits; ``to_dict()`` is what the store keeps as the event payload.

Times are seconds on the caller's clock (``t_ms / 1000``), so an offline video and a live camera read
the same way. Amplitudes are in the drive feature's units (IPD units or degrees), symmetry in percent.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field, fields
from typing import Any


class EventKind(enum.StrEnum):
    REP = "rep"
    HOLD = "hold"
    FAULT = "fault"
    SAFETY = "safety"
    PROGRESS = "progress"


class SafetyKind(enum.StrEnum):
    """The one vocabulary of safety events, wherever they come from (the engine, the pain button or key,
    a photo's new asymmetry). Blocking kinds stop the session and the next one until acknowledged
    (``facefit.safety.stops``); the others end the exercise and warn."""

    PAIN = "pain"
    TWITCH = "twitch"
    NEW_ASYMMETRY = "new-asymmetry"
    FATIGUE = "fatigue"
    OVERWORK = "overwork"

    @property
    def blocking(self) -> bool:
        return self in BLOCKING_SAFETY


BLOCKING_SAFETY: frozenset[SafetyKind] = frozenset(
    {SafetyKind.PAIN, SafetyKind.TWITCH, SafetyKind.NEW_ASYMMETRY})
SAFETY_KINDS: frozenset[str] = frozenset(SafetyKind)


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")


def _r(value: float, digits: int = 4) -> float:
    return round(float(value), digits)


@dataclass(frozen=True)
class Event:
    """Base of all events: ``kind`` and the time ``t_s`` it refers to (end of a rep or hold)."""

    kind: EventKind = field(init=False)
    t_s: float

    def __post_init__(self) -> None:
        _finite("t_s", self.t_s)

    def to_dict(self) -> dict[str, Any]:
        # Fields are flat (numbers, strings, a tuple of strings): read them directly. dataclasses.asdict
        # copies recursively, ~50 us an event, paid by the live server for every rep it reports.
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["kind"] = str(self.kind)
        return {k: (_r(v) if isinstance(v, float) else v) for k, v in data.items()}


@dataclass(frozen=True)
class RepEvent(Event):
    """One counted repetition: when it started, peaked and ended, how big, how even, how fast."""

    kind: EventKind = field(default=EventKind.REP, init=False)
    index: int = 1
    start_s: float = 0.0
    peak_s: float = 0.0
    end_s: float = 0.0
    amplitude: float = 0.0
    amplitude_r: float | None = None
    amplitude_l: float | None = None
    symmetry: float | None = None
    peak_speed: float = 0.0
    rise_s: float | None = None
    hold_s: float = 0.0
    faults: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.start_s <= self.peak_s <= self.end_s:
            raise ValueError(
                f"rep times out of order: start {self.start_s}, peak {self.peak_s}, end {self.end_s}"
            )
        if self.symmetry is not None and not 0 <= self.symmetry <= 100:
            raise ValueError(f"symmetry must be in [0, 100], got {self.symmetry}")
        if self.hold_s < 0:
            raise ValueError(f"hold_s must be >= 0, got {self.hold_s}")

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data["faults"] = list(self.faults)
        return data

    def to_summary(self) -> dict[str, Any]:
        """The rep as the ``facefit analyze --json`` contract spells it."""
        return {
            "start_s": _r(self.start_s, 3),
            "peak_s": _r(self.peak_s, 3),
            "end_s": _r(self.end_s, 3),
            "amplitude": _r(self.amplitude),
            "symmetry": None if self.symmetry is None else _r(self.symmetry, 1),
            "peak_speed": _r(self.peak_speed),
            "hold_s": _r(self.hold_s, 3),
            "faults": list(self.faults),
        }


@dataclass(frozen=True)
class HoldEvent(Event):
    """A held position: duration at (near) the rep's peak and how steady it was (100 = perfectly still)."""

    kind: EventKind = field(default=EventKind.HOLD, init=False)
    start_s: float = 0.0
    end_s: float = 0.0
    duration_s: float = 0.0
    stability: float = 100.0

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.end_s < self.start_s or self.duration_s < 0:
            raise ValueError(f"hold ends before it starts: {self.start_s}..{self.end_s}")

    def to_summary(self) -> dict[str, Any]:
        return {
            "start_s": _r(self.start_s, 3),
            "end_s": _r(self.end_s, 3),
            "duration_s": _r(self.duration_s, 3),
            "stability": _r(self.stability, 1),
        }


@dataclass(frozen=True)
class FaultEvent(Event):
    """A form fault (``kind`` such as teeth-showing) with one sentence the user can act on."""

    kind: EventKind = field(default=EventKind.FAULT, init=False)
    fault: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if not self.fault or not self.message:
            raise ValueError("a fault needs a kind and a message")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "fault", "t_s": _r(self.t_s, 3), "fault": self.fault, "message": self.message}

    def to_summary(self) -> dict[str, Any]:
        return {"kind": self.fault, "message": self.message, "t_s": _r(self.t_s, 3)}


@dataclass(frozen=True)
class SafetyEvent(Event):
    """A reason to stop (a :class:`SafetyKind`) with one sentence: the one safety event type. Its
    ``to_dict()`` is the one payload every door stores (plus where: ``exercise_id``, ``set_index``)."""

    kind: EventKind = field(default=EventKind.SAFETY, init=False)
    safety: str = ""
    message: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.safety not in SAFETY_KINDS:
            raise ValueError(f"safety kind must be one of {sorted(SAFETY_KINDS)}, got {self.safety!r}")
        if not self.message:
            raise ValueError("a safety event needs a message")

    def to_dict(self) -> dict[str, Any]:
        """Payload with ``kind`` = the safety kind (contract: ``payload["kind"]`` in SAFETY_KINDS)."""
        return {"kind": str(self.safety), "t_s": _r(self.t_s, 3), "message": self.message}

    def payload(self, **where: Any) -> dict[str, Any]:
        """:meth:`to_dict` plus where it happened (``exercise_id``, ``set_index``, ...; None left out)."""
        return {**self.to_dict(), **{k: v for k, v in where.items() if v is not None}}

    def to_summary(self) -> dict[str, Any]:
        return self.to_dict()


@dataclass(frozen=True)
class ProgressEvent(Event):
    """Reps done so far against the target (target None for a timed exercise)."""

    kind: EventKind = field(default=EventKind.PROGRESS, init=False)
    reps_done: int = 0
    reps_target: int | None = None
