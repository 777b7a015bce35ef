"""Everything a report shows, read from the store once into plain values (plots and HTML never query).

Sessions, safety events, the programme plan, lifestyle days and, when the photos stage has data,
photo metrics with their MDC95 and an aligned before/after. Nothing is re-computed from video here:
reports show what the engine and the player stored.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np

from facefit.catalog.loader import Catalog, load_catalog
from facefit.coach.fatigue import fatigue
from facefit.habits.adherence import (
    DayRecord,
    PracticeDay,
    Streaks,
    WeekStats,
    day_records,
    overall_adherence,
    streaks,
    week_stats,
)
from facefit.habits.lifestyle import TargetSummary, weekly_summary
from facefit.habits.service import (
    EnrolmentView,
    current_enrolment,
    enrolment_plan,
    lifestyle_days,
    local_date,
    practice_by_day,
    session_minutes,
)
from facefit.reports.photo_change import MetricView, metric_view
from facefit.safety.screening import Clearance
from facefit.safety.service import current_clearance, safety_events
from facefit.safety.stops import SafetyRecord
from facefit.store import safety_habits as db
from facefit.store.db import Store
from facefit.store.models import PracticeSession, Profile
from facefit.store.profiles import get_or_create_profile

SPANS = {"week": 7, "month": 30}

#: Photo metrics shown over time (the rest stay in `facefit photo compare`).
REPORT_METRICS = ("jaw_width_ratio", "lower_face_ratio", "brow_height_r", "brow_height_l",
                  "mouth_corner_drop_r", "mouth_corner_drop_l")


@dataclass(frozen=True)
class SessionPoint:
    """One practice session as the report plots it."""

    day: date
    kind: str
    name: str
    status: str
    minutes: float
    reps: int
    form_score: float | None  # % of camera-counted reps without a form fault
    symmetry: float | None
    started_at: datetime | None = None
    amplitudes: tuple[float, ...] = ()
    """Each counted rep's effort in order: its amplitude, or its hold seconds when ``isometric``."""
    fatigue_recorded: bool = False
    isometric: bool = False


@dataclass(frozen=True)
class PhotoData:
    dates: list[datetime]
    series: dict[str, list[float]]
    mdc95: dict[str, float]
    units: dict[str, str]
    before_after: np.ndarray | None
    note: str | None = None
    mm_per_ipd: float | None = None  # the baseline photo's scale (11.7 mm iris)
    cheek_width_mm: float | None = None  # the baseline's cheekbone width (the jaw width's reference)
    regions: list[Any] = field(default_factory=list)  # photos.compare.RegionChange, first vs latest photo
    face_map: str | None = None  # SVG: the line regions coloured by change beyond MDC95 (reports.face_map)
    structure: list[Any] = field(default_factory=list)  # photos.compare.MetricChange of the structure metrics

    def views(self) -> list[MetricView]:
        """Each metric in display units with its band and plain-language verdict."""
        days = [local_date(d).isoformat() for d in self.dates]
        return [metric_view(name, days, values, self.mdc95.get(name), mm_per_ipd=self.mm_per_ipd,
                            cheek_width_mm=self.cheek_width_mm) for name, values in self.series.items()]


@dataclass
class ReportData:
    profile: str
    span: str
    first: date
    last: date
    today: date
    clearance: Clearance | None
    enrolment: EnrolmentView | None
    programme_name: str | None
    programme_weeks: int | None
    records: list[DayRecord]
    weeks: list[WeekStats]
    streaks: Streaks
    adherence: float | None
    sessions: list[SessionPoint]
    practice: dict[date, PracticeDay]
    safety: list[SafetyRecord]
    lifestyle: list[TargetSummary]
    lifestyle_days: int
    photos: PhotoData | None
    notes: list[str] = field(default_factory=list)

    @property
    def programme_week(self) -> int | None:
        """Which programme week today is in (1-based), None when not enrolled or before the start."""
        if self.enrolment is None or self.today < self.enrolment.start_date:
            return None
        return (self.today - self.enrolment.start_date).days // 7 + 1


def _session_point(row: PracticeSession) -> SessionPoint:
    reps_steps = sum(s.reps_done or 0 for s in row.steps if not s.skipped)
    rep_events = [e.payload for e in row.events if e.kind == "rep"]
    reps = reps_steps or len(rep_events) or int((row.summary or {}).get("reps_done") or 0)
    form = sym = None
    if rep_events:
        clean = sum(1 for p in rep_events if not p.get("faults"))
        form = 100.0 * clean / len(rep_events)
        values = [float(p["symmetry"]) for p in rep_events if isinstance(p.get("symmetry"), int | float)]
        sym = sum(values) / len(values) if values else None
    status = row.status if row.ended_at is not None else "interrupted"
    isometric, effort = _effort(rep_events, row.exercise_id)
    recorded = any(e.kind == "safety" and (e.payload or {}).get("kind") == "fatigue" for e in row.events)
    return SessionPoint(local_date(row.started_at), row.kind, row.routine_id or row.exercise_id or row.kind,
                        status, session_minutes(row), reps, form, sym, row.started_at, effort,
                        recorded, isometric)


