"""The muscle map: this week's measured hold time per catalog muscle from coached sets only, the relax
muscles never coloured as trained, their engagement warnings counted, and the SVG names every muscle."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from facefit.reports.muscles import REGIONS, muscle_map_svg, muscle_week, summary
from facefit.store import sessions as practice
from facefit.store.db import open_store
from facefit.store.models import PracticeSession
from facefit.store.profiles import get_or_create_profile


def _session(db: object, pid: int, exercise: str, hold_s: float, *, camera: bool, when: datetime,
             faults: tuple[str, ...] = ()) -> None:
    row = practice.start_session(session=db, profile_id=pid, kind="coach" if camera else "routine",
                                 exercise_id=exercise)
    row.started_at = when
    practice.record_step(session=db, session_id=row.id, position=1, exercise_id=exercise, reps_target=3,
                         reps_done=3, hold_s=hold_s, duration_s=40.0)
    if camera:
        practice.record_event(session=db, session_id=row.id, kind="rep", t_s=2.0, payload={"index": 1})
    for fault in faults:
        practice.record_event(session=db, session_id=row.id, kind="fault", t_s=3.0,
                              payload={"kind": "fault", "fault": fault, "message": "relax"})
    practice.finish_session(session=db, session_id=row.id, status="completed")


def test_week_counts_measured_holds_per_muscle_and_relax_warnings(tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{tmp_path / 'm.db'}")
    today = date.today()
    now = datetime.now(UTC)
    with store.transaction() as db:
        pid = get_or_create_profile(session=db, name="me").id
        _session(db, pid, "cheek-lifter", 15.0, camera=True, when=now)
        _session(db, pid, "cheek-lifter", 12.5, camera=True, when=now, faults=("forehead-engagement",))
        _session(db, pid, "jawline-toner", 30.0, camera=False, when=now)  # timed: the hold was not measured
        _session(db, pid, "forehead-relaxer", 20.0, camera=True, when=now, faults=("frown", "frown"))
        _session(db, pid, "neck-tightener", 9.0, camera=True, when=now - timedelta(days=8))  # last week
    with store.transaction() as db:
        week = muscle_week(session=db, profile_id=pid, today=today)
        assert db.query(PracticeSession).count() == 5
    from facefit.reports.build import build_report

    build_report(store, profile="me", span="week", out=tmp_path / "report.html", today=today)
    page = (tmp_path / "report.html").read_text()  # the report names them as the progress page does
    assert "Hatched: forehead muscle (frontalis)," in page and "main smile muscle (zygomaticus major)" in page
    store.close()
    assert week.first == today - timedelta(days=today.weekday())
    assert week.seconds["zygomaticus major"] == week.seconds["levator labii superioris"] == 27.5
    assert week.seconds["platysma"] == 0.0  # the timed jawline set and last week's neck set do not count
    assert set(week.relax) == {"frontalis", "corrugator supercilii", "procerus"}
    assert "frontalis" not in week.trained and week.seconds["frontalis"] == 20.0
    assert week.engagement == {"forehead-engagement": 1, "frown": 2}
    text = summary(week)  # everyday names first, the Latin in brackets, as every page shows them
    smile = "main smile muscle (zygomaticus major)"
    assert f"{smile} 27 s" in text or f"{smile} 28 s" in text
    assert "joined in 3 times" in text
    shown = week.to_dict()  # the web page's
    assert shown["names"]["levator labii superioris"] == "upper-lip lifter (levator labii superioris)"
    assert set(shown["names"]) == set(REGIONS)
    assert shown["summary"] == text
    svg = muscle_map_svg(week)
    assert set(re.findall(r'data-muscle="([^"]+)"', svg)) == set(REGIONS)
    relax = '<title>forehead muscle (frontalis): relax, don&#x27;t train'
    assert f'data-muscle="frontalis" data-seconds="20.0">{relax}' in svg
    assert "url(#relax-hatch)" in svg and "<script" not in svg
