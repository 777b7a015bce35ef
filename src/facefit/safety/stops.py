"""Stop rules: which safety events block the next session, and what to tell the user to do.

Pain, twitching and new asymmetry stop a session and block the next one until the user has read
what to do and acknowledged it (``facefit ack``). Fatigue and overwork are warnings: they never
block, but they are recorded and shown. The kinds are the one vocabulary of
:class:`facefit.coach.events.SafetyKind`. Pure: events come in as :class:`SafetyRecord` values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from facefit.coach.events import BLOCKING_SAFETY, SafetyKind

BLOCKING_KINDS: frozenset[str] = frozenset(BLOCKING_SAFETY)
WARNING_KINDS: frozenset[str] = frozenset(SafetyKind) - BLOCKING_KINDS

WHAT_TO_DO: dict[str, str] = {
    "pain": "Stop for today and rest your face. If the pain lasts more than a couple of days, or comes with "
    "swelling, numbness or a jaw that locks, see a doctor or dentist. Screen again before you continue.",
    "twitch": "Twitching is usually tired muscles: rest a day or two and use shorter holds. If it goes on "
    "for more than a week or spreads, see a doctor.",
    "new-asymmetry": "A new difference between the two sides of your face needs checking. If it came on "
    "suddenly with weakness or drooping, call emergency services now (it can be a stroke or Bell's "
    "palsy). Otherwise see a doctor before you continue.",
    "fatigue": "Your movements got smaller, as tired muscles do: rest longer between sets or do fewer reps; "
    "good form matters more than volume.",
    "overwork": "More than the programme's volume does not help and can strain muscles and skin: keep to "
    "the plan and take the rest days.",
}


@dataclass(frozen=True)
class SafetyRecord:
    """A stored safety event: when and where (a practice session or a flag from photos or the web), its
    kind (:class:`facefit.coach.events.SafetyKind`) and the stored payload (``detail``)."""

    at: datetime
    kind: str
    source: str
    detail: dict[str, Any] = field(default_factory=dict)
    session_id: int | None = None

    @property
    def blocking(self) -> bool:
        return self.kind in BLOCKING_KINDS

    @property
    def what_to_do(self) -> str:
        return WHAT_TO_DO.get(self.kind, "Stop, rest, and see a doctor if anything feels wrong.")

    def describe(self) -> str:
        """One line: when, what, where from (and the detail the recorder gave, if any)."""
        extra = self.detail.get("message") or self.detail.get("reason") or self.detail.get("exercise_id")
        text = f"{self.at:%Y-%m-%d %H:%M} {self.kind} ({self.source})"
        return f"{text}: {extra}" if extra else text


def pending_blocks(events: Iterable[SafetyRecord], last_ack_at: datetime | None) -> list[SafetyRecord]:
    """Blocking events not covered by the latest acknowledgement, oldest first."""
    return sorted(
        (e for e in events if e.blocking and (last_ack_at is None or e.at > last_ack_at)),
        key=lambda e: e.at,
    )
