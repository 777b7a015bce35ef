"""Draws the live coaching overlay on a frame: landmarks, rep counter, hold ring and the last message.

Drawing is kept apart from counting (the engine never draws). OpenCV is imported inside the function
so importing this module stays cheap.
"""

from __future__ import annotations

import numpy as np

from facefit.coach.engine import Engine


def annotate(bgr: np.ndarray, landmarks: np.ndarray | None, engine: Engine) -> np.ndarray:
    """A copy of ``bgr`` with the overlay drawn; ``landmarks`` are (478, 3) normalised or None."""
    import cv2

    out = bgr.copy()
    h, w = out.shape[:2]
    if landmarks is not None and np.isfinite(landmarks).all():
        for x, y in (landmarks[::3, :2] * (w, h)).astype(int):
            cv2.circle(out, (int(x), int(y)), 1, (80, 220, 80), -1, cv2.LINE_AA)
    target = engine.reps_target
    counter = f"{len(engine.reps)}" + (f"/{target}" if target else "")
    cv2.putText(out, counter, (12, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (255, 255, 255), 3, cv2.LINE_AA)
    hold_target = engine.hold_target_s or 0.0
    if engine.active and hold_target > 0:
        fraction = min(engine.holding_s / hold_target, 1.0)
        centre, radius = (w - 50, 50), 32
        cv2.circle(out, centre, radius, (90, 90, 90), 4, cv2.LINE_AA)
        cv2.ellipse(out, centre, (radius, radius), -90, 0, 360 * fraction, (60, 200, 255), 5, cv2.LINE_AA)
    if engine.rest is None:
        status = "hold still: measuring your rest"
    elif engine.stopped is not None:
        status = "STOPPED: " + engine.stopped.message
    else:
        status = engine.message or engine.spec.ask
    white = (255, 255, 255)
    cv2.putText(out, status[:90], (12, h - 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, white, 1, cv2.LINE_AA)
    return out
