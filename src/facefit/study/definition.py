"""A study's protocol as data: arms, allocation, strata, visits, eligibility, endpoints (TOML, validated).

A protocol is fixed before the first participant is enrolled, so everything the trial machinery relies
on is checked here, at load time, and every problem is reported as one line naming the field
(``study.toml: allocation.block_sizes: ...``), all of them at once: a person fixing a file wants the
whole list. Cross-checks a field validator cannot see (a ratio naming an undefined arm, a block size
that cannot hold the ratio, visit windows that overlap) are made after the fields parse.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from facefit.errors import FaceFitError

SCHEMA_VERSION = 1
MAX_FILE_BYTES = 200_000
EXAMPLE_PATH = Path(__file__).with_name("data") / "example-study.toml"

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=40)]
Text = Annotated[str, Field(min_length=1, max_length=300)]

SEXES: tuple[str, ...] = ("female", "male", "other")
CLEARANCES: tuple[str, ...] = ("ok", "modified", "consult-first")
STRATA: tuple[str, ...] = ("age_band", "sex")
RATER_ENDPOINTS: tuple[str, ...] = ("rater_age", "upper_cheek", "lower_cheek")
MODEL_ENDPOINTS: tuple[str, ...] = ("model_age",)
OTHER_ENDPOINTS: tuple[str, ...] = ("adherence",)
CHEEK_SCALE = (0, 4)
"""Upper and lower cheek fullness are rated 0 (full) to 4 (very severe loss of fullness), the 5-point
photonumeric scales the 2018 facial-exercise study's raters used."""


def known_endpoints() -> tuple[str, ...]:
    """Rater endpoints, the model's apparent age, every photo metric, and adherence."""
    from facefit.photos.metrics import METRIC_NAMES

    return (*RATER_ENDPOINTS, *MODEL_ENDPOINTS, *METRIC_NAMES, *OTHER_ENDPOINTS)


class StudyDefinitionError(FaceFitError):
    """The study file is unusable; ``problems`` has one line per problem."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the study definition has problems:\n" + "\n".join(f"  {p}" for p in problems))


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Arm(_Strict):
    """One arm: a catalog programme, a sham routine, or a waitlist (no intervention until the end)."""

    id: Slug
    label: Text
    kind: Literal["programme", "sham", "waitlist"]
    programme: Slug | None = None
    """Catalog programme the arm follows (kind programme; a sham arm may follow one too)."""
    routine: Slug | None = None
    """Catalog routine of a sham arm (e.g. gentle massage with no resistance)."""
    control: bool = False


class Allocation(_Strict):
    """Stratified permuted blocks: ``ratio`` per arm, block sizes drawn at random from ``block_sizes``."""

    ratio: dict[str, Annotated[int, Field(ge=1, le=10)]]
    block_sizes: tuple[Annotated[int, Field(ge=2, le=24)], ...] = Field(min_length=1)
    strata: tuple[Literal["age_band", "sex"], ...] = ("age_band", "sex")
    age_bands: tuple[Annotated[int, Field(ge=0, le=120)], ...] = (40, 50, 66)
    """Band edges: (40, 50, 66) makes bands 40-49 and 50-65."""
    slots_per_stratum: int = Field(default=120, ge=4, le=10_000)


class Visit(_Strict):
    """A visit ``day`` days after randomisation, allowed from ``day - before`` to ``day + after``."""

    id: Slug
    label: Text
    day: int = Field(ge=-365, le=3650)
    before: int = Field(default=7, ge=0, le=365)
    after: int = Field(default=7, ge=0, le=365)

    @property
    def window(self) -> tuple[int, int]:
        return self.day - self.before, self.day + self.after


class Eligibility(_Strict):
    age: tuple[Annotated[int, Field(ge=0, le=120)], Annotated[int, Field(ge=0, le=120)]] = (40, 65)
    sex: tuple[Literal["female", "male", "other"], ...] = SEXES
    clearance: tuple[Literal["ok", "modified", "consult-first"], ...] = ("ok", "modified")
    """Screening levels that may enrol (consult-first counts only once a clinician cleared it)."""


class Endpoints(_Strict):
    primary: str = "rater_age"
    secondary: tuple[str, ...] = ()
    final_visit: Slug = "week-20"


class Rating(_Strict):
    """Blinded rating: how many of a visit's photos each rater sees, and the share shown twice."""

    photos_per_visit: int = Field(default=1, ge=1, le=10)
    repeat_share: float = Field(default=0.15, ge=0.0, le=0.5)
    age_range: tuple[int, int] = (18, 100)


