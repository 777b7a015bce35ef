"""The habit figures every door shows: today's plan and whether it is done, the streak, adherence.

One function, :func:`habit_figures`, so the web dashboard, ``facefit today`` and ``facefit plan`` can
never disagree. Two rules live here rather than in each door:

- *done* means practised: every counted step of the day's routine has its sets done, at any doors, or
  a safety rule stopped a session (``facefit.habits.adherence``); one exercise of a longer routine
  is not the day. A day's status text such as ``"today"`` (planned, not yet done) is not a verdict;
- adherence is unknown (``None``, shown as "-") until a planned day has passed or was practised:
  right after enrolling nothing was due, so neither 0% nor 100% would be true.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from facefit.catalog.loader import Catalog
from facefit.habits.adherence import DayRecord, Streaks, WeekStats, overall_adherence, streaks, week_stats
from facefit.habits.service import records

NO_FIGURE = "-"


@dataclass(frozen=True)
class HabitFigures:
    """One profile's programme as seen on ``today``."""

    programme_id: str
    start: date
    today: date
    records: tuple[DayRecord, ...]
    weeks: tuple[WeekStats, ...]
    streak: Streaks
    adherence: float | None  # percent of planned days so far that were practised; None before any was due

    @property
    def today_record(self) -> DayRecord | None:
        return next((r for r in self.records if r.date == self.today), None)

    @property
    def planned_today(self) -> bool:
        record = self.today_record
        return record is not None and record.planned

    @property
    def done_today(self) -> bool:
        record = self.today_record
        return record is not None and record.practised

    @property
    def adherence_text(self) -> str:
        return NO_FIGURE if self.adherence is None else f"{self.adherence:.0f}%"

    @property
    def today_text(self) -> str:
        """Today in words: "to do", "done", "rest day", "rest day (practised anyway)" or outside."""
        record = self.today_record
        if record is None:
            return "outside the programme"
        if record.planned:
            return "done" if record.practised else "to do"
        return "rest day (practised anyway)" if record.practised else "rest day"

    def to_dict(self) -> dict[str, Any]:
        """The ``facefit plan --json`` shape, plus ``today``; the dashboard API returns the same numbers."""
        record = self.today_record
        return {
            "programme": self.programme_id, "start": self.start.isoformat(),
            "adherence": None if self.adherence is None else round(self.adherence, 1),
            "streak": self.streak.current, "longest": self.streak.longest,
            "today": {"date": self.today.isoformat(),
                      "routine": None if record is None else record.routine_id,
                      "planned_minutes": None if record is None else round(record.planned_minutes, 1),
                      "done": self.done_today, "text": self.today_text},
            "weeks": [{"week": w.week, "planned": w.planned, "practised": w.practised,
                       "adherence": round(w.adherence, 1) if w.planned else None,
                       "minutes": round(w.minutes, 1)} for w in self.weeks],
            "days": [{"date": r.date.isoformat(), "routine": r.routine_id, "status": r.status,
                      "minutes": round(r.practice.minutes, 1)} for r in self.records],
        }


def habit_figures(
    *, session: Session, profile_id: int, today: date, catalog: Catalog | None = None
) -> HabitFigures:
    """The active enrolment's figures as of ``today`` (raises ``NotEnrolledError`` when not enrolled)."""
    enrolment, recs = records(session=session, profile_id=profile_id, today=today, catalog=catalog)
    weeks = week_stats(recs, today)
    return HabitFigures(programme_id=enrolment.programme_id, start=enrolment.start_date, today=today,
                        records=tuple(recs), weeks=tuple(weeks), streak=streaks(recs),
                        adherence=overall_adherence(weeks))
