"""Per-exercise detection specs (``specs.toml``), validated at load so a typo fails before a session.

A spec says which feature drives a rep, the enter/exit thresholds relative to the user's rest, the
tempo limits, what pose or shape the hold requires and what must stay relaxed. Target reps and hold
seconds are not repeated here: they come from the catalog card (or a routine step) when an engine is
built, so the coach and the routine player can never disagree on them.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from facefit.coach.features import FEATURE_INDEX
from facefit.errors import CatalogError

SPECS_PATH = Path(__file__).with_name("specs.toml")

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1)]
Positive = Annotated[float, Field(gt=0)]


def _known_feature(name: str) -> str:
    if name not in FEATURE_INDEX:
        raise ValueError(f"unknown feature {name!r}; known: {', '.join(FEATURE_INDEX)}")
    return name


def _check_sides_of(sides: tuple[str, str] | None) -> tuple[str, str] | None:
    """A (right, left) pair of features, each one the engine knows."""
    if sides is not None:
        for name in sides:
            _known_feature(name)
    return sides


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Shape(_Frozen):
    """A recognisable movement for the wrong-exercise check: ``feature`` above ``min`` means "doing it"."""

    id: Slug
    label: Text
    feature: str
    min: float

    _check_feature = field_validator("feature")(_known_feature)


class Limit(_Frozen):
    """A bound on one feature during a rep: ``min`` must be reached, or ``max`` must not be exceeded."""

    feature: str
    min: float | None = None
    max: float | None = None
    kind: Slug
    message: Text

    _check_feature = field_validator("feature")(_known_feature)

    @model_validator(mode="after")
    def _one_bound(self) -> Limit:
        if (self.min is None) == (self.max is None):
            raise ValueError("give exactly one of min or max")
        return self


class Level(_Frozen):
    """A level one feature must reach (a witness of a movement, not a fault)."""

    feature: str
    min: float

    _check_feature = field_validator("feature")(_known_feature)


class ExerciseSpec(_Frozen):
    """How to recognise and judge one exercise (thresholds are changes from calibrated rest)."""

    exercise: Slug
    ask: Text
    drive: str
    sides: tuple[str, str] | None = None
    isometric: bool = False
    enter: Positive
    exit: Positive
    exit_share: float | None = Field(default=None, gt=0, lt=1)
    """A rep also ends when the drive falls below this share of its peak so far: for the tiny isometric
    brow signals, whose level between reps drifts around ``exit`` with head sway."""
    exit_hold_s: float | None = Field(default=None, gt=0, le=2.0)
    """How long the drive must stay below the exit level to end a rep (engine default 0.2 s)."""
    full: Positive
    not_resisting: Positive | None = None
    min_active_s: Positive = 0.6
    min_hold_s: float = Field(default=0.0, ge=0)
    noise_k: float = Field(default=0.0, ge=0)
    smooth_s: float | None = Field(default=None, gt=0, le=1.0)
    """The drive's smoothing time constant (engine default SMOOTH_TAU_S, ~50 ms): longer for a press held
    seconds, whose tiny drive a poor webcam's frame-to-frame jitter would otherwise cross and re-cross."""
    min_rise_s: float = Field(default=0.3, ge=0)
    max_onset_speed: float | None = Field(default=None, gt=0)
    """A rise climbing faster than this many rep levels per second is a jerky onset too (where the
    plateau drifts and stretches the measured 10-90% rise of a sudden start)."""
    hold_high: float = Field(default=0.9, ge=0.6, le=0.95)
    hold_level: Literal["p90", "plateau-median", "run-median"] = "plateau-median"
    ramp_share: float | None = Field(default=None, gt=0.05, lt=0.5)
    hold_gap_s: float = Field(default=0.0, ge=0, le=2.0)
    """Dips of the drive below half the hold level shorter than this do not end the hold."""
    min_symmetry: float = Field(default=70.0, ge=0, le=100)
    min_symmetry_turned: float | None = Field(default=None, ge=0, le=100)
    """``min_symmetry`` for a rep held with the head turned TURNED_YAW_DEG or more (engine): the landmarker
    reads a turned face's far side less reliably, so unevenness must be clearer there. None: as frontal."""
    sides_witness_turned: tuple[str, str] | None = None
    """Two features (right, left) that read the sides a second way, e.g. the landmarker's smile score per
    side: with the head turned, a rep the sides' geometry calls uneven is not, when these rose within
    ``sides_witness_symmetry`` percent of each other over the hold (engine). None: geometry alone decides."""
    sides_witness_symmetry: float = Field(default=75.0, ge=0, le=100)
    sides_witness_min: float = Field(default=0.03, gt=0)
    """... and only when the stronger of them rose at least this much (a score that barely moved, or
    jitters at rest, witnesses nothing)."""
    reject_speech: bool = True
    decouple_mouth: bool = False
    """Take out of the drive the share the landmarker moves with the lip opening (engine
    ``_decouple_mouth``): for a brow press, whose landmarks follow speech on some faces."""
    skip_blinks: bool = False
    """Skip frames in the middle of a blink: for a brow drive, whose heights are measured from the pupils,
    which a closing lid moves."""
    reject_busy_lips: bool = False
    """A hold in which the lips keep moving is talking, not a rep (engine TALK_BUSY_*): for a drive the
    lips have no part in (a brow press), and only with ``reject_speech``."""
    unseen_hint: Text | None = None
    """What may hide this movement from the camera, said when a set sees no rep (engine NOT_SEEN_S)."""
    witness: str | None = None
    """A second reading of the drive's movement (a feature, e.g. the landmarker's smile score): a rise whose
    hold level ends between ``exit`` and ``enter`` still counts when this feature's median over the hold
    reaches ``witness_min`` (engine). None: the hold level alone decides."""
    witness_min: float = Field(default=0.0, ge=0)
    rest_witness_max: float | None = Field(default=None, gt=0)
    """A first-still-second rest whose ``witness`` read more than this (absolute, e.g. a smile score of 0.6)
    may have been a held rep: if, before the first rep, the face then settles below it (drive under minus
    the midpoint of ``enter`` and ``exit``, the witness down ``witness_min``, every gate feature down its
    ``min``) for REST_AGAIN_S, the rest is learned again (engine).
    None: a rest is never learned again."""
    shallow_witness: Level | None = None
    """A feature that witnesses a shallow rise the drive alone misses (e.g. the mouth's widening for a
    smile whose corners go out more than up): with it past ``min`` a rep starts once the drive passes
    halfway from ``exit`` to ``enter``, and a hold level between ``exit`` and ``enter`` counts when its
    median over the hold reaches ``min`` (engine). None: only ``enter`` starts a rep."""
    drive_from: Literal["mean", "stronger-side"] = "mean"
    drive_from_turned: Literal["mean", "stronger-side"] | None = None
    """``drive_from`` when the rest is turned TURNED_YAW_DEG or more (engine): the landmarker reads the far
    side of a turned face's movement smaller. None: ``drive_from`` at every pose."""
    gate: tuple[Limit, ...] = ()
    allowed_shapes: tuple[Slug, ...] = ()
    require: tuple[Limit, ...] = ()
    relax: tuple[Limit, ...] = ()

    _check_drive = field_validator("drive")(_known_feature)

    @field_validator("witness")
    @classmethod
    def _check_witness(cls, witness: str | None) -> str | None:
        return None if witness is None else _known_feature(witness)

    @field_validator("sides")
    @classmethod
    def _check_sides(cls, sides: tuple[str, str] | None) -> tuple[str, str] | None:
        return _check_sides_of(sides)

    @field_validator("sides_witness_turned")
    @classmethod
    def _check_sides_witness(cls, sides: tuple[str, str] | None) -> tuple[str, str] | None:
        return _check_sides_of(sides)

    @model_validator(mode="after")
    def _thresholds(self) -> ExerciseSpec:
        if self.exit >= self.enter:
            raise ValueError(f"exit ({self.exit}) must be below enter ({self.enter}) for hysteresis")
        if self.full < self.enter:
            raise ValueError(f"full ({self.full}) must be at least enter ({self.enter})")
        if self.isometric and self.not_resisting is None:
            raise ValueError("an isometric spec needs not_resisting (the brow rise that means no resistance)")
        if self.not_resisting is not None and self.not_resisting <= self.full:
            raise ValueError("not_resisting must be above full")
        if self.reject_busy_lips and not self.reject_speech:
            raise ValueError("reject_busy_lips is part of the speech check: it needs reject_speech = true")
        if self.decouple_mouth and self.drive == "mouth_open":
            raise ValueError("decouple_mouth cannot apply to a drive that is the lip opening itself")
        if self.min_symmetry_turned is not None and self.min_symmetry_turned > self.min_symmetry:
            raise ValueError("min_symmetry_turned cannot exceed min_symmetry: a turned face reads worse")
        if "stronger-side" in (self.drive_from, self.drive_from_turned) and self.sides is None:
            raise ValueError("drive_from = 'stronger-side' needs sides")
        if self.sides_witness_turned is not None and (self.sides is None or self.min_symmetry_turned is None):
            raise ValueError("sides_witness_turned witnesses the turned symmetry: it needs sides and "
                             "min_symmetry_turned")
        if self.witness is not None and self.witness_min <= 0:
            raise ValueError("a witness needs witness_min > 0 (the level its feature must reach)")
        if self.rest_witness_max is not None and (self.witness is None or not self.gate):
            raise ValueError("rest_witness_max reads the witness at rest and the gate of a smile let go: "
                             "it needs a witness and a gate")
        if any(g.min is None for g in self.gate):
            raise ValueError("a gate gives a min the feature must reach for a rep to start")
        return self


