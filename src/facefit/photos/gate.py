"""The photo protocol gate: is this photo comparable with the user's baseline?

Light, angle, distance and expression change a face photo more than months of exercise do, so a
progress photo is accepted only if every check passes. Each check says what it measured, the limit,
and what to do about it ("turn your head 4 deg to your right"). Limits follow clinical photography
practice and ISO/IEC 19794-5 / 29794-5 (docs/design.md, "Perception facts the code relies on"):

- pose within +/-5 deg yaw and pitch and +/-8 deg roll *of the baseline photo*; the baseline itself
  within +/-10 deg of frontal (the model reads a frontal face at a few degrees of pitch);
- distance (apparent IPD over image width) within +/-5% of the baseline;
- face luminance in range and the two halves of the face evenly lit; sharp; eyes open; enough pixels;
- neutral expression: close to the baseline's (the user's rest face) and no broad smile or open jaw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from facefit.photos.measure import PhotoMeasurement

YAW_LIMIT_DEG = 5.0
PITCH_LIMIT_DEG = 5.0
ROLL_LIMIT_DEG = 8.0
BASELINE_POSE_LIMIT_DEG = 10.0
DISTANCE_TOLERANCE = 0.05
FIRST_PHOTO_SCALE_RANGE = (0.08, 0.45)  # IPD / image width with no baseline: face neither tiny nor cropped
LUMINANCE_RANGE = (60.0, 210.0)
BALANCE_MIN = 0.80
SHARPNESS_MIN = 15.0
SHARPNESS_MIN_OF_BASELINE = 0.30
MIN_IPD_PX = 60.0  # ISO/IEC 19794-5 token images ask for >= 60 px between eye centres
MIN_IPD_OF_BASELINE = 0.80  # and not much coarser than the baseline the error was measured on
EYE_APERTURE_MIN = 0.05
EYE_APERTURE_MIN_OF_BASELINE = 0.60
BLINK_MAX = 0.60

# Expression: how far each feature may move from the baseline before the face is "not neutral".
EXPRESSION_TOLERANCE: dict[str, float] = {
    "mouth_width": 0.07,  # relative change
    "mouth_opening": 0.05,  # IPD, increase only
    "corner_lift": 0.035,  # IPD, increase only (smile)
    "brow_height": 0.06,  # IPD, either way
}
EXPRESSION_ABSOLUTE_MAX: dict[str, float] = {"smile": 0.45, "jaw_open": 0.35, "brow_raise": 0.55}
# Against the calibrated rest (`facefit calibrate`): signal -> (tolerance in IPD, one-sided increase only).
REST_TOLERANCE: dict[str, tuple[float, bool]] = {
    "mouth_corner_lift_r": (0.035, True),
    "mouth_corner_lift_l": (0.035, True),
    "mouth_opening": (0.05, True),
    "mouth_width": (0.06, False),
    "brow_height_r": (0.06, False),
    "brow_height_l": (0.06, False),
}
REST_SPREAD_FACTOR = 3.0  # a video calibration's jitter widens the tolerance to 3 robust SDs
EXPRESSION_WORDS: dict[str, str] = {
    "mouth_width": "mouth {dir} than at rest ({pct:.0f}%)",
    "mouth_opening": "lips apart ({v:.2f} IPD more than at rest)",
    "corner_lift": "mouth corners raised (smile)",
    "brow_height": "brows {dir} than at rest",
    "smile": "smiling (score {v:.2f})",
    "jaw_open": "jaw open (score {v:.2f})",
    "brow_raise": "brows raised (score {v:.2f})",
}


@dataclass(frozen=True)
class Check:
    """One protocol check: what was measured, against which limit, and how to fix a failure."""

    name: str
    passed: bool
    value: float | int | None
    limit: float | int | list[float] | None
    advice: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "value": self.value,
            "limit": self.limit,
            "advice": self.advice,
        }


@dataclass(frozen=True)
class Reference:
    """The numbers of the user's baseline photo that later photos are compared with."""

    pose: dict[str, float]
    scale: float
    sharpness: float
    expression: dict[str, float]
    photo_id: int | None = None
    ipd_px: float = 0.0

    @classmethod
    def from_summary(cls, summary: Mapping[str, Any], photo_id: int | None = None) -> Reference:
        """Rebuild from :meth:`PhotoMeasurement.summary` as stored with the baseline photo."""
        return cls(
            pose={k: float(v) for k, v in summary["pose"].items() if v is not None},
            scale=float(summary["scale"]),
            sharpness=float(summary.get("sharpness") or 0.0),
            expression={k: float(v) for k, v in summary.get("expression", {}).items() if v is not None},
            photo_id=photo_id,
            ipd_px=float(summary.get("ipd_px") or 0.0),
        )

    @classmethod
    def from_measurement(cls, measurement: PhotoMeasurement, photo_id: int | None = None) -> Reference:
        return cls.from_summary(measurement.summary(), photo_id)


