"""When things happen in a synthetic clip: per-frame activation curves plus the events behind them.

The timeline is pure numpy and fixed by the spec (and its seed), so the truth file can be written before
a single pixel is rendered and tests can check timing without the renderer. Layout::

    lead rest (still) | rep 1: ramp up, hold, ramp down, rest | rep 2 ... | (trailing rest if no reps)

Channels are quantised here (activation to 1/64, angles to 0.25 deg, ...) so that the renderer's warp
cache hits and the per-frame truth is exactly what was drawn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facefit.synth.spec import ClipSpec

JERKY_RAMP_S = 0.1
TWITCH_S = 0.15
TWITCH_STRENGTH = 0.5
BLINK_S = 0.2
SWAY_YAW_DEG = 4.0
SWAY_ROLL_DEG = 2.5

QUANTUM: dict[str, float] = {
    "act_r": 1 / 64,
    "act_l": 1 / 64,
    "teeth": 1 / 16,
    "talk": 1 / 16,
    "blink": 1 / 8,
    "yaw_deg": 0.25,
    "roll_deg": 0.25,
    "pitch_deg": 0.25,
    "twitch_r": 1 / 8,
    "twitch_l": 1 / 8,
}
"""Channels that shape the face, with their quantisation step (the warp cache key)."""


@dataclass(frozen=True)
class RepTruth:
    """One repetition as generated (times in seconds from the clip start)."""

    index: int
    start_s: float
    peak_s: float
    hold_start_s: float
    hold_end_s: float
    end_s: float
    strength: float
    side_strength: dict[str, float]
    faults: list[str]

    def to_dict(self) -> dict[str, object]:
        return {
            "index": self.index,
            "start_s": self.start_s,
            "peak_s": self.peak_s,
            "hold_start_s": self.hold_start_s,
            "hold_end_s": self.hold_end_s,
            "end_s": self.end_s,
            "strength": self.strength,
            "side_strength": dict(self.side_strength),
            "faults": list(self.faults),
        }


@dataclass
class Timeline:
    """Per-frame channels (each (frames,) float64, quantised) and the events that produced them."""

    t_s: np.ndarray
    channels: dict[str, np.ndarray]
    strength: np.ndarray
    reps: list[RepTruth] = field(default_factory=list)
    distractors: list[dict[str, object]] = field(default_factory=list)
    twitches: list[dict[str, object]] = field(default_factory=list)
    rests: list[tuple[float, float]] = field(default_factory=list)
    jitter_px: np.ndarray | None = None


def _ramp(x: np.ndarray) -> np.ndarray:
    """Smooth 0 -> 1 (cosine ease) for x in [0, 1]; clipped outside."""
    x = np.clip(x, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def _rep_profile(t: np.ndarray, start: float, up: float, hold: float, down: float) -> np.ndarray:
    """0 before ``start``, ramps to 1 over ``up``, holds, ramps back to 0 over ``down``."""
    rise = _ramp((t - start) / up) if up > 1e-6 else (t >= start).astype(float)
    fall_start = start + up + hold
    fall = 1.0 - (_ramp((t - fall_start) / down) if down > 1e-6 else (t >= fall_start).astype(float))
    return np.where(t < fall_start, rise, fall) * (t >= start)


def _quantise(values: np.ndarray, step: float) -> np.ndarray:
    return np.round(values / step) * step


def build_timeline(spec: ClipSpec) -> Timeline:
    """The clip's channels and truth events for ``spec`` (deterministic given ``spec.seed``)."""
    rng = np.random.default_rng(spec.seed)
    n = spec.frames
    t = np.arange(n) / spec.fps
    duration = n / spec.fps
    zeros = np.zeros(n)
    channels = {name: zeros.copy() for name in QUANTUM}
    strength = zeros.copy()
    reps: list[RepTruth] = []
    rests: list[tuple[float, float]] = []
    active = spec.exercise != "none"

    for k in range(spec.reps):
        number = k + 1
        slot = spec.lead_rest_s + k * spec.rep_s
        faults = spec.fault_kinds(number) if active else []
        up = spec.tempo_up
        start = slot
        if "jerky" in faults:
            up = min(JERKY_RAMP_S, spec.tempo_up)
            start = slot + spec.tempo_up - up
        hold_start = start + up
        hold_end = hold_start + spec.hold
        end = hold_end + spec.tempo_down
        rests.append((end, slot + spec.rep_s))
        if not active:
            continue
        peak = spec.rep_strength(k) * spec.amplitude
        sides = {"left": peak, "right": peak}
        if "asymmetry" in faults:
            sides[spec.weak_side] = peak * spec.asymmetry_ratio
        profile = _rep_profile(t, start, up, spec.hold, spec.tempo_down)
        strength = np.maximum(strength, profile * peak)
        channels["act_r"] = np.maximum(channels["act_r"], profile * sides["right"])
        channels["act_l"] = np.maximum(channels["act_l"], profile * sides["left"])
        if "teeth" in faults:
            channels["teeth"] = np.maximum(channels["teeth"], profile * min(1.0, peak))
        reps.append(
            RepTruth(
                index=number,
                start_s=round(start, 6),
                peak_s=round(hold_start, 6),
                hold_start_s=round(hold_start, 6),
                hold_end_s=round(hold_end, 6),
                end_s=round(end, 6),
                strength=round(peak, 6),
                side_strength={s: round(v, 6) for s, v in sides.items()},
                faults=faults,
            )
        )
    if spec.reps == 0 or not active:
        rests = [(spec.lead_rest_s, duration)]

    distractors: list[dict[str, object]] = []
    if "talk" in spec.distractors:
        # With twitches requested, speech leaves the first second of each rest quiet for them.
        lead_in = 1.2 if spec.has_fault("twitch") else 0.2
        distractors += _add_talk(rng, t, channels["talk"], rests, lead_in)
    if "blink" in spec.distractors:
        distractors += _add_blinks(rng, t, channels["blink"], spec.lead_rest_s, duration)
    if "sway" in spec.distractors:
        distractors.append(_add_sway(rng, t, channels, spec.lead_rest_s, duration))
    talk = [(float(d["start_s"]), float(d["end_s"])) for d in distractors if d["kind"] == "talk"]
    quiet = _subtract(rests, talk, margin=0.2)
    twitches = _add_twitches(rng, t, channels, quiet, spec.amplitude) if spec.has_fault("twitch") else []

    channels["yaw_deg"] += spec.head_yaw_deg  # the rest pose relative to the camera
    channels["pitch_deg"] += spec.head_pitch_deg
    for name, step in QUANTUM.items():
        channels[name] = _quantise(channels[name], step)
    strength = np.round(strength, 6)
    jitter = rng.normal(0.0, 0.6 * spec.noise, size=(n, 2)) if spec.noise > 0 else None
    return Timeline(
        t_s=t,
        channels=channels,
        strength=strength,
        reps=reps,
        distractors=sorted(distractors, key=lambda d: float(d["start_s"])),  # type: ignore[arg-type]
        twitches=twitches,
        rests=rests,
        jitter_px=jitter,
    )