# The fields each message may use (a template naming another fails when the specs load).
MESSAGE_FIELDS: dict[str, dict[str, object]] = {
    "not_seen": {"ask": "", "hint": ""}, "wrong_exercise": {"label": "", "ask": ""},
    "asymmetry": {"weak": "left", "symmetry": 50.0}, "new_asymmetry": {"symmetry": 50.0, "baseline": 90.0},
    "overwork": {"target": 10},
}


class Messages(_Frozen):
    """Every sentence the engine says (``[messages]`` in specs.toml); see the file for the fields."""

    not_seen: Text
    rest_again: Text
    cheek_puff: Text
    lip_flap: Text
    wrong_exercise: Text
    jerky_onset: Text
    asymmetry: Text
    not_resisting: Text
    twitch: Text
    fatigue: Text
    fatigue_isometric: Text
    new_asymmetry: Text
    overwork: Text

    @model_validator(mode="after")
    def _templates(self) -> Messages:
        for name in type(self).model_fields:
            try:
                getattr(self, name).format(**MESSAGE_FIELDS.get(name, {}))
            except KeyError as error:
                fields = ", ".join(MESSAGE_FIELDS.get(name, {})) or "none"
                raise ValueError(f"{name}: {{{error.args[0]}}} is not a field it can use (fields: {fields})"
                                 ) from None
            except (IndexError, ValueError) as error:
                raise ValueError(f"{name}: not a valid message template ({error})") from None
        return self


