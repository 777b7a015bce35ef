"""One Euro filter (Casiez, Roussel, Vogel, CHI 2012), vectorised over the K signals of a frame.

Landmarks jitter frame to frame; a fixed low-pass filter either leaves jitter when still or lags when
moving. The One Euro filter adapts its cutoff to the signal's speed: heavy smoothing at rest, little
lag during an exercise. The caller supplies the clock (timestamps in seconds, strictly increasing), so
the filter behaves the same on a live camera, a variable-frame-rate video and a test.

NaN input (face lost) gives NaN output and forgets that column's state, so a face that comes back is
not smoothed against where it was seconds ago.
"""

from __future__ import annotations

import math

import numpy as np

from facefit.signals.names import SignalSeries


def smoothing_factor(t_e: float | np.ndarray, cutoff: float | np.ndarray) -> np.ndarray:
    """Exponential smoothing factor alpha for an elapsed time ``t_e`` (s) and a cutoff (Hz)."""
    r = 2.0 * math.pi * np.asarray(cutoff, dtype=np.float64) * t_e
    return r / (r + 1.0)


class OneEuroFilter:
    """Adaptive low-pass filter over a vector of ``size`` signals.

    Args:
        size: number of signals filtered together (e.g. ``len(SIGNAL_NAMES)``).
        min_cutoff: cutoff frequency (Hz) at rest; lower = smoother but more lag. Must be > 0. A float,
            or one value per signal (signals in different units need different settings).
        beta: how fast the cutoff rises with speed; higher = less lag when moving. Must be >= 0. A float
            or one value per signal: it multiplies a speed, so it scales with 1 / the signal's unit.
        d_cutoff: cutoff (Hz) for the speed estimate. Must be > 0.
    """

    def __init__(
        self,
        size: int,
        *,
        min_cutoff: float | np.ndarray = 1.0,
        beta: float | np.ndarray = 0.0,
        d_cutoff: float = 1.0,
    ) -> None:
        if size < 1:
            raise ValueError(f"size must be >= 1, got {size}")
        self.min_cutoff = _per_signal("min_cutoff", min_cutoff, size)
        self.beta = _per_signal("beta", beta, size)
        if not (np.isfinite(self.min_cutoff).all() and (self.min_cutoff > 0).all()):
            raise ValueError(f"min_cutoff must be > 0, got {min_cutoff}")
        if not (np.isfinite(self.beta).all() and (self.beta >= 0).all()):
            raise ValueError(f"beta must be >= 0, got {beta}")
        if not (math.isfinite(d_cutoff) and d_cutoff > 0):
            raise ValueError(f"d_cutoff must be > 0, got {d_cutoff}")
        self.size = size
        self.d_cutoff = d_cutoff
        self.reset()

    def reset(self) -> None:
        """Forget all state: the next sample passes through unchanged."""
        self._x = np.full(self.size, np.nan)
        self._dx = np.zeros(self.size)
        self._t: float | None = None

    def __call__(self, x: np.ndarray, t_s: float) -> np.ndarray:
        """Filter one sample ``x`` (size,) taken at ``t_s`` seconds; returns the filtered (size,) copy."""
        value = np.asarray(x, dtype=np.float64)
        if value.shape != (self.size,):
            raise ValueError(f"x: expected ({self.size},), got {value.shape}")
        if not math.isfinite(t_s):
            raise ValueError(f"t_s must be finite, got {t_s}")
        if self._t is not None and t_s <= self._t:
            raise ValueError(f"timestamps must increase: {t_s} after {self._t}")
        missing = ~np.isfinite(value)
        fresh = ~np.isfinite(self._x) & ~missing
        if self._t is None:
            out = value.copy()
        else:
            t_e = t_s - self._t
            dx = (value - self._x) / t_e
            a_d = smoothing_factor(t_e, self.d_cutoff)
            dx_hat = a_d * dx + (1 - a_d) * self._dx
            cutoff = self.min_cutoff + self.beta * np.abs(dx_hat)
            alpha = smoothing_factor(t_e, cutoff)
            out = alpha * value + (1 - alpha) * self._x
            self._dx = np.where(fresh | missing, 0.0, dx_hat)
            out = np.where(fresh, value, out)
        out[missing] = np.nan
        self._x = out.copy()
        self._t = t_s
        return out


def _per_signal(name: str, value: float | np.ndarray, size: int) -> np.ndarray:
    array = np.asarray(value, dtype=np.float64)
    if array.ndim == 0:
        return np.full(size, float(array))
    if array.shape != (size,):
        raise ValueError(f"{name}: expected a number or ({size},) values, got shape {array.shape}")
    return array.copy()


# Settings for live signal vectors, per unit. Tuned on a noisy (noise 0.6) 30 fps synth cheek-lifter
# clip: geometry at min_cutoff 0.5 Hz, beta 20 cut frame-to-frame jitter at rest to 0.11x with 1 frame
# of lag on the reps (beta 0: 0.06x but 8 frames of lag); with these betas head_pitch jitter fell to
# 0.15x (0 frames lag) and mouthSmile to 0.07x (1 frame). Beta multiplies a speed, so it scales with
# 1 / the unit: angles (jitter and moves ~60-80x larger in degrees than geometry in IPD) and
# blendshape scores get smaller betas.
LIVE_MIN_CUTOFF = 0.5
LIVE_BETA_BY_UNIT = {"ipd": 20.0, "degrees": 0.25, "score": 1.5}


def live_filter(**overrides: float) -> OneEuroFilter:
    """A One Euro filter over the full signal vector with per-unit settings for live coaching.

    ``overrides`` (``min_cutoff``, ``beta``, ``d_cutoff``) replace the tuned values for every signal.
    """
    from facefit.signals.names import SIGNAL_NAMES

    betas = []
    for name in SIGNAL_NAMES:
        if name.startswith("head_"):
            betas.append(LIVE_BETA_BY_UNIT["degrees"])
        elif name.startswith("bs_") or name == "face_present":
            betas.append(LIVE_BETA_BY_UNIT["score"])
        else:
            betas.append(LIVE_BETA_BY_UNIT["ipd"])
    params: dict[str, float | np.ndarray] = {"min_cutoff": LIVE_MIN_CUTOFF, "beta": np.array(betas)}
    params.update(overrides)
    return OneEuroFilter(len(SIGNAL_NAMES), **params)  # type: ignore[arg-type]


def filter_series(series: SignalSeries, **params: float) -> SignalSeries:
    """A One Euro filtered copy of a whole series (what a live stream would have seen, frame by frame).

    ``face_present`` is not filtered. ``params`` are :class:`OneEuroFilter`'s keyword arguments.
    """
    from facefit.signals.names import SIGNAL_INDEX

    flt = OneEuroFilter(series.values.shape[1], **params)
    out = np.empty_like(series.values)
    for i, (t, row) in enumerate(zip(series.t_ms, series.values, strict=True)):
        out[i] = flt(row, float(t) / 1000.0)
    present = SIGNAL_INDEX["face_present"]
    out[:, present] = series.values[:, present]
    return SignalSeries(t_ms=series.t_ms.copy(), values=out)
