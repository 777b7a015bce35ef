"""The report spots overwork and fading amplitude in the record itself (warnings, never blocks)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from facefit.habits.adherence import WeekStats
from facefit.reports.data import SessionPoint, derived_warnings

DAY = date(2026, 4, 1)
NOON = datetime(2026, 4, 1, 12, tzinfo=UTC)


def point(kind: str = "routine", amplitudes: tuple[float, ...] = (), fatigue: bool = False) -> SessionPoint:
    return SessionPoint(DAY, kind, "daily-10", "completed", 10.0, 10, None, None, NOON, amplitudes, fatigue)


def test_two_routines_a_day_and_too_many_days_are_overwork() -> None:
    week = WeekStats(week=3, first=date(2026, 3, 23), last=date(2026, 3, 29), planned=5, practised=7,
                     done_as_planned=5, extra=2, minutes=70, complete=True)
    found = derived_warnings([point(), point()], [week])
    assert [w.kind for w in found] == ["overwork", "overwork"]
    assert not any(w.blocking for w in found)
    assert derived_warnings([point()], []) == []


def test_fading_amplitude_is_fatigue_unless_the_engine_said_so() -> None:
    fading = (1.0, 1.0, 0.95, 0.7, 0.55, 0.5)
    found = derived_warnings([point("coach", fading)], [])
    assert [w.kind for w in found] == ["fatigue"] and "fell" in found[0].detail["message"]
    assert derived_warnings([point("coach", fading, fatigue=True)], []) == []
    assert derived_warnings([point("coach", (1.0,) * 8)], []) == []
