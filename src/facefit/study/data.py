"""A study's data as tidy tables: one row per participant x visit x endpoint, plus ratings and photos.

Every number the analysis, the report and the CSV export use comes from :func:`gather`, once:

- photo metrics and the model's apparent age: the mean over the visit's photos (all of which passed
  the gate: only accepted photos are linked to a visit) of what ``facefit study analyze`` measured;
- rater endpoints (apparent age, upper and lower cheek fullness): the mean over raters of their first
  rating of the visit's rated photo(s) (repeats are for intra-rater reliability only);
- adherence: one value per participant, on the final visit's row (planned practice days covered).

Rows exist only for what was measured: a missed visit has no rows (the analysis decides how to
handle missing data and says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from facefit.store import study as db
from facefit.study.definition import RATER_ENDPOINTS
from facefit.study.service import LoadedStudy, day_of_study

TIDY_COLUMNS = (
    "study",
    "participant",
    "arm",
    "stratum",
    "sex",
    "age",
    "status",
    "visit",
    "day",
    "endpoint",
    "value",
    "n",
)
PARTICIPANT_COLUMNS = ("code", "id", "arm", "stratum", "sex", "age", "status", "eligibility", "randomised_at",
                       "withdrawn_at", "withdrawal_reason", "adherence")
RATER_COLUMNS = {"rater_age": "apparent_age", "upper_cheek": "upper_cheek", "lower_cheek": "lower_cheek"}


@dataclass(frozen=True)
class StudyData:
    """Everything the analysis needs, as DataFrames."""

    study: LoadedStudy
    today: date
    participants: pd.DataFrame  # one row per person assessed
    visits: pd.DataFrame  # one row per participant x visit record
    tidy: pd.DataFrame  # participant x visit x endpoint
    photo_values: pd.DataFrame  # visit photo x endpoint (per-photo measurements)
    ratings: pd.DataFrame  # rater x visit photo x presentation
    deviations: pd.DataFrame

    def wide(self, endpoint: str) -> pd.DataFrame:
        """One row per randomised participant: arm and the endpoint at each visit (NaN = missing)."""
        rows = self.tidy[self.tidy["endpoint"] == endpoint]
        table = rows.pivot_table(index="participant", columns="visit", values="value", aggfunc="mean")
        randomised = self.participants[self.participants["arm"].notna()].set_index("code")
        out = randomised[["arm", "stratum", "status"]].join(table, how="left")
        for visit in self.study.definition.visits:
            if visit.id not in out.columns:
                out[visit.id] = np.nan
        return out


def gather(*, session: Session, study: LoadedStudy, today: date) -> StudyData:
    """Read the whole study in a handful of queries."""
    from facefit.study.visits import adherence

    definition = study.definition
    people = db.list_participants(session=session, study_id=study.id)
    participants = []
    for row in people:
        arm = db.arm_of(session=session, participant=row)
        participants.append(
            {
                "code": row.code,
                "id": row.id,
                "arm": arm,
                "stratum": row.stratum,
                "sex": row.sex,
                "age": row.age,
                "status": row.status,
                "eligibility": list(row.eligibility or []),
                "randomised_at": row.randomised_at,
                "withdrawn_at": row.withdrawn_at,
                "withdrawal_reason": row.withdrawal_reason,
                "adherence": adherence(session=session, study=study, row=row, today=today).percent
                if arm
                else None,
            }
        )
    by_id = {row.id: row for row in people}
    visit_rows = db.list_visits(session=session, participant_ids=list(by_id))
    visits = pd.DataFrame(
        [
            {
                "participant": by_id[v.participant_id].code,
                "visit": v.visit,
                "status": v.status,
                "id": v.id,
                "completed_at": v.completed_at,
            }
            for v in visit_rows
        ],
        columns=["participant", "visit", "status", "id", "completed_at"],
    )
    links = db.visit_photos(session=session, visit_ids=[v.id for v in visit_rows])
    visit_of = {v.id: v for v in visit_rows}
    link_of = {link.id: link for link in links}
    values = [
        {"visit_photo_id": m.visit_photo_id, "endpoint": m.endpoint, "value": m.value}
        for m in db.measurements(session=session, visit_photo_ids=list(link_of))
    ]
    photo_values = pd.DataFrame(values, columns=["visit_photo_id", "endpoint", "value"])
    photo_values["visit_id"] = [link_of[i].visit_id for i in photo_values["visit_photo_id"]]
    staff = {s.id: s.name for s in db.list_staff(session=session, study_id=study.id, role="rater")}
    ratings = pd.DataFrame(
        [
            {
                "rater": staff.get(r.rater_id, str(r.rater_id)),
                "visit_photo_id": r.visit_photo_id,
                "visit_id": link_of[r.visit_photo_id].visit_id if r.visit_photo_id in link_of else None,
                "presentation": r.presentation,
                "apparent_age": r.apparent_age,
                "upper_cheek": r.upper_cheek,
                "lower_cheek": r.lower_cheek,
            }
            for r in db.study_ratings(session=session, study_id=study.id)
        ],
        columns=[
            "rater",
            "visit_photo_id",
            "visit_id",
            "presentation",
            "apparent_age",
            "upper_cheek",
            "lower_cheek",
        ],
    )
    tidy: list[dict[str, Any]] = []
    meta = {p["code"]: p for p in participants}

    def row(
        person: db.StudyParticipant, visit: str, day: int | None, endpoint: str, value: float, n: int
    ) -> None:
        tidy.append(
            {
                "study": study.slug,
                "participant": person.code,
                "arm": meta[person.code]["arm"],
                "stratum": person.stratum,
                "sex": person.sex,
                "age": person.age,
                "status": person.status,
                "visit": visit,
                "day": day,
                "endpoint": endpoint,
                "value": float(value),
                "n": int(n),
            }
        )

    def add(visit: db.StudyVisit, endpoint: str, value: float, n: int) -> None:
        person = by_id[visit.participant_id]
        when = visit.completed_at
        day = day_of_study(person.randomised_at, when) if person.randomised_at and when else None
        row(person, visit.visit, day, endpoint, value, n)

    if not photo_values.empty:
        grouped = photo_values.groupby(["visit_id", "endpoint"])["value"].agg(["mean", "count"])
        for (visit_id, endpoint), stats in grouped.iterrows():
            add(visit_of[int(visit_id)], str(endpoint), float(stats["mean"]), int(stats["count"]))
    first = ratings[ratings["presentation"] == 1]
    for endpoint in RATER_ENDPOINTS:
        column = RATER_COLUMNS[endpoint]
        if first.empty:
            break
        per_visit = first.groupby("visit_id")[column].agg(["mean", "count"])
        for visit_id, stats in per_visit.iterrows():
            add(visit_of[int(visit_id)], endpoint, float(stats["mean"]), int(stats["count"]))
    final = definition.endpoints.final_visit
    for person in people:
        info = meta[person.code]
        if info["arm"] is not None and info["adherence"] is not None:
            row(person, final, None, "adherence", info["adherence"], 1)
    deviations = pd.DataFrame(
        [
            {
                "participant": by_id[d.participant_id].code,
                "visit": d.visit,
                "severity": d.severity,
                "description": d.description,
            }
            for d in db.list_deviations(session=session, participant_ids=list(by_id))
        ],
        columns=["participant", "visit", "severity", "description"],
    )
    return StudyData(
        study,
        today,
        pd.DataFrame(participants, columns=list(PARTICIPANT_COLUMNS)),  # columns before anyone is assessed
        visits,
        pd.DataFrame(tidy, columns=list(TIDY_COLUMNS)),
        photo_values,
        ratings,
        deviations,
    )