class PerProtocol(_Strict):
    min_adherence: float = Field(default=60.0, ge=0, le=100)
    """Percent of planned practice days a participant of an exercising arm must have covered."""


class StudyDefinition(_Strict):
    """A whole protocol. ``sha256`` identifies it: the store keeps the definition a study started with."""

    schema_version: int = Field(default=SCHEMA_VERSION, alias="schema")
    id: Slug
    title: Text
    arms: tuple[Arm, ...]
    allocation: Allocation
    visits: tuple[Visit, ...]
    photos_per_visit: int = Field(default=3, ge=1, le=10)
    eligibility: Eligibility = Eligibility()
    endpoints: Endpoints = Endpoints()
    rating: Rating = Rating()
    per_protocol: PerProtocol = PerProtocol()

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    def arm(self, arm_id: str) -> Arm:
        for arm in self.arms:
            if arm.id == arm_id:
                return arm
        raise KeyError(arm_id)

    def visit(self, visit_id: str) -> Visit:
        for visit in self.visits:
            if visit.id == visit_id:
                return visit
        known = ", ".join(v.id for v in self.visits)
        raise FaceFitError(f"The study {self.id} has no visit {visit_id!r}; its visits are {known}.")

    @property
    def control_arm(self) -> Arm:
        return next(arm for arm in self.arms if arm.control)

    @property
    def baseline(self) -> Visit:
        return self.visits[0]

    @property
    def endpoint_names(self) -> tuple[str, ...]:
        return (self.endpoints.primary, *self.endpoints.secondary)

    def age_band(self, age: int) -> str:
        """``"40-49"`` for an age inside the bands, else ``"other"`` (eligibility rules those out)."""
        edges = self.allocation.age_bands
        for low, high in pairwise(edges):
            if low <= age < high:
                return f"{low}-{high - 1}"
        return "other"

    def stratum(self, *, age: int, sex: str) -> str:
        """The participant's stratum key, e.g. ``"age_band=50-65|sex=female"`` ("all" when unstratified)."""
        parts = []
        for name in self.allocation.strata:
            parts.append(f"age_band={self.age_band(age)}" if name == "age_band" else f"sex={sex}")
        return "|".join(parts) or "all"

    def strata(self) -> list[str]:
        """Every stratum key the allocation schedule is generated for."""
        keys = [""]
        for name in self.allocation.strata:
            if name == "age_band":
                edges = self.allocation.age_bands
                values = [f"age_band={low}-{high - 1}" for low, high in pairwise(edges)]
            else:
                values = [f"sex={sex}" for sex in self.eligibility.sex]
            keys = [f"{k}|{v}" if k else v for k in keys for v in values]
        return [k or "all" for k in keys]

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)

    @property
    def sha256(self) -> str:
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def _cross_checks(study: StudyDefinition, catalog: Any | None) -> list[str]:
    """Problems between fields: each one line, ``field: message``."""
    problems: list[str] = []
    arm_ids = [arm.id for arm in study.arms]
    if len(study.arms) < 2:
        problems.append(f"arms: a controlled trial needs at least two arms, got {len(study.arms)}")
    for dup in sorted({a for a in arm_ids if arm_ids.count(a) > 1}):
        problems.append(f"arms: arm id {dup!r} is defined twice")
    controls = [arm.id for arm in study.arms if arm.control]
    if len(controls) != 1:
        problems.append(f"arms: mark exactly one arm as control = true (found {len(controls)})")
    for arm in study.arms:
        where = f"arms.{arm.id}"
        if arm.kind == "programme" and arm.programme is None:
            problems.append(f"{where}.programme: a programme arm names the catalog programme it follows")
        if arm.kind == "sham" and arm.routine is None:
            problems.append(f"{where}.routine: a sham arm names the catalog routine it does instead")
        if arm.kind == "waitlist" and (arm.programme or arm.routine):
            problems.append(f"{where}: a waitlist arm has no programme or routine during the trial")
        if catalog is not None and arm.programme and arm.programme not in catalog.programmes:
            problems.append(f"{where}.programme: unknown programme {arm.programme!r}; known: "
                            f"{', '.join(sorted(catalog.programmes))}")
        if catalog is not None and arm.routine and arm.routine not in catalog.routines:
            problems.append(f"{where}.routine: unknown routine {arm.routine!r}; known: "
                            f"{', '.join(sorted(catalog.routines))}")
    ratio = study.allocation.ratio
    for name in sorted(set(ratio) - set(arm_ids)):
        problems.append(f"allocation.ratio: names arm {name!r}, which is not defined in [[arms]] "
                        f"(arms: {', '.join(arm_ids)})")
    for name in [a for a in arm_ids if a not in ratio]:
        problems.append(f"allocation.ratio: arm {name!r} has no ratio (give e.g. {name} = 1)")
    total = sum(ratio.values())
    if ratio and total:
        for size in study.allocation.block_sizes:
            if size % total:
                parts = ":".join(str(v) for v in ratio.values())
                problems.append(
                    f"allocation.block_sizes: a block of {size} cannot hold the ratio "
                    f"{':'.join(ratio)} = {parts}; block sizes must be multiples of {total}")
    edges = study.allocation.age_bands
    if "age_band" in study.allocation.strata:
        if len(edges) < 2 or any(b <= a for a, b in pairwise(edges)):
            problems.append(f"allocation.age_bands: give at least two increasing band edges, got "
                            f"{list(edges)}")
        else:
            low, high = study.eligibility.age
            if low < edges[0] or high >= edges[-1]:
                problems.append(f"allocation.age_bands: bands {edges[0]}-{edges[-1] - 1} do not cover the "
                                f"eligible ages {low}-{high}")
    if len(set(study.allocation.strata)) != len(study.allocation.strata):
        problems.append("allocation.strata: a stratification factor is listed twice")
    low, high = study.eligibility.age
    if low > high:
        problems.append(f"eligibility.age: the minimum {low} is above the maximum {high}")
    visit_ids = [v.id for v in study.visits]
    for dup in sorted({v for v in visit_ids if visit_ids.count(v) > 1}):
        problems.append(f"visits: visit id {dup!r} is defined twice")
    if not study.visits:
        problems.append("visits: define at least a baseline and a final visit")
    else:
        if study.visits[0].day != 0 or study.visits[0].after != 0:
            problems.append(f"visits.{study.visits[0].id}: the first visit is the baseline, on day 0 and not "
                            "after randomisation (day = 0, after = 0)")
        ordered = list(study.visits)
        for first, second in pairwise(ordered):
            if second.day <= first.day:
                problems.append(f"visits.{second.id}: visits are listed in time order; day {second.day} is "
                                f"not after {first.id}'s day {first.day}")
            elif second.window[0] <= first.window[1]:
                problems.append(
                    f"visits.{second.id}: its window (days {second.window[0]} to {second.window[1]}) "
                    f"overlaps {first.id}'s (days {first.window[0]} to {first.window[1]}): a photo could "
                    "belong to either visit")
    if study.endpoints.final_visit not in visit_ids:
        problems.append(f"endpoints.final_visit: {study.endpoints.final_visit!r} is not a visit "
                        f"({', '.join(visit_ids)})")
    elif study.visits and study.endpoints.final_visit == study.visits[0].id:
        problems.append("endpoints.final_visit: the final visit cannot be the baseline")
    known = known_endpoints()
    for name in study.endpoint_names:
        if name not in known:
            problems.append(f"endpoints: unknown endpoint {name!r}; known: rater_age, upper_cheek, "
                            "lower_cheek, model_age, adherence and the photo metric names (e.g. "
                            "jaw_width_ratio)")
    if study.endpoints.primary in study.endpoints.secondary:
        problems.append("endpoints.secondary: lists the primary endpoint again")
    if study.rating.photos_per_visit > study.photos_per_visit:
        problems.append(f"rating.photos_per_visit: {study.rating.photos_per_visit} is more than the "
                        f"{study.photos_per_visit} photos a visit takes")
    age_low, age_high = study.rating.age_range
    if not 0 <= age_low < age_high <= 120:
        problems.append(f"rating.age_range: give [low, high] with 0 <= low < high <= 120, got "
                        f"[{age_low}, {age_high}]")
    return problems