class PoseRange(_Frozen):
    """What the coach says once when the head is outside the operating range (signals/pose_range.py)."""

    message: Text


class SpecFile(_Frozen):
    shape: tuple[Shape, ...] = ()
    messages: Messages
    pose_range: PoseRange
    spec: tuple[ExerciseSpec, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cross(self) -> SpecFile:
        shape_ids = {s.id for s in self.shape}
        seen: set[str] = set()
        for spec in self.spec:
            if spec.exercise in seen:
                raise ValueError(f"exercise {spec.exercise!r} has two specs")
            seen.add(spec.exercise)
            unknown = set(spec.allowed_shapes) - shape_ids
            if unknown:
                raise ValueError(f"{spec.exercise}: allowed_shapes names unknown shapes {sorted(unknown)}")
        return self


def parse_specs(text: str, *, source: str = "specs.toml") -> SpecFile:
    """Parse and validate spec TOML; raises CatalogError naming the file, entry and field."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise CatalogError(f"{source}: not valid TOML ({error})") from error
    try:
        return SpecFile.model_validate(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise CatalogError(f"{source}: {where}: {first['msg']}") from error


@lru_cache(maxsize=1)
def load_specs() -> SpecFile:
    """The built-in specs (cached)."""
    return parse_specs(SPECS_PATH.read_text(encoding="utf-8"), source=str(SPECS_PATH))


def checked_exercises() -> tuple[str, ...]:
    """Catalog ids the coach can check, in spec-file order."""
    return tuple(spec.exercise for spec in load_specs().spec)


def spec_for(exercise_id: str) -> ExerciseSpec:
    """The spec of ``exercise_id``; CatalogError lists the checked exercises when there is none."""
    for spec in load_specs().spec:
        if spec.exercise == exercise_id:
            return spec
    raise CatalogError(
        f"The coach cannot check exercise {exercise_id!r}; it checks: {', '.join(checked_exercises())}."
    )


def shapes() -> tuple[Shape, ...]:
    return load_specs().shape


def messages() -> Messages:
    """What the engine says (``[messages]`` in specs.toml)."""
    return load_specs().messages


def pose_range_message() -> str:
    """The sentence said once when the head leaves the operating range."""
    return load_specs().pose_range.message
