"""Signal computation speed, one core: microseconds per frame, batched and one frame at a time.

    .venv/bin/python bench/bench_signals.py [--frames 3000]

Goal: batched <= 10 us/frame with the head transform (the face-frame rotation of issue 15 included).
The landmarks are one real detection (grace_hopper.jpg, IMAGE mode) repeated with landmark-sized noise
and head rotations of +/-20 deg, so every row is a different pose. Printed beside it, measured in the
same run: the same batch without transforms (image-plane geometry, the cost before the rotation) and
the per-frame path the web app takes for a single browser frame.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import matplotlib
import numpy as np

GOAL_US = 10.0


def frames(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """(N, 478, 3) landmarks, (N, 52) blendshapes, (N, 4, 4) transforms and the image size."""
    from scipy.spatial.transform import Rotation

    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.vision.sources import read_image

    rgb = read_image(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg")
    with Landmarker(RunningMode.IMAGE) as landmarker:
        obs = landmarker.detect(rgb, 0)
    rng = np.random.default_rng(seed)
    landmarks = obs.landmarks[None].astype(np.float64) + rng.normal(0, 0.002, (n, *obs.landmarks.shape))
    blendshapes = np.tile(obs.blendshapes.astype(np.float64), (n, 1))
    transforms = np.tile(obs.transform.astype(np.float64), (n, 1, 1))
    angles = rng.uniform(-20, 20, (n, 3))
    turn = Rotation.from_euler("xyz", angles, degrees=True).as_matrix()
    transforms[:, :3, :3] = turn @ transforms[:, :3, :3]
    return landmarks, blendshapes, transforms, (rgb.shape[1], rgb.shape[0])


def best_us(repeats: int, n: int, fn: object) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        best = min(best, time.perf_counter() - start)
    return 1e6 * best / n


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=3000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    from facefit.signals.compute import signals_batch, signals_from_arrays

    lm, bs, tf, size = frames(args.frames)
    batched = best_us(args.repeats, len(lm), lambda: signals_batch(lm, size, bs, tf))
    plain = best_us(args.repeats, len(lm), lambda: signals_batch(lm, size, bs, None))
    single = best_us(args.repeats, 300,
                     lambda: [signals_from_arrays(lm[i], size, bs[i], tf[i]) for i in range(300)])
    print(f"signals batched, face frame (with transforms): {batched:6.2f} us/frame   goal <= {GOAL_US:g}")
    print(f"signals batched, image plane (no transforms):  {plain:6.2f} us/frame   (same run)")
    print(f"signals one frame at a time (web path):        {single:6.2f} us/frame")
    print("PASS" if batched <= GOAL_US else "FAIL")


if __name__ == "__main__":
    main()
