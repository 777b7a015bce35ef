"""The live coaching loop: frames -> landmarker -> signals -> engine, with events handed to a callback.

Shared by ``facefit coach`` and ``facefit routine --coach``: the caller decides where events go (the
store) and how feedback is shown (an OpenCV window through :func:`facefit.coach.overlay.annotate`,
or a text callback). The frame's own timestamp is the engine's clock, so a video file is coached
exactly as fast as it decodes and a camera in real time.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from facefit.coach.engine import Engine
from facefit.coach.events import Event

OnEvent = Callable[[Event], None]
OnFrame = Callable[[Engine, float, bool], None]


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


def coach_source(
    source_spec: str | os.PathLike[str] | int,
    engine: Engine,
    *,
    on_event: OnEvent | None = None,
    on_frame: OnFrame | None = None,
    on_start: Callable[[], object] | None = None,
    window: bool = False,
    max_seconds: float | None = None,
    stop_when_done: bool = False,
) -> LiveResult:
    """Coach one source until it ends, the user presses q/Esc in the window, a safety stop, or
    ``max_seconds``; with ``stop_when_done`` also when the target reps are reached. ``on_start`` is
    called once the source and the model are open (a source that cannot be used never calls it)."""
    from facefit.signals.compute import signals_from_observation
    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.vision.sources import open_source

    frames = missing = 0
    first_t: float | None = None
    last_t = 0.0
    quit_ = False
    cv2 = None
    if window:
        import cv2  # type: ignore[no-redef]
    with open_source(source_spec) as source, Landmarker(RunningMode.VIDEO) as landmarker:
        if on_start is not None:
            on_start()
        for frame in source:
            obs = landmarker.detect(frame.rgb, frame.t_ms)
            values = signals_from_observation(obs)
            frames += 1
            missing += 0 if obs.present else 1
            first_t = frame.t_ms if first_t is None else first_t
            last_t = frame.t_ms
            for event in engine.update(values, frame.t_ms):
                if on_event is not None:
                    on_event(event)
            if on_frame is not None:
                on_frame(engine, frame.t_ms / 1000.0, obs.present)
            if cv2 is not None:
                from facefit.coach.overlay import annotate

                bgr = cv2.cvtColor(frame.rgb, cv2.COLOR_RGB2BGR)
                cv2.imshow("FaceFit coach", annotate(bgr, obs.landmarks if obs.present else None, engine))
                if cv2.waitKey(1) & 0xFF in (ord("q"), 27):
                    quit_ = True
            target = engine.reps_target
            done = stop_when_done and target is not None and len(engine.reps) >= target
            elapsed = 0.0 if first_t is None else (last_t - first_t) / 1000
            too_long = max_seconds is not None and elapsed >= max_seconds
            if quit_ or engine.stopped is not None or done or too_long:
                break
        if not quit_ and engine.stopped is None:
            for event in engine.finish():
                if on_event is not None:
                    on_event(event)
    if cv2 is not None:
        cv2.destroyAllWindows()
    duration = 0.0 if first_t is None else (last_t - first_t) / 1000.0
    return LiveResult(frames=frames, frames_without_face=missing, duration_s=duration, stopped_by_user=quit_)
