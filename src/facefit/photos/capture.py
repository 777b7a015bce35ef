"""Live capture: the camera view with the baseline as a ghost, checks turning green, auto-capture.

The decision logic (:class:`CaptureGate`) is separate from drawing and from the window, so the same
loop runs with a window, in a terminal without a display (status lines instead of a picture), or on a
video file standing in for the camera (how the tests drive it). Frames come through the one signal
stream (:class:`facefit.signals.stream.SignalStream`, with an IMAGE-mode landmarker: each frame is judged
as a photo, as ``facefit photo add`` would), and the gate measures each frame from the stream's
observation, running the model only on its mirror image. A photo is taken when every check has
passed for ``hold_frames`` consecutive frames (a steady pose, not a lucky frame), or when the user
presses space/c; either way it goes through :func:`facefit.photos.library.import_photo`, the same
gate as ``facefit photo add``.

OpenCV must be imported before PyAV or the first ``cv2.imshow`` never returns (Qt window under X11);
:func:`facefit.vision.sources.import_av`, which every PyAV user goes through, sees to that.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from facefit.errors import FaceFitError
from facefit.photos.files import LoadedPhoto
from facefit.photos.gate import GateResult, Reference, Rest
from facefit.photos.library import ImportOutcome, check_rgb, import_photo
from facefit.signals.stream import SignalStream
from facefit.store.db import Store
from facefit.vision.observation import FaceObservation

GREEN, RED, WHITE = (40, 200, 60), (230, 50, 40), (255, 255, 255)
DEFAULT_HOLD_FRAMES = 5


class NoDisplayError(FaceFitError):
    """A window was requested but there is no display to show it on."""


def has_display() -> bool:
    """Whether a window can be shown (X11/Wayland on Linux; always assumed on macOS and Windows)."""
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


@dataclass(frozen=True)
class CaptureStatus:
    """The gate's verdict on the latest frame and how many frames in a row have passed."""

    result: GateResult
    streak: int
    ready: bool


class CaptureGate:
    """Runs frames through the protocol gate; ``ready`` once every check passed ``hold_frames`` in a row."""

    def __init__(
        self,
        landmarker: Any,
        reference: Reference | None,
        *,
        hold_frames: int = DEFAULT_HOLD_FRAMES,
        rest: Rest | None = None,
    ) -> None:
        if hold_frames < 1:
            raise ValueError(f"hold_frames must be >= 1, got {hold_frames}")
        self.landmarker = landmarker
        self.reference = reference
        self.rest = rest
        self.hold_frames = hold_frames
        self.streak = 0

    def update(self, rgb: np.ndarray, observation: FaceObservation | None = None) -> CaptureStatus:
        """Judge one frame; ``observation`` is its landmarks when already detected (by the signal stream)
        with this gate's landmarker, so the frame is not run through the model twice."""
        result = check_rgb(rgb, landmarker=self.landmarker, reference=self.reference, rest=self.rest,
                           observation=observation)
        self.streak = self.streak + 1 if result.accepted else 0
        return CaptureStatus(result, self.streak, self.streak >= self.hold_frames)

    def reset(self) -> None:
        self.streak = 0


def ghost_overlay(frame: np.ndarray, baseline_rgb: np.ndarray | None, alpha: float = 0.35) -> np.ndarray:
    """The frame with the baseline photo blended over it (same camera, same framing = faces coincide)."""
    import cv2

    if baseline_rgb is None:
        return frame.copy()
    ghost = cv2.resize(baseline_rgb, (frame.shape[1], frame.shape[0]), interpolation=cv2.INTER_AREA)
    return cv2.addWeighted(frame, 1.0 - alpha, ghost, alpha, 0.0)


def draw_status(frame: np.ndarray, status: CaptureStatus | None, hold_frames: int) -> np.ndarray:
    """Check names in green (passed) or red (failed, with advice for the first failure)."""
    import cv2

    out = np.ascontiguousarray(frame.copy())
    if status is None:
        return out
    scale = max(0.45, frame.shape[0] / 1100)
    y = int(24 * scale / 0.45)
    step = int(20 * scale / 0.45)
    for check in status.result.checks:
        colour = GREEN if check.passed else RED
        cv2.putText(out, check.name, (10, y), cv2.FONT_HERSHEY_SIMPLEX, scale, colour, 2, cv2.LINE_AA)
        y += step
    failed = status.result.failed
    message = failed[0].advice if failed else f"hold still... {status.streak}/{hold_frames}"
    cv2.putText(
        out, message[:90], (10, frame.shape[0] - 14), cv2.FONT_HERSHEY_SIMPLEX, scale, WHITE, 2, cv2.LINE_AA
    )
    return out


def status_line(status: CaptureStatus, hold_frames: int) -> str:
    """One terminal line: which checks fail and what to do, or the countdown."""
    failed = status.result.failed
    if not failed:
        return f"all checks pass - hold still {status.streak}/{hold_frames}"
    return "; ".join(f"{c.name}: {c.advice}" for c in failed[:3])


def run_capture(
    stream: SignalStream,
    *,
    store: Store,
    profile_id: int,
    landmarker: Any,
    reference: Reference | None,
    baseline_rgb: np.ndarray | None,
    window: bool,
    hold_frames: int = DEFAULT_HOLD_FRAMES,
    force: bool = False,
    rest: Rest | None = None,
    on_status: Callable[[CaptureStatus], None] | None = None,
) -> ImportOutcome | None:
    """Show/check frames from ``stream`` (read with ``landmarker``, IMAGE mode) until a photo is taken
    (returned) or the user quits / the source ends (None)."""
    import cv2

    gate = CaptureGate(landmarker, reference, hold_frames=hold_frames, rest=rest)
    title = "FaceFit photo - space: take now, q: quit"
    taken: np.ndarray | None = None
    try:
        for frame in stream:
            status = gate.update(frame.rgb, frame.observation)
            if on_status is not None:
                on_status(status)
            if window:
                view = draw_status(ghost_overlay(frame.rgb, baseline_rgb), status, hold_frames)
                cv2.imshow(title, cv2.cvtColor(view[:, ::-1], cv2.COLOR_RGB2BGR))  # mirrored like a mirror
                key = cv2.waitKey(1) & 0xFF
                if key in (ord("q"), 27):
                    return None
                if key in (ord(" "), ord("c")):
                    taken = frame.rgb
                    break
            if status.ready:
                taken = frame.rgb
                break
    finally:
        if window:
            cv2.destroyAllWindows()
    if taken is None:
        return None
    stamp = datetime.now(UTC)
    return import_photo(
        LoadedPhoto(rgb=np.ascontiguousarray(taken)),
        store=store,
        profile_id=profile_id,
        landmarker=landmarker,
        taken_at=stamp,
        force=force,
        source_name=f"capture {stamp:%Y-%m-%d %H:%M:%S}",
    )
