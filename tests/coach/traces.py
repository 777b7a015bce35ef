"""Hand-made signal traces with known reps, for engine tests (cosine-eased ramps like a controlled move)."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries

K = len(SIGNAL_NAMES)


def ease(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def rep_curve(t: np.ndarray, start: float, up: float, hold: float, down: float) -> np.ndarray:
    rise = ease((t - start) / up) if up > 0 else (t >= start).astype(float)
    fall_at = start + up + hold
    fall = 1.0 - ease((t - fall_at) / down)
    return np.where(t < fall_at, rise, fall) * (t >= start)


@dataclass
class Trace:
    """A series being built: ``t`` seconds, ``values`` (N, K) starting at a plausible rest."""

    duration_s: float
    fps: float = 30.0
    noise: float = 0.001
    seed: int = 0
    reps: list[tuple[float, float]] = field(default_factory=list)  # (start, hold) of each rep

    def __post_init__(self) -> None:
        self.t = np.arange(0, self.duration_s, 1 / self.fps)
        rng = np.random.default_rng(self.seed)
        rest = rng.uniform(0.1, 0.5, K)
        rest[SIGNAL_INDEX["head_pitch"]] = 2.0
        rest[SIGNAL_INDEX["head_yaw"]] = 0.0
        rest[SIGNAL_INDEX["face_present"]] = 1.0
        self.values = np.tile(rest, (len(self.t), 1))
        self.values += rng.normal(0.0, self.noise, self.values.shape)
        self.values[:, SIGNAL_INDEX["face_present"]] = 1.0

    def add(self, signal: str, curve: np.ndarray, amount: float) -> Trace:
        self.values[:, SIGNAL_INDEX[signal]] += amount * curve
        return self

    def reps_of(self, signals: dict[str, float], *, n: int, first: float = 2.0, up: float = 1.0,
                hold: float = 2.0, down: float = 1.0, gap: float = 1.5,
                scale: list[float] | None = None) -> Trace:
        """``n`` reps moving each signal by its amount (times an optional per-rep scale)."""
        start = first
        for k in range(n):
            curve = rep_curve(self.t, start, up, hold, down) * (1.0 if scale is None else scale[k])
            for name, amount in signals.items():
                self.add(name, curve, amount)
            self.reps.append((start, hold))
            start += up + hold + down + gap
        return self

    def series(self) -> SignalSeries:
        return SignalSeries(t_ms=np.round(self.t * 1000.0), values=self.values.copy())


SMILE = {"mouth_corner_lift_r": 0.07, "mouth_corner_lift_l": 0.07, "mouth_width": 0.08}


def shallow_smile(lift: float, *, width: float, score: float = 0.0, fps: float = 15.0) -> SignalSeries:
    """One smile on a zero rest: 1.5 s of rest, a 0.6 s rise to 1.25x ``lift``, a 2.5 s hold at ``lift`` with
    the mouth ``width`` wider and the landmarker's smile score at ``score`` (following the lift), 0.6 s down,
    2 s of rest. For the engine's witnesses of a rep held under ``enter`` (test_witness.py,
    test_shallow_witness.py)."""
    t = np.arange(0.0, 7.2, 1.0 / fps)
    shape = np.interp(t, [0, 1.5, 2.1, 2.4, 4.6, 5.2, 7.2], [0, 0, 1.25, 1.0, 1.0, 0, 0])
    values = np.zeros((len(t), K))
    values[:, SIGNAL_INDEX["face_present"]] = 1.0
    for name in ("mouth_corner_lift_r", "mouth_corner_lift_l"):
        values[:, SIGNAL_INDEX[name]] = lift * shape
    values[:, SIGNAL_INDEX["mouth_width"]] = width * np.minimum(shape, 1.0)
    for name in ("bs_mouthSmileLeft", "bs_mouthSmileRight"):
        values[:, SIGNAL_INDEX[name]] = score * shape
    return SignalSeries(t * 1000.0, values)


def blip(t: np.ndarray, at: float, width: float = 0.15) -> np.ndarray:
    """A brief involuntary movement from ``at``: 0 -> 1 in 30% of ``width``, back to 0 by its end."""
    x = (t - at) / width
    return np.where((x >= 0) & (x <= 1), np.minimum(x / 0.3, (1 - x) / 0.7).clip(0, 1), 0.0)