@dataclass(frozen=True)
class Rest:
    """The user's calibrated neutral rest: signal values and their jitter (NaN for a photo calibration)."""

    values: dict[str, float]
    spread: dict[str, float]

    @classmethod
    def from_calibration(cls, calibration: Any) -> Rest:
        """From a :class:`facefit.signals.calibration.Calibration`."""
        from facefit.signals.names import SIGNAL_INDEX

        return cls(
            values={name: float(calibration.rest[SIGNAL_INDEX[name]]) for name in REST_TOLERANCE},
            spread={name: float(calibration.spread[SIGNAL_INDEX[name]]) for name in REST_TOLERANCE},
        )

    def tolerance(self, name: str) -> float:
        base, _ = REST_TOLERANCE[name]
        spread = self.spread.get(name, float("nan"))
        return max(base, REST_SPREAD_FACTOR * spread) if spread == spread else base


@dataclass(frozen=True)
class GateResult:
    """The verdict on one photo: accepted only if every check passed."""

    checks: tuple[Check, ...]
    measurement: PhotoMeasurement
    baseline_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def accepted(self) -> bool:
        return all(check.passed for check in self.checks)

    @property
    def failed(self) -> list[Check]:
        return [check for check in self.checks if not check.passed]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``facefit photo check --json``."""
        metrics = self.measurement.summary()
        if not self.accepted and self.measurement.present:  # lines are measured on comparable photos only
            from facefit.photos.lines import LINE_METRIC_NAMES, rejected

            failed = [c.name for c in self.failed]
            metrics["lines"] = rejected(self.measurement.lines, failed).to_dict()
            metrics["face"] = {k: v for k, v in metrics["face"].items() if k not in LINE_METRIC_NAMES}
        metrics["baseline_photo_id"] = self.baseline_id
        metrics.update(self.extra)
        return {"accepted": self.accepted, "checks": [c.to_dict() for c in self.checks], "metrics": metrics}


def _round(value: float, digits: int = 3) -> float:
    return round(float(value), digits)


def _pose_checks(m: PhotoMeasurement, ref: Reference | None) -> list[Check]:
    base = ref.pose if ref is not None else {"pitch": 0.0, "yaw": 0.0, "roll": 0.0}
    limits = (
        {"yaw": YAW_LIMIT_DEG, "pitch": PITCH_LIMIT_DEG, "roll": ROLL_LIMIT_DEG}
        if ref is not None
        else dict.fromkeys(("yaw", "pitch", "roll"), BASELINE_POSE_LIMIT_DEG)
    )
    against = "your baseline photo" if ref is not None else "facing the camera (first photo = baseline)"
    checks = []
    for name in ("yaw", "pitch", "roll"):
        delta = m.pose[name] - base.get(name, 0.0)
        limit = limits[name]
        ok = abs(delta) <= limit
        if ok:
            advice = "ok"
        elif name == "yaw":
            side = "right" if delta > 0 else "left"
            advice = f"turn your head {abs(delta):.0f} deg to your {side} (compared with {against})"
        elif name == "pitch":
            move = "lower your chin" if delta > 0 else "raise your chin"
            advice = f"{move} by {abs(delta):.0f} deg (compared with {against})"
        else:
            shoulder = "left" if delta > 0 else "right"
            advice = f"straighten your head: tilt it {abs(delta):.0f} deg toward your {shoulder} shoulder"
        checks.append(Check(name, ok, _round(delta, 2), limit, advice))
    return checks


def _distance_check(m: PhotoMeasurement, ref: Reference | None) -> Check:
    if ref is None:
        low, high = FIRST_PHOTO_SCALE_RANGE
        ok = low <= m.scale <= high
        advice = (
            "ok"
            if ok
            else (
                "move closer: your face is too small in the frame"
                if m.scale < low
                else "move back: your face is too large in the frame"
            )
        )
        return Check("distance", ok, _round(m.scale, 4), [low, high], advice)
    ratio = m.scale / ref.scale - 1.0
    ok = abs(ratio) <= DISTANCE_TOLERANCE
    if ok:
        advice = "ok"
    elif ratio < 0:
        advice = f"move closer: your face is {abs(ratio) * 100:.0f}% smaller than in your baseline"
    else:
        advice = f"move back: your face is {ratio * 100:.0f}% larger than in your baseline"
    return Check("distance", ok, _round(ratio, 4), DISTANCE_TOLERANCE, advice)


def _light_checks(m: PhotoMeasurement) -> list[Check]:
    low, high = LUMINANCE_RANGE
    ok = low <= m.luminance <= high
    advice = (
        "ok"
        if ok
        else (
            f"too dark (face brightness {m.luminance:.0f}/255): face a window or add soft light"
            if m.luminance < low
            else f"too bright (face brightness {m.luminance:.0f}/255): move away from direct light"
        )
    )
    luminance = Check("luminance", ok, _round(m.luminance, 1), [low, high], advice)
    ok = m.balance >= BALANCE_MIN
    advice = (
        "ok"
        if ok
        else (
            f"light is uneven: your {m.darker_side} side is {(1 - m.balance) * 100:.0f}% darker; "
            "face the light source squarely"
        )
    )
    return [luminance, Check("balance", ok, _round(m.balance, 3), BALANCE_MIN, advice)]


def _sharpness_check(m: PhotoMeasurement, ref: Reference | None) -> Check:
    limit = SHARPNESS_MIN
    if ref is not None and ref.sharpness > 0:
        limit = max(limit, SHARPNESS_MIN_OF_BASELINE * ref.sharpness)
    ok = m.sharpness >= limit
    advice = "ok" if ok else "blurred: hold the camera still, clean the lens, and let it focus on your face"
    return Check("sharpness", ok, _round(m.sharpness, 1), _round(limit, 1), advice)


def _resolution_check(m: PhotoMeasurement, ref: Reference | None) -> Check:
    """Enough pixels on the face: >= 60 px between pupils, and >= 80% of the baseline's (the measured
    error, MDC95, holds at the baseline's resolution; a coarser photo measures worse)."""
    limit = MIN_IPD_PX
    if ref is not None and ref.ipd_px > 0:
        limit = max(limit, MIN_IPD_OF_BASELINE * ref.ipd_px)
    ok = m.ipd_px >= limit
    if ok:
        advice = "ok"
    elif m.ipd_px >= MIN_IPD_PX:
        advice = (
            f"fewer pixels on the face than in your baseline ({m.ipd_px:.0f} vs {ref.ipd_px:.0f} px between "  # type: ignore[union-attr]
            "pupils): use the same camera and resolution as your baseline"
        )
    else:
        advice = (
            f"too few pixels on the face ({m.ipd_px:.0f} px between pupils): "
            "use a higher resolution or move closer"
        )
    return Check("resolution", ok, _round(m.ipd_px, 1), _round(limit, 1), advice)


