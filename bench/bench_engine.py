"""Engine speed on precomputed signals, one core: frames per second of ``run`` (batch) and ``update`` (live).

    .venv/bin/python bench/bench_engine.py [--frames 300000] [--exercise forehead-relaxer]

Goal: >= 100,000 frames/s, batch and live (issues 14 and 15). The series is a realistic session
(cosine reps, holds, noise, blinks) of ``--frames`` frames at 30 fps: closed-lip smiles for cheek-lifter
(default), brows pressed down for forehead-relaxer (whose brow drive is also decoupled from the mouth
every frame). Baselines measured in the same run: a bare Python loop over the same rows (the floor any
per-frame state machine pays) and the vectorised feature product alone.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from facefit.coach.engine import Engine
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries

GOAL_FPS = 100_000


def session(frames: int, exercise: str = "cheek-lifter", fps: float = 30.0, seed: int = 0) -> SignalSeries:
    """Reps of 1 s up, 3 s hold, 1 s down, 2 s rest, with landmark-like noise and blinks (and for
    the cheek lifter the landmarker's smile blendshapes rising with the smile, as they do on a face)."""
    rng = np.random.default_rng(seed)
    t = np.arange(frames) / fps
    phase = (t - 2.0) % 7.0
    rise = 0.5 - 0.5 * np.cos(np.pi * np.clip(phase, 0, 1))
    fall = 0.5 + 0.5 * np.cos(np.pi * np.clip(phase - 4.0, 0, 1))
    curve = np.where(phase < 4.0, rise, fall) * (t >= 2.0)
    values = np.tile(rng.uniform(0.1, 0.5, len(SIGNAL_NAMES)), (frames, 1))
    values += rng.normal(0, 0.0015, values.shape)
    values[:, SIGNAL_INDEX["face_present"]] = 1.0
    brows = exercise == "forehead-relaxer"
    for side in ("r", "l"):
        if brows:
            values[:, SIGNAL_INDEX[f"brow_lift_{side}"]] -= 0.015 * curve
        else:
            values[:, SIGNAL_INDEX[f"mouth_corner_lift_{side}"]] += 0.065 * curve
        values[:, SIGNAL_INDEX[f"eye_aperture_{side}"]] -= 0.08 * (np.abs((t % 3.1) - 1.0) < 0.1)
    if not brows:
        values[:, SIGNAL_INDEX["mouth_width"]] += 0.1 * curve
        for side in ("Left", "Right"):  # the model's smile score rises with the smile: the engine times
            values[:, SIGNAL_INDEX[f"bs_mouthSmile{side}"]] += 0.6 * curve  # the hold on it too (witness)
    return SignalSeries(np.round(t * 1000.0), values)


def best_of(repeats: int, fn: object) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=300_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--exercise", choices=("cheek-lifter", "forehead-relaxer"), default="cheek-lifter")
    args = parser.parse_args()
    series = session(args.frames, args.exercise)
    n = len(series)

    def batch() -> None:
        engine = Engine.for_exercise(args.exercise, reps_target=10_000)
        engine.run(series)
        assert len(engine.reps) > 0

    live_n = min(n, 60_000)

    def live() -> None:
        engine = Engine.for_exercise(args.exercise, reps_target=10_000)
        for i in range(live_n):
            engine.update(series.values[i], series.t_ms[i])

    def bare_loop() -> None:
        total = 0.0
        for row in series.values.tolist():
            total += row[1]

    from facefit.coach.features import MATRIX

    def product() -> None:
        (series.values - series.values[0]) @ MATRIX

    t_batch = best_of(args.repeats, batch)
    t_live = best_of(args.repeats, live)
    t_bare = best_of(args.repeats, bare_loop)
    t_prod = best_of(args.repeats, product)
    fps_batch, fps_live = n / t_batch, live_n / t_live
    print(f"frames: {n} (30 fps session of {n / 30 / 60:.0f} min), best of {args.repeats}")
    print(f"Engine.run (batch)      {fps_batch:12,.0f} frames/s   goal {GOAL_FPS:,}  "
          f"ratio {fps_batch / GOAL_FPS:.2f}")
    print(f"Engine.update (live)    {fps_live:12,.0f} frames/s   ratio to goal {fps_live / GOAL_FPS:.2f}")
    print(f"baseline bare loop      {n / t_bare:12,.0f} frames/s   run/bare {t_batch / t_bare:.1f}x the time")
    print(f"baseline feature matmul {n / t_prod:12,.0f} frames/s   ({t_prod / t_batch:.1%} of run)")
    print(f"real-time headroom at 30 fps: run {fps_batch / 30:,.0f}x, update {fps_live / 30:,.0f}x")


if __name__ == "__main__":
    main()
