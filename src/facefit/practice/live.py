"""The live loop: a signal stream through the set runner, with feedback drawn or printed as it goes.

``facefit coach`` runs it on a camera or a video: the frame's own timestamp is the engine's clock, so a
video is coached exactly as fast as it decodes and a camera in real time. The caller decides where rows
go (the runner's recorder) and how feedback is shown: an OpenCV window
(:func:`facefit.practice.overlay.annotate`) or a text callback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from facefit.practice.sets import Phase, SetRunner, Step
from facefit.signals.stream import SignalStream

OnStep = Callable[[Step], None]
OnFrame = Callable[[SetRunner, float, bool], None]


@dataclass
class LiveResult:
    frames: int
    frames_without_face: int
    duration_s: float
    stopped_by_user: bool


def display_available() -> bool:
    """True when an OpenCV window can be shown (an X display on Linux; always elsewhere)."""
    import sys

    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def coach_stream(
    stream: SignalStream,
    runner: SetRunner,
    *,
    on_step: OnStep | None = None,
    on_frame: OnFrame | None = None,
    window: bool = False,
    max_seconds: float | None = None,
) -> LiveResult:
    """Feed ``stream`` to ``runner`` until its sets are done or stopped, the stream ends, the person
    presses q/Esc in the window, or ``max_seconds`` of frames have passed."""
    frames = missing = 0
    first_t: float | None = None
    last_t = 0.0
    quit_ = False
    cv2 = None
    if window:
        import cv2  # type: ignore[no-redef]
    for frame in stream:
        frames += 1
        missing += 0 if frame.face else 1
        first_t = frame.t_ms if first_t is None else first_t
        last_t = frame.t_ms
        step = runner.frame(frame.values, frame.t_ms)
        if on_step is not None and (step.events or step.finished):
            on_step(step)
        if on_frame is not None:
            on_frame(runner, frame.t_ms / 1000.0, frame.face)
        if cv2 is not None:
            from facefit.practice.overlay import annotate

            bgr = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
            landmarks = frame.observation.landmarks if frame.face else None
            cv2.imshow("FaceFit coach", annotate(bgr, landmarks, runner.engine))
            quit_ = cv2.waitKey(1) & 0xFF in (ord("q"), 27)
        too_long = max_seconds is not None and (last_t - first_t) / 1000.0 >= max_seconds
        if quit_ or too_long or runner.phase in (Phase.DONE, Phase.STOPPED):
            break
    # The end of the frames (or of max_seconds) closes a rep still open; quitting ends the session.
    closing = runner.end() if quit_ else runner.source_ended()
    if on_step is not None and (closing.events or closing.finished):
        on_step(closing)
    if cv2 is not None:
        cv2.destroyAllWindows()
    duration = 0.0 if first_t is None else (last_t - first_t) / 1000.0
    return LiveResult(frames=frames, frames_without_face=missing, duration_s=duration, stopped_by_user=quit_)