def _eyes_check(m: PhotoMeasurement, ref: Reference | None) -> Check:
    aperture = min(m.metrics["eye_aperture_r"], m.metrics["eye_aperture_l"])
    limit = EYE_APERTURE_MIN
    if ref is not None and "eye_aperture" in ref.expression:
        limit = max(limit, EYE_APERTURE_MIN_OF_BASELINE * ref.expression["eye_aperture"])
    blink = m.expression.get("blink", 0.0)
    ok = aperture >= limit and blink <= BLINK_MAX
    advice = "ok" if ok else "eyes (nearly) closed: open your eyes and look into the lens"
    return Check("eyes_open", ok, _round(aperture, 4), _round(limit, 4), advice)


def _rest_scores(m: PhotoMeasurement, rest: Rest) -> dict[str, tuple[float, str]]:
    scores: dict[str, tuple[float, str]] = {}
    for name, (_, one_sided) in REST_TOLERANCE.items():
        if name not in m.signals or name not in rest.values:
            continue
        delta = m.signals[name] - rest.values[name]
        size = max(delta, 0.0) if one_sided else abs(delta)
        words = f"{name.replace('_', ' ')} {delta:+.3f} IPD from your calibrated rest"
        scores[f"rest:{name}"] = (size / rest.tolerance(name), words)
    return scores