def _add_talk(
    rng: np.random.Generator,
    t: np.ndarray,
    talk: np.ndarray,
    rests: list[tuple[float, float]],
    lead_in: float,
) -> list[dict[str, object]]:
    """Speech-rate jaw movement (syllables of 0.18-0.28 s) in every rest, from ``lead_in`` s into it."""
    intervals = []
    for rest_start, rest_end in rests:
        if rest_end - rest_start < lead_in + 0.6:
            continue
        cursor = rest_start + lead_in
        limit = rest_end - 0.2
        while cursor < limit - 0.5:
            length = min(float(rng.uniform(1.0, 2.5)), limit - cursor)
            seg_end = cursor + length
            syllable_start = cursor
            while syllable_start < seg_end - 0.12:
                syllable = min(float(rng.uniform(0.18, 0.28)), seg_end - syllable_start)
                peak = float(rng.uniform(0.4, 1.0))
                x = (t - syllable_start) / syllable
                inside = (x >= 0) & (x <= 1)
                talk[inside] = np.maximum(talk[inside], peak * np.sin(np.pi * x[inside]))
                syllable_start += syllable
            intervals.append({"kind": "talk", "start_s": round(cursor, 6), "end_s": round(seg_end, 6)})
            cursor = seg_end + float(rng.uniform(0.5, 1.5))
    return intervals


