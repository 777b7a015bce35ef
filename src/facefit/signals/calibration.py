"""Neutral-rest calibration: each user's own zero, so exercises are measured as change from rest.

Faces differ more between people than an exercise moves one face, and the model has biases (a
left/right landmark offset, pitch raised by a smile). Measuring change from the user's calibrated
rest cancels both. A rest is accepted only when it is:

- **still**: the median over a window of >= 1 s where head pose and face geometry barely move
  (a moving rest would bake motion into the zero; :mod:`facefit.signals.stillness` says what still
  is, the same for the coach's first-still-second rest), and
- **neutral**: no smile, mouth closed, brows not raised, eyes open, facing the camera. A rejection
  raises :class:`RestRejectedError` naming what to fix.

From a single photo there is no stillness to check; instead the model runs on the photo *and its
mirror image* and the two are averaged (with the per-side columns swapped back), which cancels the
model's left/right bias (docs/design.md, "Perception facts the code relies on").
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np

from facefit.errors import FaceFitError, NoFaceError
from facefit.signals.compute import K, mirror_values, signals_from_observation
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries
from facefit.signals.pose_range import rest_pose_problem
from facefit.signals.stillness import STILL_WINDOW_S, motion

MIN_STILL_S = STILL_WINDOW_S
GEOMETRY_VERSION = 2
"""How the geometry signals were measured when a rest was recorded: 1 = image plane (before issue 15),
2 = the face's own frame (``signals.compute.face_frame``). A rest of another version is not comparable
with today's signals (a turned or tilted webcam shifts mouth values by up to ~0.08 IPD between the two):
:attr:`Calibration.comparable` says so and the store does not hand it out as the current rest."""
MAX_REST_S = 10.0  # a still window grows to at most this long (the median gains nothing beyond)
CAMERA_SECONDS = 5.0


class RestRejectedError(FaceFitError):
    """The recorded rest was not still, not neutral, or too short; the message says what to fix."""

    exit_code = 4


@dataclass(frozen=True)
class Calibration:
    """A user's neutral rest.

    Attributes:
        rest: (K,) rest value of every signal, in :data:`SIGNAL_NAMES` order.
        spread: (K,) robust spread (1.4826 * MAD) of each signal over the still window: the jitter a
            change must exceed to mean anything. NaN for photo calibrations (one frame).
        created_at: when it was recorded (UTC).
        source: what it was recorded from ("image:<path>", "video:<path>", "camera:<n>").
        method: "photo-mirror" or "still-window".
        frames: how many frames the rest is the median of (2 for photo + mirror).
        geometry: :data:`GEOMETRY_VERSION` of the signals it was measured with.
    """

    rest: np.ndarray
    spread: np.ndarray
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    source: str = ""
    method: str = "still-window"
    frames: int = 1
    geometry: int = GEOMETRY_VERSION

    @property
    def comparable(self) -> bool:
        """Measured the way today's signals are (else record a new rest)."""
        return self.geometry == GEOMETRY_VERSION

    def __post_init__(self) -> None:
        for name in ("rest", "spread"):
            value = getattr(self, name)
            if np.shape(value) != (K,):
                raise ValueError(f"{name}: expected ({K},), got {np.shape(value)}")

    def relative(self, values: np.ndarray) -> np.ndarray:
        """Signals as change from rest ((K,) or (N, K)); ``face_present`` is passed through unchanged."""
        arr = np.asarray(values, dtype=np.float64)
        out = arr - self.rest
        out[..., SIGNAL_INDEX["face_present"]] = arr[..., SIGNAL_INDEX["face_present"]]
        return out

    def distance_ratio(self, values: np.ndarray) -> np.ndarray:
        """Current distance to the camera over the rest's ((K,) or (N, K) signals); 1.05 = 5% farther."""
        arr = np.asarray(values, dtype=np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.rest[SIGNAL_INDEX["scale"]] / arr[..., SIGNAL_INDEX["scale"]]

    def value(self, name: str) -> float:
        """Rest value of one named signal."""
        return float(self.rest[SIGNAL_INDEX[name]])

    def to_dict(self) -> dict[str, Any]:
        """JSON-safe form (NaN -> None), keyed by signal name so renamed columns fail loudly, not silently."""
        return {
            "created_at": self.created_at.isoformat(),
            "source": self.source,
            "method": self.method,
            "frames": self.frames,
            "geometry": self.geometry,
            "rest": _named(self.rest),
            "spread": _named(self.spread),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        """Inverse of :meth:`to_dict`; signals missing from ``data`` (added since) are NaN."""
        return cls(
            rest=_unnamed(data.get("rest", {})),
            spread=_unnamed(data.get("spread", {})),
            created_at=datetime.fromisoformat(data["created_at"]),
            source=str(data.get("source", "")),
            method=str(data.get("method", "still-window")),
            frames=int(data.get("frames", 1)),
            geometry=int(data.get("geometry", 1)),  # rests saved before the version was recorded: 1
        )


def _named(values: np.ndarray) -> dict[str, float | None]:
    pairs = zip(SIGNAL_NAMES, values, strict=True)
    return {name: (float(v) if np.isfinite(v) else None) for name, v in pairs}


def _unnamed(values: dict[str, float | None]) -> np.ndarray:
    return np.array([np.nan if values.get(n) is None else float(values[n]) for n in SIGNAL_NAMES])  # type: ignore[arg-type]


# ------------------------------------------------------------------------------------------ neutrality


def _bs(values: np.ndarray, name: str) -> float:
    return float(values[SIGNAL_INDEX[f"bs_{name}"]])


def neutral_problems(values: np.ndarray) -> list[str]:
    """Why a (K,) rest is not neutral, as fixes a user can follow (empty list = neutral).

    Thresholds were set on the real photos in shared data: smiling portraits score mouthSmile 0.5-0.95,
    neutral ones < 0.1; an open surprised mouth scores jawOpen ~0.5 and a 0.3 IPD lip gap.
    """
    problems: list[str] = []
    smile = (_bs(values, "mouthSmileLeft") + _bs(values, "mouthSmileRight")) / 2
    if smile > 0.5:
        problems.append(f"you are smiling (smile score {smile:.2f}); relax your mouth")
    opening = float(values[SIGNAL_INDEX["mouth_opening"]])
    if _bs(values, "jawOpen") > 0.3 or opening > 0.1:
        problems.append(f"your mouth is open (lip gap {opening:.2f} IPD); close your lips gently")
    outer = (_bs(values, "browOuterUpLeft") + _bs(values, "browOuterUpRight")) / 2
    brows = max(_bs(values, "browInnerUp"), outer)
    if brows > 0.4:
        problems.append(f"your brows are raised (score {brows:.2f}); let them rest")
    blink = (_bs(values, "eyeBlinkLeft") + _bs(values, "eyeBlinkRight")) / 2
    if blink > 0.6:
        problems.append("your eyes are closed; look at the camera with eyes open")
    if _bs(values, "mouthPucker") > 0.5:
        problems.append("your lips are pushed forward; relax them")
    pose = rest_pose_problem(values)  # the operating range (signals.pose_range)
    if pose is not None:
        problems.append(pose)
    return problems


def _require_neutral(values: np.ndarray) -> None:
    problems = neutral_problems(values)
    if problems:
        raise RestRejectedError("The rest is not neutral: " + "; ".join(problems) + ".")


# ------------------------------------------------------------------------------------------ from frames


@dataclass(frozen=True)
class StillWindow:
    """The stillest >= 1 s stretch: frame indices [start, stop) and its motion score (<= 1 is still)."""

    start: int
    stop: int
    score: float
    worst: str


def find_still_window(series: SignalSeries, *, min_still_s: float = MIN_STILL_S) -> StillWindow:
    """The window of >= ``min_still_s`` with the least motion (:func:`facefit.signals.stillness.motion`).

    Raises :class:`RestRejectedError` when the face is not visible for long enough.
    """
    t = series.t_ms.astype(np.float64)
    values = series.values
    present = values[:, SIGNAL_INDEX["face_present"]] == 1
    need_ms = min_still_s * 1000.0
    best: StillWindow | None = None
    n = len(series)
    slack = _frame_slack(t)
    stop = 0
    for start in range(n):
        if not present[start]:
            continue
        stop = max(stop, start + 1)
        while stop < n and t[stop - 1] - t[start] < need_ms:
            stop += 1
        if t[stop - 1] - t[start] < need_ms - slack:
            break
        if not present[start:stop].all():
            continue
        score, worst = motion(values[start:stop])
        if best is None or score < best.score:
            best = StillWindow(start, stop, score, worst)
    if best is None:
        seen = _longest_present_s(t, present)
        raise RestRejectedError(
            f"The face must be visible and still for at least {min_still_s:g} s; only about {seen:.1f} s of "
            "face was seen without a gap. Record a longer rest."
        )
    return _grow(best, values, present, t, max_ms=MAX_REST_S * 1000.0) if best.score <= 1.0 else best


def _grow(
    window: StillWindow, values: np.ndarray, present: np.ndarray, t: np.ndarray, *, max_ms: float
) -> StillWindow:
    """Extend a still window over neighbouring frames while it stays still: more frames, steadier median."""
    start, stop, n = window.start, window.stop, len(values)
    grown = True
    while grown:
        grown = False
        for new_start, new_stop in ((start, stop + 1), (start - 1, stop)):
            if new_start < 0 or new_stop > n or not present[new_start] or not present[new_stop - 1]:
                continue
            if t[new_stop - 1] - t[new_start] > max_ms:
                continue
            if motion(values[new_start:new_stop])[0] <= 1.0:
                start, stop, grown = new_start, new_stop, True
    score, worst = motion(values[start:stop])
    return StillWindow(start, stop, score, worst)


def _longest_present_s(t: np.ndarray, present: np.ndarray) -> float:
    """Duration of the longest run of consecutive frames with a face."""
    best, run_start = 0.0, None
    for i, ok in enumerate(present):
        if ok and run_start is None:
            run_start = i
        if run_start is not None and (not ok or i == len(present) - 1):
            end = i if ok else i - 1
            best = max(best, float(t[end] - t[run_start]) / 1000.0)
            run_start = None
    return best


def _frame_slack(t: np.ndarray) -> float:
    """Allow one frame period of slack so a 30-frame 1 s clip at 30 fps counts as 1 s."""
    return float(np.median(np.diff(t))) if t.size > 1 else 0.0


def calibrate_from_series(
    series: SignalSeries, *, source: str = "", min_still_s: float = MIN_STILL_S, require_neutral: bool = True
) -> Calibration:
    """Rest = median over the stillest >= 1 s window; rejects moving or non-neutral rests with reasons.

    ``require_neutral=False`` skips the expression check (e.g. to baseline a deliberate pose).
    """
    window = find_still_window(series, min_still_s=min_still_s)
    rows = series.values[window.start : window.stop]
    rest = np.median(rows, axis=0)
    if window.score > 1.0:
        # Say everything to fix at once: a smile held while moving is both, and fixing one reveals the other.
        also = neutral_problems(rest) if require_neutral else []
        raise RestRejectedError(
            f"You moved during the rest ({_MOTION_WORDS.get(window.worst, window.worst)} changed "
            f"{window.score:.1f}x more than allowed); hold still for {min_still_s:g} s."
            + (" Also: " + "; ".join(also) + "." if also else "")
        )
    spread = 1.4826 * np.median(np.abs(rows - rest), axis=0)
    if require_neutral:
        _require_neutral(rest)
    return Calibration(rest=rest, spread=spread, source=source, method="still-window", frames=len(rows))


_MOTION_WORDS = {
    "head_pitch": "head nodding",
    "head_yaw": "head turning",
    "head_roll": "head tilting",
    "brow_lift_r": "brows",
    "brow_lift_l": "brows",
    "mouth_corner_lift_r": "mouth corners",
    "mouth_corner_lift_l": "mouth corners",
    "mouth_opening": "mouth opening",
    "mouth_width": "mouth width",
    "mouth_roundness": "mouth shape",
    "jaw_forward": "jaw",
}


def calibrate_from_photo(
    rgb: np.ndarray, landmarker: object, *, source: str = "", require_neutral: bool = True
) -> Calibration:
    """Rest from one photo: average its signals with those of its mirror image (sides swapped back).

    ``landmarker`` must be an IMAGE-mode :class:`facefit.vision.landmarker.Landmarker`.
    """
    shown = os.path.basename(source.split(":", 1)[-1]) if source else "the photo"
    original = landmarker.detect(rgb, 0)  # type: ignore[attr-defined]
    if not original.present:
        raise NoFaceError(f"No face found in {shown}.")
    mirrored = landmarker.detect(np.ascontiguousarray(rgb[:, ::-1]), 0)  # type: ignore[attr-defined]
    if not mirrored.present:
        raise NoFaceError(f"No face found in the mirror image of {shown}.")
    a = signals_from_observation(original)
    b = mirror_values(signals_from_observation(mirrored))
    rest = (a + b) / 2.0
    if require_neutral:
        _require_neutral(rest)
    return Calibration(rest=rest, spread=np.full(K, np.nan), source=source, method="photo-mirror", frames=2)


def calibrate_source(
    spec: str | os.PathLike[str] | int,
    *,
    model_path: str | os.PathLike[str] | None = None,
    progress: bool = False,
    camera_seconds: float = CAMERA_SECONDS,
    on_recording: Callable[[], None] | None = None,
) -> Calibration:
    """Calibrate from a photo, a video of the rest, or ``camera_seconds`` of a live camera.

    ``on_recording`` is called once the camera is open, just before recording starts (to tell the user).
    """
    from facefit.signals.extract import extract_signals
    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.vision.sources import camera_index, open_source

    index = camera_index(spec)
    if index is not None:
        series = _record_camera(
            spec, seconds=camera_seconds, model_path=model_path, on_recording=on_recording
        )
        return calibrate_from_series(series, source=f"camera:{index}")
    with open_source(spec) as source:
        if source.kind == "image":
            with Landmarker(RunningMode.IMAGE, model_path=model_path) as landmarker:
                return calibrate_from_photo(source.rgb, landmarker, source=f"image:{spec}")  # type: ignore[attr-defined]
    extraction = extract_signals(spec, model_path=model_path, progress=progress)
    if extraction.frames_without_face == extraction.frames:
        raise NoFaceError(f"No face found in {os.path.basename(str(spec))}.")
    return calibrate_from_series(extraction.series, source=f"video:{spec}")


def _record_camera(
    spec: str | os.PathLike[str] | int,
    *,
    seconds: float,
    model_path: str | os.PathLike[str] | None,
    on_recording: Callable[[], None] | None = None,
) -> SignalSeries:
    """``seconds`` of live camera signals (the camera's own clock decides when to stop)."""
    from facefit.signals.stream import SignalStream

    times: list[int] = []
    rows: list[np.ndarray] = []
    with SignalStream(spec, model_path=model_path) as stream:
        if on_recording is not None:
            on_recording()
        for frame in stream:
            times.append(frame.t_ms)
            rows.append(frame.values)
            if frame.t_ms >= seconds * 1000:
                break
    if not rows:
        raise RestRejectedError("The camera gave no frames; check it is connected and not in use.")
    return SignalSeries(t_ms=np.asarray(times, dtype=np.int64), values=np.vstack(rows))
