"""Screening answers in, clearance out: pure functions, no prompts and no database.

The CLI asks the questions (or reads ``--answers file.json``), :func:`evaluate` turns the answers into
a :class:`Clearance`, and the store keeps both with the date. Answers are strict: every question
must be answered yes/no and unknown keys are an error, so a typo cannot silently mean "no".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from facefit.fileio import NestingError, parse_bounded
from facefit.safety.conditions import CONDITION_IDS, RESCREEN_AFTER_WEEKS, RULES_BY_ID, Level
from facefit.safety.errors import ScreeningInputError

_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def parse_answers(raw: Any) -> dict[str, bool]:
    """Validate a mapping ``condition id -> yes/no``; every question answered, nothing unknown."""
    if not isinstance(raw, dict):
        raise ScreeningInputError("The screening answers must be a JSON object mapping question ids to "
                                  "yes/no.")
    unknown = sorted(set(raw) - set(CONDITION_IDS))
    if unknown:
        raise ScreeningInputError(
            f"Unknown screening question(s): {', '.join(map(str, unknown))}; "
            f"expected: {', '.join(CONDITION_IDS)}."
        )
    missing = [cid for cid in CONDITION_IDS if cid not in raw]
    if missing:
        raise ScreeningInputError(f"Screening answers are missing: {', '.join(missing)} (answer each "
                                  "yes/no).")
    answers: dict[str, bool] = {}
    for cid in CONDITION_IDS:
        value = raw[cid]
        if isinstance(value, bool):
            answers[cid] = value
        elif isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            answers[cid] = value.strip().lower() in _TRUE
        else:
            raise ScreeningInputError(f"The screening answer for {cid!r} must be yes or no, got {value!r}.")
    return answers


def load_answers(path: Path) -> dict[str, bool]:
    """Read and validate an answers file (JSON object); the error names the file and the problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        reason = error.strerror or error
        raise ScreeningInputError(f"Cannot read screening answers {path}: {reason}.") from None
    except UnicodeDecodeError:
        raise ScreeningInputError(
            f"The screening answers file {path} is not UTF-8 text (is it a JSON file?)."
        ) from None
    try:
        raw = parse_bounded(json.loads, text)
    except json.JSONDecodeError as error:
        raise ScreeningInputError(
            f"The screening answers file {path} is not valid JSON (line {error.lineno}: {error.msg})."
        ) from None
    except NestingError as error:
        raise ScreeningInputError(
            f"The screening answers file {path} is not a flat JSON object: {error}.") from None
    try:
        return parse_answers(raw)
    except ScreeningInputError as error:
        raise ScreeningInputError(f"{path}: {error}") from None


@dataclass(frozen=True)
class Clearance:
    """The verdict of one screening, with what it means in words."""

    level: Level
    conditions: tuple[str, ...]
    screened_at: datetime | None = None
    consult_acknowledged: bool = False
    reasons: tuple[str, ...] = field(default=())

    @property
    def needs_acknowledgement(self) -> bool:
        """Consult-first and not yet acknowledged: a programme or routine must not start."""
        return self.level is Level.CONSULT_FIRST and not self.consult_acknowledged

    @property
    def rescreen_at(self) -> datetime | None:
        return None if self.screened_at is None else self.screened_at + timedelta(weeks=RESCREEN_AFTER_WEEKS)

    def sentence(self) -> str:
        """What the clearance means, as a sentence for a person (the web's pages say it without the
        level word the terminal's :meth:`summary` leads with)."""
        if self.level is Level.OK:
            return "No condition found that changes your programme."
        names = "; ".join(RULES_BY_ID[c].name for c in self.conditions)
        if self.level is Level.MODIFIED:
            return f"Some exercises are skipped or replaced because of {names}."
        return f"Talk to a clinician before starting, because of {names}."

    def summary(self) -> str:
        """One line for the terminal: the level and the conditions behind it."""
        said = self.sentence()
        return f"{self.level.value.replace('-', ' ')}: {said[0].lower()}{said[1:]}"


def evaluate(answers: dict[str, bool], *, screened_at: datetime | None = None,
             consult_acknowledged: bool = False) -> Clearance:
    """The clearance for a set of answers: the strictest level among the conditions answered yes."""
    conditions = tuple(cid for cid in CONDITION_IDS if answers.get(cid))
    level = Level.OK
    for cid in conditions:
        if RULES_BY_ID[cid].level.rank > level.rank:
            level = RULES_BY_ID[cid].level
    reasons = tuple(f"{RULES_BY_ID[c].name}: {RULES_BY_ID[c].advice}" for c in conditions)
    return Clearance(level=level, conditions=conditions, screened_at=screened_at,
                     consult_acknowledged=consult_acknowledged, reasons=reasons)


def rescreen_reason(clearance: Clearance | None, *, now: datetime,
                    safety_event_times: list[datetime]) -> str | None:
    """Why the user should screen again now (None when the screening still stands), in words every
    door can show: the door adds how to screen (a command, a page)."""
    if clearance is None or clearance.screened_at is None:
        return "you have not been screened yet."
    if clearance.rescreen_at is not None and now >= clearance.rescreen_at:
        return (f"your screening is from {clearance.screened_at:%Y-%m-%d}, more than {RESCREEN_AFTER_WEEKS} "
                "weeks ago.")
    later = [t for t in safety_event_times if t > clearance.screened_at]
    if later:
        return f"a safety event on {max(later):%Y-%m-%d} came after your last screening."
    return None