def _effort(rep_events: list[dict[str, Any]], exercise_id: str | None) -> tuple[bool, tuple[float, ...]]:
    """The reps of the session's most practised coached exercise as the fatigue rule reads them: their
    amplitudes, or their hold seconds for an isometric press (``coach/fatigue.py``)."""
    from facefit.coach.specs import spec_for
    from facefit.errors import CatalogError

    by_exercise: dict[str | None, list[dict[str, Any]]] = {}
    for payload in rep_events:
        by_exercise.setdefault(payload.get("exercise_id") or exercise_id, []).append(payload)
    if not by_exercise:
        return False, ()
    exercise, reps = max(by_exercise.items(), key=lambda item: len(item[1]))
    try:
        isometric = exercise is not None and spec_for(exercise).isometric
    except CatalogError:
        isometric = False
    key = "hold_s" if isometric else "amplitude"
    return isometric, tuple(float(p[key]) for p in reps if isinstance(p.get(key), int | float))


def derived_warnings(sessions: list[SessionPoint], weeks: list[WeekStats]) -> list[SafetyRecord]:
    """Warnings the report can see in the record itself: overwork and fading amplitude (never blocking).

    Overwork: more than one completed routine on a day, or more days practised than planned in a
    finished programme week. Fatigue: the engine's own rule (``coach/fatigue.py``) over a coached
    session's reps (across its sets), when the engine did not already stop a set for it.
    """
    out: list[SafetyRecord] = []
    per_day: dict[date, list[SessionPoint]] = {}
    for point in sessions:
        if point.kind == "routine" and point.status == "completed":
            per_day.setdefault(point.day, []).append(point)
        tired = fatigue(point.amplitudes, isometric=point.isometric)
        if tired is not None and not point.fatigue_recorded and point.started_at is not None:
            out.append(SafetyRecord(point.started_at, "fatigue", f"{point.kind} {point.name}",
                                    {"message": tired.describe()}))
    for day, points in per_day.items():
        if len(points) > 1 and points[1].started_at is not None:
            out.append(SafetyRecord(points[1].started_at, "overwork", "report check", {
                "message": f"{len(points)} routines on {day}: one a day is the programme's volume"}))
    for week in weeks:
        if week.complete and week.practised > week.planned:
            moment = datetime.combine(week.last, datetime.min.time()).astimezone()
            out.append(SafetyRecord(moment, "overwork", "report check", {
                "message": f"week {week.week}: {week.practised} days practised, {week.planned} planned"}))
    return out


def _photos(store: Store, profile_id: int, first: date | None, last: date) -> PhotoData | None:
    """Photo metrics from the photos stage, or None when there are no accepted photos yet."""
    from facefit.photos.library import stored_photos
    from facefit.photos.metrics import METRIC_SPECS
    from facefit.photos.progress import metric_history, stored_errors, view_photo
    from facefit.photos.views import side_by_side

    photos = [p for p in stored_photos(store=store, profile_id=profile_id)
              if (first is None or first <= local_date(p.taken_at)) and local_date(p.taken_at) <= last]
    if not photos:
        return None
    dates, series = metric_history(photos)
    if not dates:
        return None
    errors = stored_errors(store=store, profile_id=profile_id)
    keep = {m: series[m] for m in REPORT_METRICS if m in series and any(math.isfinite(v) for v in series[m])}
    before_after = None
    note = None
    accepted = [p for p in photos if p.accepted]
    if len(accepted) >= 2:
        try:
            before_after = side_by_side(view_photo(accepted[0]), view_photo(accepted[-1]))
        except (OSError, ValueError) as error:  # a photo file went missing or is damaged
            note = f"the before/after view could not be made: {error}"
    baseline = next((p for p in accepted if p.is_baseline), accepted[0] if accepted else None)
    mm_per_ipd, cheek_mm = _baseline_scale(baseline)
    from facefit.reports.face_map import line_changes

    regions, face_map, structure = line_changes(accepted, errors, mm_per_ipd)
    return PhotoData(dates, keep, {m: errors[m].mdc95 for m in keep if m in errors},
                     {m: METRIC_SPECS[m].unit for m in keep}, before_after, note, mm_per_ipd, cheek_mm,
                     regions, face_map, structure)


