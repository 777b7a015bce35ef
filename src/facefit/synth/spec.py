"""What a synthetic clip should show: exercise, timing, faults, distractors, noise (`ClipSpec`).

A spec is plain data, validated once at construction so that the timeline and renderer never meet a
bad value; every problem is one :class:`~facefit.errors.InputError` sentence naming the field.
Defaults for hold and tempo follow the exercise catalog, so a clip "looks like" the exercise unless the
caller asks otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from facefit.errors import InputError

EXERCISES: tuple[str, ...] = (
    "cheek-lifter",
    "jawline-toner",
    "jawline-definition",
    "neck-tightener",
    "brow-smoothener",
    "forehead-relaxer",
    "none",
)
"""Exercises the renderer can show (``none``: rest plus distractors only)."""

EXERCISE_POSES: dict[str, str] = {
    "cheek-lifter": "closed-lip smile: corners up and out, cheeks lift slightly",
    "jawline-toner": "'O' mouth (lips round, jaw slightly open) with the head tilted back 20 deg",
    "jawline-definition": "wide 'I'/'ee' mouth, lips slightly apart, head tilted up 10 deg",
    "neck-tightener": "chin down 8 deg with the lower jaw glided forward",
    "brow-smoothener": "brows raised slightly against resistance (isometric: barely moves)",
    "forehead-relaxer": "brows pressed down slightly (isometric: barely moves)",
    "none": "rest pose only (use with distractors)",
}

# hold_s, tempo up_s, tempo down_s as in catalog/data/exercises.toml (forehead-relaxer is timed there).
EXERCISE_TIMING: dict[str, tuple[float, float, float]] = {
    "cheek-lifter": (5.0, 1.0, 1.0),
    "jawline-toner": (10.0, 2.0, 2.0),
    "jawline-definition": (8.0, 1.0, 1.0),
    "neck-tightener": (2.0, 1.0, 1.0),
    "brow-smoothener": (5.0, 1.0, 1.0),
    "forehead-relaxer": (5.0, 1.0, 1.0),
    "none": (2.0, 1.0, 1.0),
}

FAULTS: tuple[str, ...] = ("teeth", "asymmetry", "jerky", "twitch")
"""teeth: lips part showing a light band during the rep; asymmetry: one side weaker; jerky: ramp up in
~0.1 s; twitch: brief small one-sided twitches during rests."""

DISTRACTORS: tuple[str, ...] = ("talk", "blink", "sway")
"""talk: mouth opens/closes at speech rate during rests; blink: eyelids close ~every 3 s;
sway: slow head yaw/roll drift (a few degrees)."""

MIN_LEAD_REST_S = 1.5
MAX_DURATION_S = 600.0
MAX_SIDE = 1920
MAX_HEAD_DEG = 45.0


@dataclass(frozen=True)
class Fault:
    """A fault and the 1-based reps it affects (empty: every rep; ``twitch`` ignores reps: rests)."""

    kind: str
    reps: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in FAULTS:
            raise InputError(f"unknown fault {self.kind!r}: choose from {', '.join(FAULTS)}")
        if any(r < 1 for r in self.reps):
            raise InputError(f"fault {self.kind!r}: rep numbers start at 1, got {list(self.reps)}")

    def applies_to(self, rep_number: int) -> bool:
        """True when this fault shows in rep ``rep_number`` (1-based)."""
        return not self.reps or rep_number in self.reps

    @classmethod
    def parse(cls, text: str) -> Fault:
        """``teeth`` or ``teeth@2,4`` (only reps 2 and 4)."""
        kind, _, reps = text.strip().partition("@")
        try:
            numbers = tuple(int(r) for r in reps.split(",") if r.strip()) if reps else ()
        except ValueError:
            raise InputError(f"fault {text!r}: expected NAME or NAME@REP,REP (e.g. teeth@2,4)") from None
        return cls(kind.strip().lower(), numbers)

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "reps": list(self.reps)}


def parse_size(text: str) -> tuple[int, int]:
    """``640x480`` -> (640, 480); both even (I420 video needs even sides)."""
    try:
        width_text, height_text = text.lower().split("x")
        size = (int(width_text), int(height_text))
    except ValueError:
        raise InputError(f"size {text!r}: expected WIDTHxHEIGHT, e.g. 640x480") from None
    return size


@dataclass(frozen=True)
class ClipSpec:
    """Everything that determines a synthetic clip (with the photo, it fixes every pixel).

    Attributes:
        exercise: one of :data:`EXERCISES`.
        reps: number of repetitions (0 allowed: rest and distractors only).
        hold_s / tempo_up_s / tempo_down_s: hold and ramp durations; None = the catalog's values.
        rest_s: rest between reps (and after the last).
        lead_rest_s: still rest pose at the start (>= 1.5 s, for calibration).
        fps, size: frame rate and (width, height); sides even, 64..1920.
        amplitude: multiplies every rep strength (1 = the full pose; up to 3 exaggerates).
        strengths: per-rep strength in [0, 1] before amplitude (None: all 1.0; cycled if shorter).
        noise: 0..1; pixel noise sigma 6*noise gray levels and camera shake 0.6*noise px per frame.
        seed: fixes distractor timing, twitches, noise.
        distractors: subset of :data:`DISTRACTORS`.
        faults: :class:`Fault` list.
        weak_side: "left" or "right" (the person's side) for the asymmetry fault.
        asymmetry_ratio: strength of the weak side relative to the strong one.
        head_yaw_deg / head_pitch_deg: the rest head pose relative to the camera (a webcam off to one
            side, below or above the eyes), in ``facefit.vision.pose`` signs (yaw > 0: turned to the
            person's left; pitch > 0: chin up, as seen from a camera below the eyes); every frame's
            head angles are added to it. Within +/-45 deg.
    """

    exercise: str = "cheek-lifter"
    reps: int = 3
    hold_s: float | None = None
    tempo_up_s: float | None = None
    tempo_down_s: float | None = None
    rest_s: float = 2.0
    lead_rest_s: float = 2.0
    fps: float = 30.0
    size: tuple[int, int] = (640, 480)
    amplitude: float = 1.0
    strengths: tuple[float, ...] | None = None
    noise: float = 0.0
    seed: int = 0
    distractors: tuple[str, ...] = ()
    faults: tuple[Fault, ...] = field(default=())
    weak_side: str = "left"
    asymmetry_ratio: float = 0.4
    head_yaw_deg: float = 0.0
    head_pitch_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.exercise not in EXERCISES:
            raise InputError(f"unknown exercise {self.exercise!r}: choose from {', '.join(EXERCISES)}")
        if not 0 <= self.reps <= 200:
            raise InputError(f"reps must be between 0 and 200, got {self.reps}")
        for name in ("hold_s", "tempo_up_s", "tempo_down_s"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and 0 <= value <= 120):
                raise InputError(f"{name} must be between 0 and 120 seconds, got {value}")
        if not (math.isfinite(self.rest_s) and 0 <= self.rest_s <= 120):
            raise InputError(f"rest_s must be between 0 and 120 seconds, got {self.rest_s}")
        if not (math.isfinite(self.lead_rest_s) and MIN_LEAD_REST_S <= self.lead_rest_s <= 120):
            raise InputError(
                f"lead_rest_s must be at least {MIN_LEAD_REST_S} s (calibration needs a still rest), "
                f"got {self.lead_rest_s}"
            )
        if not (math.isfinite(self.fps) and 1 <= self.fps <= 120):
            raise InputError(f"fps must be between 1 and 120, got {self.fps}")
        width, height = self.size
        if not (64 <= width <= MAX_SIDE and 64 <= height <= MAX_SIDE) or width % 2 or height % 2:
            raise InputError(f"size must have even sides between 64 and {MAX_SIDE}, got {width}x{height}")
        if not (math.isfinite(self.amplitude) and 0 <= self.amplitude <= 3):
            raise InputError(f"amplitude must be between 0 and 3, got {self.amplitude}")
        if self.strengths is not None and (
            not self.strengths or any(not (math.isfinite(s) and 0 <= s <= 1) for s in self.strengths)
        ):
            raise InputError(f"strengths must be values between 0 and 1, got {self.strengths}")
        if not (math.isfinite(self.noise) and 0 <= self.noise <= 1):
            raise InputError(f"noise must be between 0 and 1, got {self.noise}")
        if self.seed < 0:
            raise InputError(f"seed must be 0 or more, got {self.seed}")
        unknown = [d for d in self.distractors if d not in DISTRACTORS]
        if unknown:
            raise InputError(f"unknown distractor {unknown[0]!r}: choose from {', '.join(DISTRACTORS)}")
        if self.weak_side not in ("left", "right"):
            raise InputError(f"weak_side must be 'left' or 'right', got {self.weak_side!r}")
        if not (math.isfinite(self.asymmetry_ratio) and 0 <= self.asymmetry_ratio <= 1):
            raise InputError(f"asymmetry_ratio must be between 0 and 1, got {self.asymmetry_ratio}")
        for name in ("head_yaw_deg", "head_pitch_deg"):
            value = getattr(self, name)
            if not (math.isfinite(value) and abs(value) <= MAX_HEAD_DEG):
                raise InputError(
                    f"{name} must be between -{MAX_HEAD_DEG:g} and {MAX_HEAD_DEG:g} degrees, got {value}"
                )
        if self.duration_s > MAX_DURATION_S:
            raise InputError(
                f"the clip would last {self.duration_s:.0f} s; the limit is {MAX_DURATION_S:.0f} s"
            )

    @property
    def hold(self) -> float:
        return EXERCISE_TIMING[self.exercise][0] if self.hold_s is None else self.hold_s

    @property
    def tempo_up(self) -> float:
        return EXERCISE_TIMING[self.exercise][1] if self.tempo_up_s is None else self.tempo_up_s

    @property
    def tempo_down(self) -> float:
        return EXERCISE_TIMING[self.exercise][2] if self.tempo_down_s is None else self.tempo_down_s

    @property
    def rep_s(self) -> float:
        """Duration of one rep including the rest after it (jerky reps keep the same slot)."""
        return self.tempo_up + self.hold + self.tempo_down + self.rest_s

    @property
    def duration_s(self) -> float:
        return self.lead_rest_s + self.reps * self.rep_s + (self.rest_s if self.reps == 0 else 0.0)

    @property
    def frames(self) -> int:
        return max(1, round(self.duration_s * self.fps))

    def has_fault(self, kind: str) -> bool:
        return any(f.kind == kind for f in self.faults)

    def fault_kinds(self, rep_number: int) -> list[str]:
        """Faults shown in rep ``rep_number`` (1-based), twitch excluded (it happens at rest)."""
        return [f.kind for f in self.faults if f.kind != "twitch" and f.applies_to(rep_number)]

    def rep_strength(self, rep_index: int) -> float:
        """Strength of rep ``rep_index`` (0-based) before amplitude."""
        if self.strengths is None:
            return 1.0
        return self.strengths[rep_index % len(self.strengths)]

    def to_dict(self) -> dict[str, object]:
        """The parameters as JSON-ready values (resolved hold/tempo included)."""
        return {
            "exercise": self.exercise,
            "reps": self.reps,
            "hold_s": self.hold,
            "tempo_up_s": self.tempo_up,
            "tempo_down_s": self.tempo_down,
            "rest_s": self.rest_s,
            "lead_rest_s": self.lead_rest_s,
            "fps": self.fps,
            "size": list(self.size),
            "amplitude": self.amplitude,
            "strengths": None if self.strengths is None else list(self.strengths),
            "noise": self.noise,
            "seed": self.seed,
            "distractors": list(self.distractors),
            "faults": [f.to_dict() for f in self.faults],
            "weak_side": self.weak_side,
            "asymmetry_ratio": self.asymmetry_ratio,
            "head_yaw_deg": self.head_yaw_deg,
            "head_pitch_deg": self.head_pitch_deg,
        }
