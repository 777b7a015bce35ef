"""Read catalog TOML files, validate them, and collect every problem as one line naming file, entry, field.

Validation never stops at the first error: a person fixing a file wants the whole list. Each problem is
a :class:`CatalogIssue`; :func:`load_catalog` raises :class:`~facefit.errors.CatalogError` listing them,
and ``facefit catalog validate`` prints them one per line.

A file may hold any of the sections ``[[exercise]]``, ``[[routine]]``, ``[[programme]]``,
``[[condition]]``, ``[[discouraged]]`` and one ``[guidance]`` table. Ids are unique per section across
all files loaded together; routines may name exercises from any of them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from facefit.catalog.models import (
    CONDITION_IDS,
    Condition,
    Discouraged,
    Exercise,
    Guidance,
    Programme,
    Routine,
)
from facefit.errors import CatalogError
from facefit.fileio import NestingError, parse_bounded

DATA_DIR = Path(__file__).with_name("data")
SECTIONS: dict[str, type[BaseModel]] = {
    "exercise": Exercise,
    "routine": Routine,
    "programme": Programme,
    "condition": Condition,
    "discouraged": Discouraged,
}
MAX_FILE_BYTES = 2_000_000
T = TypeVar("T")


@dataclass(frozen=True)
class CatalogIssue:
    """One problem in one file: ``file: entry: field: message`` when printed."""

    file: str
    entry: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.entry}: {self.field}: {self.message}"


@dataclass(frozen=True)
class Catalog:
    """Validated exercises, routines, programmes and guidance, looked up by id."""

    exercises: Mapping[str, Exercise]
    routines: Mapping[str, Routine]
    programmes: Mapping[str, Programme]
    conditions: Mapping[str, Condition]
    discouraged: Mapping[str, Discouraged]
    guidance: Guidance | None
    sources: tuple[str, ...] = ()

    def exercise(self, exercise_id: str) -> Exercise:
        return _lookup(self.exercises, exercise_id, "exercise")

    def routine(self, routine_id: str) -> Routine:
        return _lookup(self.routines, routine_id, "routine")

    def programme(self, programme_id: str) -> Programme:
        return _lookup(self.programmes, programme_id, "programme")


def _lookup(table: Mapping[str, T], key: str, kind: str) -> T:
    try:
        return table[key]
    except KeyError:
        known = ", ".join(sorted(table)) or "none"
        raise CatalogError(f"Unknown {kind} {key!r}; known {kind}s: {known}.") from None


@dataclass
class _Entry:
    file: str
    label: str
    model: Any
    raw: dict[str, Any]


@dataclass
class _Collected:
    entries: dict[str, list[_Entry]] = field(default_factory=lambda: {name: [] for name in SECTIONS})
    invalid: dict[str, list[_Entry]] = field(default_factory=lambda: {name: [] for name in SECTIONS})
    guidance: list[_Entry] = field(default_factory=list)
    issues: list[CatalogIssue] = field(default_factory=list)


def builtin_paths() -> list[Path]:
    """The catalog files shipped with FaceFit, in a stable order."""
    return sorted(DATA_DIR.glob("*.toml"))


def _field_path(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item + 1}]")
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts) or "-"


def _describe(error: Mapping[str, Any]) -> str:
    message = str(error["msg"]).removeprefix("Value error, ")
    value = error.get("input")
    if error["type"] != "missing" and not isinstance(value, dict | list) and error.get("loc"):
        message += f" (got {value!r})"
    return message


def _label(section: str, raw: object, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return f"{section} {raw['id']!r}"
    return f"{section} #{index + 1}"


def _read_toml(path: Path, name: str, issues: list[CatalogIssue]) -> dict[str, Any] | None:
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            issues.append(CatalogIssue(name, "-", "-", f"file is larger than {MAX_FILE_BYTES} bytes"))
            return None
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        issues.append(CatalogIssue(name, "-", "-", "file not found"))
        return None
    except IsADirectoryError:
        issues.append(CatalogIssue(name, "-", "-", "is a directory, not a TOML file"))
        return None
    except UnicodeDecodeError:
        issues.append(CatalogIssue(name, "-", "-", "not UTF-8 text (is it a TOML file?)"))
        return None
    except OSError as error:
        issues.append(CatalogIssue(name, "-", "-", f"cannot read: {error.strerror or error}"))
        return None
    try:
        return parse_bounded(tomllib.loads, text)
    except tomllib.TOMLDecodeError as error:
        issues.append(CatalogIssue(name, "-", "-", f"bad TOML: {error}"))
        return None
    except NestingError as error:
        issues.append(CatalogIssue(name, "-", "-", f"not a catalog file: {error}"))
        return None


def _collect_file(path: Path, out: _Collected) -> None:
    name = str(path)
    document = _read_toml(path, name, out.issues)
    if document is None:
        return
    if not document:
        out.issues.append(CatalogIssue(name, "-", "-", "file defines nothing"))
    for section, value in document.items():
        if section == "guidance":
            _collect_entry(name, "guidance", Guidance, value, out.guidance, [], out.issues)
            continue
        model = SECTIONS.get(section)
        if model is None:
            known = ", ".join([*SECTIONS, "guidance"])
            out.issues.append(CatalogIssue(name, section, "-", f"unknown section; expected one of {known}"))
            continue
        if not isinstance(value, list):
            out.issues.append(CatalogIssue(name, section, "-", f"must be an array of tables ([[{section}]])"))
            continue
        for index, raw in enumerate(value):
            label = _label(section, raw, index)
            _collect_entry(name, label, model, raw, out.entries[section], out.invalid[section], out.issues)


def _collect_entry(
    file: str, label: str, model: type[BaseModel], raw: object,
    valid: list[_Entry], invalid: list[_Entry], issues: list[CatalogIssue],
) -> None:
    if not isinstance(raw, dict):
        issues.append(CatalogIssue(file, label, "-", f"must be a table, got {type(raw).__name__}"))
        return
    try:
        valid.append(_Entry(file, label, model.model_validate(raw), raw))
    except ValidationError as error:
        invalid.append(_Entry(file, label, None, raw))
        for detail in _root_causes(error.errors()):
            issues.append(CatalogIssue(file, label, _field_path(detail["loc"]), _describe(detail)))


def _root_causes(errors: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """Drop pydantic's follow-on "should have at least N items" for a list whose items were rejected.

    A routine with one bad step would otherwise also be told it has no steps at all.
    """
    def inside(loc: tuple[Any, ...]) -> bool:
        return any(tuple(other["loc"])[:len(loc)] == loc and len(other["loc"]) > len(loc) for other in errors)

    return [e for e in errors if not (e["type"] == "too_short" and inside(tuple(e["loc"])))]


def _unique(valid: list[_Entry], invalid: list[_Entry], issues: list[CatalogIssue]) -> dict[str, _Entry]:
    """Valid entries by id; a duplicate id is reported even when one of the two entries is invalid."""
    seen: dict[str, _Entry] = {}
    first_seen: dict[str, _Entry] = {}
    for entry in [*valid, *invalid]:
        key = entry.raw.get("id")
        if not isinstance(key, str):
            continue
        first = first_seen.get(key)
        if first is not None:
            issues.append(CatalogIssue(entry.file, entry.label, "id",
                                       f"duplicate id; first defined in {first.file}"))
            continue
        first_seen[key] = entry
        if entry.model is not None:
            seen[key] = entry
    return seen


def _raw_step_exercises(entry: _Entry) -> list[tuple[int, str]]:
    """(step number, exercise id) of a routine that failed validation, to still check its references."""
    steps = entry.raw.get("steps")
    if not isinstance(steps, list):
        return []
    return [(i, step["exercise"]) for i, step in enumerate(steps, start=1)
            if isinstance(step, dict) and isinstance(step.get("exercise"), str)]


def _cross_check(
    tables: dict[str, dict[str, _Entry]], invalid: dict[str, list[_Entry]], issues: list[CatalogIssue]
) -> None:
    exercises = tables["exercise"]
    known_exercises = exercises.keys() | {e.raw.get("id") for e in invalid["exercise"]}
    for entry in invalid["routine"]:
        for i, name in _raw_step_exercises(entry):
            if name not in known_exercises:
                issues.append(CatalogIssue(entry.file, entry.label, f"steps[{i}].exercise",
                                           f"unknown exercise {name!r}"))
    conditions = set(tables["condition"]) or set(CONDITION_IDS)
    discouraged = tables["discouraged"]
    for entry in exercises.values():
        for i, condition in enumerate(entry.model.contraindications):
            if condition not in conditions:
                issues.append(CatalogIssue(entry.file, entry.label, f"contraindications[{i + 1}]",
                                           f"unknown condition {condition!r}; known: "
                                           + ", ".join(sorted(conditions))))
    for entry in tables["routine"].values():
        for i, step in enumerate(entry.model.steps):
            where = f"steps[{i + 1}]"
            if step.exercise in discouraged:
                issues.append(CatalogIssue(entry.file, entry.label, f"{where}.exercise",
                                           f"exercise {step.exercise!r} is discouraged: "
                                           f"{discouraged[step.exercise].model.reason}"))
                continue
            target = exercises.get(step.exercise)
            if target is None:
                issues.append(CatalogIssue(entry.file, entry.label, f"{where}.exercise",
                                           f"unknown exercise {step.exercise!r}"))
                continue
            exercise: Exercise = target.model
            if exercise.timed and (step.reps is not None or step.hold_s is not None):
                issues.append(CatalogIssue(entry.file, entry.label, where,
                                           f"{step.exercise!r} is timed: override duration_s, not reps"))
            if not exercise.timed and step.duration_s is not None:
                issues.append(CatalogIssue(entry.file, entry.label, f"{where}.duration_s",
                                           f"{step.exercise!r} is rep-based: override reps/hold_s instead"))
    for entry in tables["programme"].values():
        for i, phase in enumerate(entry.model.phases):
            if phase.routine not in tables["routine"]:
                issues.append(CatalogIssue(entry.file, entry.label, f"phases[{i + 1}].routine",
                                           f"unknown routine {phase.routine!r}"))


def check_paths(paths: Iterable[Path]) -> tuple[Catalog | None, list[CatalogIssue]]:
    """Validate ``paths`` together; the catalog when there is no issue, and every issue found."""
    collected = _Collected()
    unique_paths: list[Path] = []
    for path in paths:
        if path.resolve() not in {p.resolve() for p in unique_paths}:
            unique_paths.append(path)
    for path in unique_paths:
        _collect_file(path, collected)
    issues = collected.issues
    tables = {section: _unique(entries, collected.invalid[section], issues)
              for section, entries in collected.entries.items()}
    if len(collected.guidance) > 1:
        extra = collected.guidance[1]
        issues.append(CatalogIssue(extra.file, "guidance", "-",
                                   f"guidance defined twice; first in {collected.guidance[0].file}"))
    _cross_check(tables, collected.invalid, issues)
    if issues:
        return None, issues

    def freeze(section: str) -> Mapping[str, Any]:
        return MappingProxyType({key: entry.model for key, entry in tables[section].items()})

    catalog = Catalog(
        exercises=freeze("exercise"),
        routines=freeze("routine"),
        programmes=freeze("programme"),
        conditions=freeze("condition"),
        discouraged=freeze("discouraged"),
        guidance=collected.guidance[0].model if collected.guidance else None,
        sources=tuple(str(p) for p in unique_paths),
    )
    return catalog, []


def validate_paths(paths: Sequence[Path], *, with_builtin: bool = True) -> list[CatalogIssue]:
    """Every issue in ``paths`` (checked together with the built-in catalog unless ``with_builtin=False``)."""
    files = [*builtin_paths(), *paths] if with_builtin else list(paths)
    return check_paths(files)[1]


def load_catalog(paths: Sequence[Path] | None = None) -> Catalog:
    """The validated catalog: the built-in files (cached) or exactly ``paths``; raises CatalogError."""
    if paths is None:
        return _builtin_catalog()
    return _load(tuple(paths))


@lru_cache(maxsize=1)
def _builtin_catalog() -> Catalog:
    return _load(tuple(builtin_paths()))


def _load(paths: tuple[Path, ...]) -> Catalog:
    catalog, issues = check_paths(paths)
    if catalog is None:
        lines = "\n".join(str(issue) for issue in issues)
        raise CatalogError(f"The exercise catalog has {len(issues)} problem(s):\n{lines}")
    return catalog