def _expression_check(m: PhotoMeasurement, ref: Reference | None, rest: Rest | None = None) -> Check:
    """Worst deviation from neutral, as a multiple of its tolerance (limit 1.0)."""
    scores: dict[str, tuple[float, str]] = _rest_scores(m, rest) if rest is not None else {}
    e = m.expression
    if ref is not None and ref.expression:
        base = ref.expression
        rel_width = e["mouth_width"] / base["mouth_width"] - 1.0
        scores["mouth_width"] = (
            abs(rel_width) / EXPRESSION_TOLERANCE["mouth_width"],
            EXPRESSION_WORDS["mouth_width"].format(
                dir="wider" if rel_width > 0 else "narrower", pct=abs(rel_width) * 100
            ),
        )
        opening = e["mouth_opening"] - base["mouth_opening"]
        scores["mouth_opening"] = (
            max(opening, 0.0) / EXPRESSION_TOLERANCE["mouth_opening"],
            EXPRESSION_WORDS["mouth_opening"].format(v=opening),
        )
        lift = e["corner_lift"] - base["corner_lift"]
        scores["corner_lift"] = (
            max(lift, 0.0) / EXPRESSION_TOLERANCE["corner_lift"],
            EXPRESSION_WORDS["corner_lift"],
        )
        brow = e["brow_height"] - base["brow_height"]
        scores["brow_height"] = (
            abs(brow) / EXPRESSION_TOLERANCE["brow_height"],
            EXPRESSION_WORDS["brow_height"].format(dir="higher" if brow > 0 else "lower"),
        )
    for name, limit in EXPRESSION_ABSOLUTE_MAX.items():
        floor = max(limit, ref.expression.get(name, 0.0) + 0.2) if ref is not None else limit
        scores[name] = (e[name] / floor, EXPRESSION_WORDS[name].format(v=e[name]))
    worst = max(score for score, _ in scores.values())
    ok = worst <= 1.0
    if ok:
        advice = "ok"
    else:
        reasons = [words for score, words in sorted(scores.values(), reverse=True) if score > 1.0]
        advice = "relax into your neutral rest face: " + "; ".join(reasons)
    return Check("expression", ok, _round(worst, 3), 1.0, advice)


def evaluate(
    measurement: PhotoMeasurement, reference: Reference | None = None, rest: Rest | None = None
) -> GateResult:
    """Run every check on a measured photo. With no ``reference`` the photo is judged as a baseline;
    with a calibrated ``rest`` the expression is also compared with it."""
    m = measurement
    one_face = Check(
        "one_face",
        m.faces_found == 1,
        m.faces_found,
        1,
        "ok"
        if m.faces_found == 1
        else (
            "no face found: face the camera in good light, whole face in the frame"
            if m.faces_found == 0
            else f"{m.faces_found} faces found: only you should be in the photo"
        ),
    )
    if not m.present:
        return GateResult((one_face,), m, reference.photo_id if reference else None)
    checks = [
        one_face,
        *_pose_checks(m, reference),
        _distance_check(m, reference),
        _resolution_check(m, reference),
        *_light_checks(m),
        _sharpness_check(m, reference),
        _eyes_check(m, reference),
        _expression_check(m, reference, rest),
    ]
    return GateResult(tuple(checks), m, reference.photo_id if reference else None)