def _add_blinks(
    rng: np.random.Generator, t: np.ndarray, blink: np.ndarray, start: float, end: float
) -> list[dict[str, object]]:
    """Blinks every 2-5 s after the lead rest: close in 35% of 0.2 s, open in the rest."""
    intervals = []
    cursor = start + float(rng.uniform(0.3, 2.0))
    while cursor + BLINK_S < end:
        x = (t - cursor) / BLINK_S
        closing = np.clip(x / 0.35, 0, 1)
        opening = np.clip((1 - x) / 0.65, 0, 1)
        profile = np.where((x >= 0) & (x <= 1), np.minimum(closing, opening), 0.0)
        np.maximum(blink, profile, out=blink)
        intervals.append({"kind": "blink", "start_s": round(cursor, 6), "end_s": round(cursor + BLINK_S, 6)})
        cursor += BLINK_S + float(rng.uniform(2.0, 5.0))
    return intervals


def _add_sway(
    rng: np.random.Generator, t: np.ndarray, channels: dict[str, np.ndarray], start: float, end: float
) -> dict[str, object]:
    """Slow head drift after the lead rest: two sinusoids each for yaw and roll, faded in over 1 s."""
    fade = _ramp(t - start)
    phases = rng.uniform(0, 2 * np.pi, size=4)
    yaw = 0.6 * np.sin(2 * np.pi * 0.13 * t + phases[0]) + 0.4 * np.sin(2 * np.pi * 0.29 * t + phases[1])
    roll = 0.6 * np.sin(2 * np.pi * 0.11 * t + phases[2]) + 0.4 * np.sin(2 * np.pi * 0.23 * t + phases[3])
    channels["yaw_deg"] += SWAY_YAW_DEG * fade * yaw
    channels["roll_deg"] += SWAY_ROLL_DEG * fade * roll
    return {
        "kind": "sway",
        "start_s": round(start, 6),
        "end_s": round(end, 6),
        "max_yaw_deg": SWAY_YAW_DEG,
        "max_roll_deg": SWAY_ROLL_DEG,
    }


def _subtract(
    intervals: list[tuple[float, float]], holes: list[tuple[float, float]], margin: float
) -> list[tuple[float, float]]:
    """``intervals`` minus ``holes`` widened by ``margin`` (twitches must not hide inside speech)."""
    result = list(intervals)
    for hole_start, hole_end in holes:
        cut_start, cut_end = hole_start - margin, hole_end + margin
        pieces = []
        for start, end in result:
            if cut_end <= start or cut_start >= end:
                pieces.append((start, end))
                continue
            if cut_start > start:
                pieces.append((start, cut_start))
            if cut_end < end:
                pieces.append((cut_end, end))
        result = pieces
    return result


def _add_twitches(
    rng: np.random.Generator,
    t: np.ndarray,
    channels: dict[str, np.ndarray],
    rests: list[tuple[float, float]],
    amplitude: float,
) -> list[dict[str, object]]:
    """Brief one-sided mouth-corner twitches: one in each quiet rest of at least 0.45 s, more in long ones.

    ``rests`` are the quiet parts of the rests (speech excluded), so a twitch is the only movement.
    """
    twitches = []
    for rest_start, rest_end in rests:
        cursor = rest_start + 0.1
        while rest_end - cursor >= 0.45:
            at = float(rng.uniform(cursor, min(cursor + 2.5, rest_end - 0.3)))
            side = "right" if rng.random() < 0.5 else "left"
            strength = TWITCH_STRENGTH * max(amplitude, 0.5)
            x = (t - at) / TWITCH_S
            profile = np.where((x >= 0) & (x <= 1), np.minimum(x / 0.3, (1 - x) / 0.7).clip(0, 1), 0.0)
            key = "twitch_r" if side == "right" else "twitch_l"
            np.maximum(channels[key], strength * profile, out=channels[key])
            twitches.append(
                {
                    "t_s": round(at, 6),
                    "side": side,
                    "duration_s": TWITCH_S,
                    "strength": round(strength, 6),
                    "region": "mouth-corner",
                }
            )
            cursor = at + TWITCH_S + 1.5
    return twitches