def _baseline_scale(photo: Any) -> tuple[float | None, float | None]:
    """Millimetres per IPD and the cheekbone width in mm of the baseline photo (None when unknown)."""
    from facefit.photos.landmarks import CHEEK_L, CHEEK_R, PUPIL_L, PUPIL_R

    if photo is None:
        return None, None
    mm = (photo.measurement or {}).get("mm_per_ipd")
    if not isinstance(mm, int | float) or not math.isfinite(mm) or mm <= 0:
        return None, None
    points = np.asarray(photo.landmarks, dtype=np.float64)
    if points.ndim != 2 or points.shape[0] <= max(CHEEK_L, CHEEK_R, PUPIL_L, PUPIL_R):
        return float(mm), None
    px = points[:, :2] * np.array([photo.width, photo.height], dtype=np.float64)
    ipd = float(np.hypot(*(px[PUPIL_L] - px[PUPIL_R])))
    cheek = float(np.hypot(*(px[CHEEK_L] - px[CHEEK_R])))
    return float(mm), (cheek / ipd * mm if ipd > 0 and math.isfinite(cheek) else None)


def report_owner(session: Any, *, profile: str | None = None, profile_id: int | None = None) -> Profile:
    """The profile a report is for: by id (the web: its account's profile, never looked up by name) or by
    name (the terminal's local profiles, created on first use)."""
    if (profile is None) == (profile_id is None):
        raise ValueError("give exactly one of profile (a name) or profile_id")
    if profile_id is not None:
        owner = session.get(Profile, profile_id)
        if owner is None:
            raise LookupError(f"no profile with id {profile_id}")
        return owner
    assert profile is not None
    return get_or_create_profile(session=session, name=profile)


def gather(store: Store, *, profile: str | None = None, profile_id: int | None = None, span: str,
           today: date | None = None, catalog: Catalog | None = None) -> ReportData:
    """Read one profile's data (``profile_id``, or the local ``profile`` name) for ``span`` ("week",
    "month" or "all") as of ``today``."""
    if span not in (*SPANS, "all"):
        raise ValueError(f"span must be week, month or all, got {span!r}")
    catalog = catalog or load_catalog()
    today = today or date.today()
    notes: list[str] = []
    with store.transaction() as session:
        owner = report_owner(session, profile=profile, profile_id=profile_id)
        profile_id, profile = owner.id, owner.name
        clearance = current_clearance(session=session, profile_id=profile_id)
        enrolment = current_enrolment(session=session, profile_id=profile_id)
        rows = db.list_practice_sessions(session=session, profile_id=profile_id)
        points = [_session_point(row) for row in rows]
        practice = practice_by_day(session=session, profile_id=profile_id, catalog=catalog)
        events = safety_events(session=session, profile_id=profile_id)
        life = lifestyle_days(session=session, profile_id=profile_id)
    starts = [p.day for p in points] + list(life) + ([enrolment.start_date] if enrolment else [])
    first = min(starts, default=today) if span == "all" else today - timedelta(days=SPANS[span] - 1)
    last = today
    try:
        photos = _photos(store, profile_id, None if span == "all" else first, last)
    except Exception as error:  # a photo problem must not stop the rest of the report
        photos = None
        notes.append(f"photo metrics could not be loaded ({type(error).__name__}: {error}).")
    if photos is not None and photos.dates:
        first = min(first, min(local_date(d) for d in photos.dates))
    records: list[DayRecord] = []
    weeks: list[WeekStats] = []
    weeks_all: list[WeekStats] = []
    programme_name = programme_weeks = None
    if enrolment is not None:
        programme = catalog.programme(enrolment.programme_id)
        programme_name, programme_weeks = programme.name, programme.weeks
        records = day_records(enrolment_plan(enrolment, catalog), practice, today)
        weeks = weeks_all = week_stats(records, today)
        runs = streaks(records)
        records = [r for r in records if first <= r.date <= last]
        weeks = [w for w in weeks if w.last >= first]
    else:
        runs = Streaks(0, 0)
        notes.append("not enrolled in a programme: adherence needs a plan to compare with.")
    return ReportData(
        profile=profile, span=span, first=first, last=last, today=today, clearance=clearance,
        enrolment=enrolment, programme_name=programme_name, programme_weeks=programme_weeks,
        records=records, weeks=weeks, streaks=runs,
        adherence=overall_adherence(weeks) if enrolment is not None else None,
        sessions=[p for p in points if first <= p.day <= last], practice=practice,
        safety=sorted((e for e in [*events, *derived_warnings(points, weeks_all)]
                       if first <= local_date(e.at) <= last), key=lambda e: e.at),
        lifestyle=weekly_summary(life, first, last),
        lifestyle_days=sum(1 for d in life if first <= d <= last),
        photos=photos, notes=notes,
    )


def describe_event(event: SafetyRecord) -> dict[str, Any]:
    return {"date": local_date(event.at).isoformat(), "kind": event.kind, "source": event.source,
            "blocking": event.blocking, "detail": event.describe(), "what_to_do": event.what_to_do}
