"""Gentle catch-up after missed days: use a free rest day this week, never two sessions in one day.

Volume must not double: a suggestion is only ever one normal session on a day that has no session
planned or done, inside the same programme week, and never more catch-ups than the week's missed
days or its free rest days. After several missed days the advice is to pick up the plan, not to cram.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from facefit.habits.adherence import DayRecord

#: More missed days than this in a week: resume the plan instead of catching up.
MAX_CATCH_UP = 2


@dataclass(frozen=True)
class Suggestion:
    date: date | None
    routine_id: str | None
    message: str


def catch_up(records: Sequence[DayRecord], today: date) -> list[Suggestion]:
    """Suggestions for the current programme week as seen on ``today`` (empty when nothing was missed)."""
    current = [r for r in records if r.date == today]
    if not current:
        return []
    week = current[0].week
    days = [r for r in records if r.week == week]
    missed = [r for r in days if r.status == "missed"]
    if not missed:
        return []
    free = [r for r in days if r.date >= today and r.routine_id is None and r.practice.sessions == 0]
    out: list[Suggestion] = []
    if len(missed) > MAX_CATCH_UP:
        return [Suggestion(None, None, f"You missed {len(missed)} planned days this week. No need to make "
                           "them up: carry on with the plan from today, one session a day.")]
    for miss, slot in zip(missed, free, strict=False):
        out.append(Suggestion(
            slot.date, miss.routine_id,
            f"Missed {miss.date:%a %d %b}? If you like, do one {miss.routine_id} session on "
            f"{slot.date:%a %d %b} (a rest day). One session only: never double up in a day."))
    if len(out) < len(missed):
        out.append(Suggestion(None, None, "No free rest day left this week for the other missed day; "
                              "just carry on with the plan."))
    return out
