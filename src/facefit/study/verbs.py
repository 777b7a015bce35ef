"""The verbs the doors call (``facefit study ...`` and the web pages): each opens what it needs from the
store, does one thing through the study modules, and returns plain results.

Kept here so the terminal and the browser give the same verdicts and the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from facefit.store import study as db
from facefit.store.db import Store
from facefit.study import service
from facefit.study.analysis import StudyAnalysis, analyse
from facefit.study.consort import ConsortCounts, consort_counts
from facefit.study.data import StudyData, gather
from facefit.study.report import StudyReport, build_study_report


@dataclass(frozen=True)
class Results:
    data: StudyData
    analysis: StudyAnalysis
    consort: ConsortCounts
    audit: tuple[int, bool]
    schedule_ok: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.analysis.to_dict(),
            "consort": self.consort.to_dict(),
            "consort_adds_up": not self.consort.add_up(),
            "audit": {"entries": self.audit[0], "chain_intact": self.audit[1]},
            "schedule": {"sha256": self.data.study.row.schedule_sha256, "intact": self.schedule_ok},
        }


def results(
    *, store: Store, slug: str, today: date | None = None, endpoints: list[str] | None = None
) -> Results:
    """Gather, analyse and count the whole study as of ``today``."""
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        data = gather(session=session, study=study, today=today or date.today())
        entries = db.audit_entries(session=session, study_id=study.id)
        audit = (len(entries), db.audit_chain_intact(entries))
        schedule_ok = service.verify_schedule(session=session, study=study)["schedule_intact"]
    return Results(data, analyse(data, endpoints), consort_counts(data), audit, schedule_ok)


def report(
    *, store: Store, slug: str, out: Path, pdf: bool = False, today: date | None = None
) -> StudyReport:
    found = results(store=store, slug=slug, today=today)
    return build_study_report(
        found.data,
        found.analysis,
        found.consort,
        out=out,
        pdf=pdf,
        audit=found.audit,
        schedule_ok=found.schedule_ok,
    )


def export(*, store: Store, slug: str, out: Path, today: date | None = None) -> tuple[Path, Path]:
    from facefit.study.export import write_export

    with store.transaction() as session:
        data = gather(
            session=session, study=service.load(session=session, slug=slug), today=today or date.today()
        )
    return write_export(data, out)


def participant_overview(*, store: Store, slug: str, code: str, today: date | None = None) -> dict[str, Any]:
    """One participant as the coordinator sees them: status, arm (once randomised), visits, adherence."""
    from facefit.study.visits import adherence, visit_statuses

    day = today or date.today()
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        row = service.participant(session=session, study=study, code=code)
        return _overview(session, study, row, day, adherence, visit_statuses)


def _overview(
    session: Any,
    study: service.LoadedStudy,
    row: db.StudyParticipant,
    day: date,
    adherence: Any,
    visit_statuses: Any,
) -> dict[str, Any]:
    arm = db.arm_of(session=session, participant=row)
    return {
        "code": row.code,
        "status": row.status,
        "stratum": row.stratum,
        "age": row.age,
        "sex": row.sex,
        "arm": arm,
        "arm_label": study.definition.arm(arm).label if arm else None,
        "randomised_at": row.randomised_at.isoformat() if row.randomised_at else None,
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "withdrawal_reason": row.withdrawal_reason,
        "not_eligible_because": list(row.eligibility or []),
        "visits": [v.to_dict() for v in visit_statuses(session=session, study=study, row=row, today=day)],
        "adherence": adherence(session=session, study=study, row=row, today=day).to_dict(),
    }


def coordinator_overview(*, store: Store, slug: str, today: date | None = None) -> dict[str, Any]:
    """The study's participants for its coordinator (arms only of the randomised: nothing sealed)."""
    from facefit.study.visits import adherence, visit_statuses

    day = today or date.today()
    with store.transaction() as session:
        study = service.load(session=session, slug=slug)
        people = [
            _overview(session, study, row, day, adherence, visit_statuses)
            for row in db.list_participants(session=session, study_id=study.id)
        ]
        raters = []
        from facefit.study.rating import progress

        for staff in db.list_staff(session=session, study_id=study.id, role="rater"):
            done, total = progress(session=session, staff=staff)
            raters.append({"name": staff.name, "rated": done, "queued": total})
        return {
            **service.summary(session=session, study=study),
            "participants": people,
            "raters": raters,
            "visits": [
                {"id": v.id, "label": v.label, "window": list(v.window)} for v in study.definition.visits
            ],
            "arms": [{"id": a.id, "label": a.label} for a in study.definition.arms],
        }


def my_participation(*, store: Store, profile_id: int, today: date | None = None) -> list[dict[str, Any]]:
    """The studies a person takes part in, with their visits and programme (their own data only)."""
    from facefit.study.visits import adherence, visit_statuses

    day = today or date.today()
    out = []
    with store.transaction() as session:
        for row in db.participations(session=session, profile_id=profile_id):
            study_row = session.get(db.Study, row.study_id)
            if study_row is None:
                continue
            study = service.load(session=session, slug=study_row.slug)
            overview = _overview(session, study, row, day, adherence, visit_statuses)
            arm = overview["arm"]
            programme = study.definition.arm(arm).programme if arm else None
            out.append(
                {
                    "study": study.slug,
                    "title": study.definition.title,
                    **overview,
                    "programme": programme,
                    "photos_per_visit": study.definition.photos_per_visit,
                }
            )
    return out