def _pydantic_problems(error: ValidationError) -> list[str]:
    lines = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "study"
        message = item["msg"]
        if item["type"] == "extra_forbidden":
            message = "unknown field (check the spelling; see the example study file)"
        elif item["type"] == "missing":
            message = "missing (required)"
        lines.append(f"{where}: {message}")
    return lines


def parse_study(
    data: dict[str, Any], *, source: str = "study", catalog: Any | None = None
) -> StudyDefinition:
    """Validate a parsed TOML table; raises :class:`StudyDefinitionError` with every problem."""
    try:
        study = StudyDefinition.model_validate(data)
    except ValidationError as error:
        raise StudyDefinitionError([f"{source}: {line}" for line in _pydantic_problems(error)]) from None
    if catalog is None:
        from facefit.catalog.loader import load_catalog

        catalog = load_catalog()
    problems = _cross_checks(study, catalog)
    if study.schema_version != SCHEMA_VERSION:
        problems.insert(0, f"schema: this FaceFit reads study schema {SCHEMA_VERSION}, the file says "
                           f"{study.schema_version}")
    if problems:
        raise StudyDefinitionError([f"{source}: {line}" for line in problems])
    return study


def load_study(path: str | Path, *, catalog: Any | None = None) -> StudyDefinition:
    """Read and validate a study TOML file (size-checked before parsing)."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
    except OSError as error:
        raise StudyDefinitionError([f"{name}: cannot read the file ({error.strerror})"]) from None
    if size > MAX_FILE_BYTES:
        raise StudyDefinitionError([f"{name}: {size} bytes is too large for a study file "
                                    f"(limit {MAX_FILE_BYTES})"])
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise StudyDefinitionError([f"{name}: not a UTF-8 text file"]) from None
    except tomllib.TOMLDecodeError as error:
        raise StudyDefinitionError([f"{name}: not valid TOML: {error}"]) from None
    return parse_study(data, source=name, catalog=catalog)


def from_stored(data: dict[str, Any]) -> StudyDefinition:
    """The definition a study was created with, as kept in the store (already validated then)."""
    return StudyDefinition.model_validate(data)


def describe(study: StudyDefinition) -> Iterable[str]:
    """Plain lines for the terminal and the report."""
    ratio = ":".join(str(study.allocation.ratio[a.id]) for a in study.arms)
    yield f"{study.title} ({study.id})"
    yield "arms: " + "; ".join(f"{a.id} = {a.label}" for a in study.arms) + f" (ratio {ratio})"
    yield "visits: " + ", ".join(
        f"{v.id} (day {v.day}, {v.window[0]} to {v.window[1]})" for v in study.visits)
    yield (f"eligibility: age {study.eligibility.age[0]}-{study.eligibility.age[1]}, "
           f"{'/'.join(study.eligibility.sex)}, screening {'/'.join(study.eligibility.clearance)}")
    yield f"primary endpoint: {study.endpoints.primary} at {study.endpoints.final_visit}"
