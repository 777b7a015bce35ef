"""Typed, frozen models of the catalog: exercises, routines, programmes and the guidance around them.

The catalog is data (TOML files in ``catalog/data``) validated here at load time, so a typo in a file
fails loudly with the field named instead of surfacing mid-session. Models are frozen and forbid
unknown fields: a misspelt key is an error, not a silently ignored value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1)]
Seconds = Annotated[float, Field(ge=0, le=3600)]
Count = Annotated[int, Field(ge=1, le=100)]

Goal = Literal["tone", "relax", "prep", "recover"]
Resistance = Literal["none", "light", "moderate", "firm"]
Movement = Literal[
    "smile",
    "mouth-shape",
    "head-tilt-back",
    "chin-down",
    "jaw-glide",
    "tongue-press",
    "brow-raise",
    "hand-resistance",
    "massage",
    "tapping",
    "skin-contact",
]

#: Condition ids the screening stage asks about (issue 2 contract; catalog data describes each).
CONDITION_IDS: tuple[str, ...] = (
    "tmj",
    "facial-nerve-disorder",
    "rosacea-sensitive-skin",
    "recent-procedure",
    "active-skin-condition",
    "pregnancy",
    "current-pain",
)


class _Frozen(BaseModel):
    # TOML allows nan and inf; refuse them by name rather than as "should be <= 3600 (got nan)".
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


class Tempo(_Frozen):
    """Seconds to move into the position (up) and back out of it (down) on each rep."""

    up_s: Seconds = 1.0
    down_s: Seconds = 1.0


class Exercise(_Frozen):
    """One exercise card. Rep-based (``reps`` with ``hold_s`` and ``tempo``) or timed (``duration_s``)."""

    id: Slug
    name: Text
    goal: Goal
    target_muscles: tuple[Text, ...] = ()
    cue: Text
    instructions: tuple[Text, ...] = Field(min_length=1)
    sets: Count = 1
    reps: Count | None = None
    hold_s: Seconds | None = None
    tempo: Tempo = Tempo()
    duration_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    resistance: Resistance = "none"
    movements: tuple[Movement, ...] = ()
    cautions: tuple[Text, ...] = ()
    contraindications: tuple[Slug, ...] = ()

    @model_validator(mode="after")
    def _reps_or_duration(self) -> Exercise:
        if (self.reps is None) == (self.duration_s is None):
            raise ValueError("give exactly one of reps (with hold_s) or duration_s")
        if self.reps is not None and self.hold_s is None:
            raise ValueError("a rep-based exercise needs hold_s (0 for no hold)")
        return self

    @property
    def jaw_glide(self) -> bool:
        """True when a step moves the jaw forward: screening skips these with a TMJ disorder."""
        return "jaw-glide" in self.movements

    @property
    def timed(self) -> bool:
        return self.duration_s is not None

    def contraindicated_by(self, conditions: Iterable[str]) -> tuple[str, ...]:
        """The given condition ids that rule this exercise out (TMJ also rules out any jaw glide)."""
        ruled_out = set(self.contraindications) | ({"tmj"} if self.jaw_glide else set())
        return tuple(c for c in dict.fromkeys(conditions) if c in ruled_out)


class RoutineStep(_Frozen):
    """One step of a routine: an exercise plus optional overrides of its card's sets/reps/hold/duration."""

    exercise: Slug
    sets: Count | None = None
    reps: Count | None = None
    hold_s: Seconds | None = None
    duration_s: Annotated[float, Field(gt=0, le=3600)] | None = None
    note: Text | None = None


class Routine(_Frozen):
    """An ordered list of steps done in one sitting."""

    id: Slug
    name: Text
    description: Text
    nominal_minutes: Annotated[float, Field(gt=0, le=240)] | None = None
    cue_s: Seconds = 5.0
    rest_between_sets_s: Seconds = 10.0
    steps: tuple[RoutineStep, ...] = Field(min_length=1)


class Phase(_Frozen):
    """Weeks ``first_week..last_week`` of a programme: which routine, how often."""

    first_week: Count
    last_week: Count
    routine: Slug
    days_per_week: Annotated[int, Field(ge=1, le=7)] | None = None
    every_n_days: Annotated[int, Field(ge=1, le=14)] | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _check(self) -> Phase:
        if self.last_week < self.first_week:
            raise ValueError("last_week must not be before first_week")
        if (self.days_per_week is None) == (self.every_n_days is None):
            raise ValueError("give exactly one of days_per_week or every_n_days")
        return self


class Programme(_Frozen):
    """Weeks of practice built from routines; phases must cover weeks 1..weeks without gaps."""

    id: Slug
    name: Text
    description: Text
    weeks: Annotated[int, Field(ge=1, le=104)]
    phases: tuple[Phase, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _cover_weeks(self) -> Programme:
        expected = 1
        for phase in sorted(self.phases, key=lambda p: p.first_week):
            if phase.first_week != expected:
                raise ValueError(f"phases must cover weeks 1..{self.weeks} in order; week {expected} missing "
                                 f"or overlapping (a phase starts at week {phase.first_week})")
            expected = phase.last_week + 1
        if expected != self.weeks + 1:
            raise ValueError(f"phases end at week {expected - 1} but the programme has {self.weeks} weeks")
        return self

    def phase_for_week(self, week: int) -> Phase:
        """The phase that covers programme week ``week`` (1-based)."""
        for phase in self.phases:
            if phase.first_week <= week <= phase.last_week:
                return phase
        raise ValueError(f"programme {self.id!r} has no week {week}")


class Condition(_Frozen):
    """A health condition screening asks about; exercises list the ones that contraindicate them."""

    id: Slug
    name: Text
    description: Text


class Discouraged(_Frozen):
    """A move FaceFit advises against, why, and what to do instead."""

    id: Slug
    name: Text
    reason: Text
    instead: Text


class RelaxNotTrain(_Frozen):
    muscles: tuple[Text, ...] = Field(min_length=1)
    statement: Text


class DoDont(_Frozen):
    topic: Text
    do: Text
    dont: Text


class Risk(_Frozen):
    id: Slug
    name: Text
    description: Text
    prevention: Text


class Guidance(_Frozen):
    """Advice that is not an exercise: what to relax rather than train, do's and don'ts, risks."""

    relax_not_train: RelaxNotTrain
    do_dont: tuple[DoDont, ...] = Field(min_length=1)
    risk: tuple[Risk, ...] = Field(min_length=1)
