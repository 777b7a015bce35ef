"""The lifestyle log: SPF, sleep, water, calcium, vitamin D, smoking, moisturiser; targets and weekly summary.

Exercise is one part of skin and face health; the seeds pair it with sunscreen, sleep, hydration,
calcium (1000-1300 mg a day), vitamin D (500+ IU), no smoking and moisturiser. Input is strict: each
value has a unit and a plausible range, an unknown field is an error, and a bad entry saves nothing
(validation happens before the store is touched).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from facefit.errors import InputError
from facefit.fileio import NestingError, parse_bounded


class LifestyleInputError(InputError):
    """A lifestyle value is unknown, has a wrong unit or is out of range."""


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str  # "bool" | "number"
    unit: str = ""
    low: float = 0.0
    high: float = 0.0
    units: Mapping[str, float] | None = None  # accepted unit -> factor to ``unit``

    @property
    def title(self) -> str:
        """The label at the start of a sentence ("Sleep", "SPF applied")."""
        return self.label[:1].upper() + self.label[1:]


FIELDS: dict[str, Field] = {
    f.name: f for f in (
        Field("spf", "SPF applied", "bool"),
        Field("sleep_h", "sleep", "number", "h", 0, 24, {"h": 1, "hours": 1, "hr": 1, "min": 1 / 60}),
        Field("water_l", "water", "number", "L", 0, 10, {"l": 1, "ml": 0.001, "glasses": 0.25}),
        Field("calcium_mg", "calcium", "number", "mg", 0, 5000, {"mg": 1, "g": 1000}),
        Field("vitamin_d_iu", "vitamin D", "number", "IU", 0, 20000,
              {"iu": 1, "ug": 40, "mcg": 40, "µg": 40}),
        Field("smoking", "smoked", "bool"),
        Field("moisturiser", "moisturiser applied", "bool"),
    )
}

ALIASES: dict[str, str] = {
    "spf": "spf", "sunscreen": "spf", "sleep": "sleep_h", "sleep_h": "sleep_h", "water": "water_l",
    "water_l": "water_l", "calcium": "calcium_mg", "calcium_mg": "calcium_mg", "vitamin_d": "vitamin_d_iu",
    "vitamin-d": "vitamin_d_iu", "vitd": "vitamin_d_iu", "vitamin_d_iu": "vitamin_d_iu", "smoking": "smoking",
    "smoked": "smoking", "moisturiser": "moisturiser", "moisturizer": "moisturiser",
}

_TRUE = {"yes", "y", "true", "1", "on"}
_FALSE = {"no", "n", "false", "0", "off"}
_NUMBER_UNIT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Zµ]*)\s*$")


def _field(key: str) -> Field:
    name = ALIASES.get(key.strip().lower())
    if name is None:
        known = ", ".join(sorted({k for k in ALIASES if "_" not in k or k in FIELDS}))
        raise LifestyleInputError(f"Unknown lifestyle field {key!r}; known fields: {known}.")
    return FIELDS[name]


def _bool(field: Field, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise LifestyleInputError(f"{field.title} must be yes or no, got {value!r}.")


def _number(field: Field, value: Any) -> float:
    if isinstance(value, bool):
        raise LifestyleInputError(f"{field.title} must be a number in {field.unit}, got {value!r}.")
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        match = _NUMBER_UNIT.match(value)
        if match is None:
            raise LifestyleInputError(f"{field.title} must be a number with an optional unit "
                                      f"({', '.join(field.units or {})}), got {value!r}.")
        number = float(match.group(1))
        unit = match.group(2).lower()
        if unit:
            factors = field.units or {}
            if unit not in factors:
                raise LifestyleInputError(f"{field.title}: unknown unit {match.group(2)!r}; use "
                                          f"{', '.join(factors)}.")
            number *= factors[unit]
    else:
        raise LifestyleInputError(f"{field.title} must be a number in {field.unit}, got {value!r}.")
    if number != number or not field.low <= number <= field.high:
        raise LifestyleInputError(f"{field.title} {number:g} {field.unit} is out of range "
                                  f"({field.low:g}-{field.high:g} {field.unit}).")
    return number


def validate(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Canonical field name -> validated value; raises on the first bad field (nothing is saved then)."""
    if not raw:
        raise LifestyleInputError("There is nothing to log: give at least one field, e.g. sleep=7.5h "
                                  "spf=yes.")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        field = _field(str(key))
        if field.name in out:
            raise LifestyleInputError(f"{field.title} is given twice.")
        out[field.name] = _bool(field, value) if field.kind == "bool" else _number(field, value)
    return out


def parse_pairs(pairs: Sequence[str]) -> dict[str, Any]:
    """``["sleep=7.5h", "spf=yes"]`` validated; a pair without ``=`` is an error."""
    raw: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise LifestyleInputError(f"Expected field=value, got {pair!r} (e.g. sleep=7.5h calcium=1100mg).")
        if key.strip().lower() in raw:
            raise LifestyleInputError(f"The field {key.strip()} is given twice.")
        raw[key.strip().lower()] = value
    return validate(raw)


def load_file(path: Path) -> dict[str, Any]:
    """A JSON object of fields (e.g. ``{"sleep": "7h", "spf": true}``) validated."""
    try:
        raw = parse_bounded(json.loads, path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LifestyleInputError(f"Cannot read {path}: {error.strerror or error}.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise LifestyleInputError(f"The file {path} is not valid JSON: {error}.") from None
    except NestingError as error:
        raise LifestyleInputError(f"The file {path} is not a flat JSON object of field: value: "
                                  f"{error}.") from None
    if not isinstance(raw, dict):
        raise LifestyleInputError(f"The file {path} must hold a JSON object of field: value.")
    return validate(raw)


# --- targets ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    field: str
    text: str
    met: Callable[[Any], bool]


TARGETS: tuple[Target, ...] = (
    Target("spf", "sunscreen applied", lambda v: v is True),
    Target("sleep_h", "7-9 h sleep", lambda v: 7 <= v <= 9),
    Target("water_l", "1.5 L+ water", lambda v: v >= 1.5),
    Target("calcium_mg", "calcium 1000-1300 mg", lambda v: 1000 <= v <= 1300),
    Target("vitamin_d_iu", "vitamin D 500-4000 IU", lambda v: 500 <= v <= 4000),
    Target("smoking", "no smoking", lambda v: v is False),
    Target("moisturiser", "moisturiser applied", lambda v: v is True),
)


@dataclass(frozen=True)
class TargetSummary:
    field: str
    text: str
    logged: int
    met: int


def weekly_summary(days: Mapping[date, Mapping[str, Any]], first: date, last: date) -> list[TargetSummary]:
    """For each target: days logged and days on target between ``first`` and ``last`` inclusive."""
    window = {d: v for d, v in days.items() if first <= d <= last}
    out = []
    for target in TARGETS:
        values = [v[target.field] for v in window.values() if v.get(target.field) is not None]
        met = sum(bool(target.met(v)) for v in values)
        out.append(TargetSummary(target.field, target.text, len(values), met))
    return out
