"""Export the practice days of a plan as an iCalendar file with a reminder alarm on each.

One VEVENT per planned practice day (rest days have none), at the user's reminder time in floating
local time (calendar apps show it at that clock time wherever the user is), with a VALARM
``alarm_minutes`` before. UIDs are stable per programme and date so re-importing updates events
instead of duplicating them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta

from icalendar import Alarm, Calendar, Event

from facefit.catalog.schedule import PlannedDay


def parse_clock(text: str) -> time:
    """``"07:30"`` to a time; ValueError naming the bad value."""
    try:
        hours, minutes = text.strip().split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"reminder time must be HH:MM (24-hour), got {text!r}") from None


def build_calendar(
    plan: Sequence[PlannedDay], *, programme_id: str, programme_name: str, reminder_time: str = "08:00",
    alarm_minutes: int = 15, routine_names: Mapping[str, str] | None = None, first: date | None = None,
    stamp: datetime | None = None,
) -> Calendar:
    """The calendar of practice days on or after ``first`` (all of them by default)."""
    if not 0 <= alarm_minutes <= 24 * 60:
        raise ValueError("alarm minutes must be between 0 and 1440")
    at = parse_clock(reminder_time)
    names = dict(routine_names or {})
    stamp = stamp or datetime.now(UTC)
    cal = Calendar()
    cal.add("prodid", "-//FaceFit//facefit remind//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"FaceFit: {programme_name}")
    for day in plan:
        if day.routine_id is None or (first is not None and day.date < first):
            continue
        name = names.get(day.routine_id, day.routine_id)
        minutes = max(1, round(day.planned_minutes))
        event = Event()
        event.add("uid", f"facefit-{programme_id}-{day.date.isoformat()}@facefit.local")
        event.add("dtstamp", stamp)
        start = datetime.combine(day.date, at)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=minutes))
        event.add("summary", f"FaceFit: {name} (week {day.week})")
        event.add("description", f"{programme_name}, day {day.day}: {name}, about {minutes} min. "
                  "Stop at any pain, twitching or new asymmetry.")
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"FaceFit in {alarm_minutes} min: {name}")
        alarm.add("trigger", timedelta(minutes=-alarm_minutes))
        event.add_component(alarm)
        cal.add_component(event)
    return cal
