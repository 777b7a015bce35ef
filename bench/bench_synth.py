"""Synthetic clip generation speed at 640x480: frames per second and a 30 s clip's wall time.

    .venv/bin/python bench/bench_synth.py [--seconds 30] [--photo FILE]

Baselines measured in the same run, on the same rest frame:
- floor: one full-frame ``cv2.remap`` per frame (every warped frame pays at least this);
- encode: writing the unchanged rest frame to H.264 (what the .mp4 costs on its own).
Then three 30 fps clips (render only, in memory): cheek-lifter (the common case; still rests and holds
reuse a frame), jawline-toner (3D head rotation), and cheek-lifter with talk, blink, sway, twitches and
noise (sway makes most frames a new head pose and noise defeats frame reuse: the worst case); and the
cheek-lifter written to .mp4 end to end (``make_clip``). "fits" counts thin-plate-spline fits (the rest
came from the cache). Goal: a 30 s clip in well under a minute. The machine is shared: the load average
is printed because every figure scales with it.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")

import numpy as np


def floor_fps(rgb: np.ndarray, frames: int) -> float:
    import cv2

    height, width = rgb.shape[:2]
    ix, iy = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    identity = np.stack([ix + 0.25, iy + 0.25], axis=-1)
    start = time.perf_counter()
    for _ in range(frames):
        cv2.remap(rgb, identity, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return frames / (time.perf_counter() - start)


def encode_fps(rgb: np.ndarray, frames: int, folder: Path) -> float:
    from facefit.synth.writers import Mp4Writer

    writer = Mp4Writer(folder / "encode.mp4", (rgb.shape[1], rgb.shape[0]), 30.0)
    start = time.perf_counter()
    for _ in range(frames):
        writer.write(rgb)
    writer.close()
    return frames / (time.perf_counter() - start)


def render(face: object, spec: object) -> tuple[float, float, object]:
    """(seconds to plan, seconds to render every frame, clip)."""
    from facefit.synth.clip import prepare_clip

    start = time.perf_counter()
    clip = prepare_clip(face, spec)  # type: ignore[arg-type]
    planned = time.perf_counter()
    for _ in clip.frames():
        pass
    return planned - start, time.perf_counter() - planned, clip


def main() -> None:
    import matplotlib

    from facefit.synth import ClipSpec, Fault, make_clip, prepare_face

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--photo", type=Path, default=Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    )
    args = parser.parse_args()
    size = (640, 480)
    load = os.getloadavg()[0]
    print(f"machine: {os.cpu_count()} cores, load average {load:.1f} (other jobs slow every figure)")

    start = time.perf_counter()
    face = prepare_face(args.photo, size)
    print(f"prepare photo (model load + 2 detections): {time.perf_counter() - start:.2f} s")

    reps = max(1, int((args.seconds - 2.0) // 7.0))
    common = {"size": size, "fps": 30.0, "reps": reps, "hold_s": 3.0, "rest_s": 2.0, "seed": 1}
    lead = args.seconds - reps * 7.0
    specs = {
        "cheek-lifter": ClipSpec(exercise="cheek-lifter", lead_rest_s=lead, **common),
        "jawline-toner (head rotation)": ClipSpec(
            exercise="jawline-toner", lead_rest_s=lead, tempo_up_s=1.0, tempo_down_s=1.0, **common
        ),
        "cheek-lifter + talk/blink/sway/twitch/noise": ClipSpec(
            exercise="cheek-lifter", lead_rest_s=lead, distractors=("talk", "blink", "sway"),
            faults=(Fault("twitch"),), noise=0.3, **common,
        ),
    }
    frames = specs["cheek-lifter"].frames
    floor = floor_fps(face.rgb, min(frames, 300))
    with tempfile.TemporaryDirectory() as folder:
        encode = encode_fps(face.rgb, min(frames, 300), Path(folder))
        print(f"baseline floor (one full-frame remap): {floor:.0f} fps; H.264 encode only: {encode:.0f} fps")
        print(f"\n{'clip (' + str(frames) + ' frames, ' + format(frames / 30, '.0f') + ' s)':46} "
              f"{'plan s':>7} {'render s':>9} {'fps':>6} {'ms/frame':>9} {'x floor':>8} {'fits':>5}")
        for name, spec in specs.items():
            plan_s, render_s, clip = render(face, spec)
            fps = spec.frames / render_s
            print(
                f"{name:46} {plan_s:7.2f} {render_s:9.2f} {fps:6.1f} {1000 / fps:9.1f} "
                f"{floor / fps:8.1f} {clip.warper.fits:5d}"  # type: ignore[attr-defined]
            )
        out = Path(folder) / "clip.mp4"
        start = time.perf_counter()
        make_clip(face, specs["cheek-lifter"], out=out, truth_path=Path(folder) / "truth.json")
        wall = time.perf_counter() - start
        print(
            f"\nmake_clip cheek-lifter -> .mp4 + truth: {wall:.1f} s wall for a {frames / 30:.0f} s clip "
            f"({frames / wall:.1f} fps, real-time factor {frames / 30 / wall:.2f})"
        )


if __name__ == "__main__":
    main()
