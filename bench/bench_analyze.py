"""``facefit analyze`` throughput against the landmarker alone on the same video, and real-time factor.

    .venv/bin/python bench/bench_analyze.py [--video FILE] [--repeats 2]

Without ``--video`` a 20 s 640x480 30 fps cheek-lifter clip is generated once with ``facefit.synth``
into ``out/bench/`` (gitignored). Baseline, measured in the same run: decode every frame and run the
Face Landmarker (VIDEO mode, the tracker alone: ``recover=False``) on it, nothing else. Then the full analyze
path (decode, landmarker with recovery of lost faces, signals, engine, JSON dict), so on a clip where the
tracker loses the face the ratio includes what recovery costs. Goal: analyze fps / landmarker-only fps >= 0.9.
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
REPO = Path(__file__).resolve().parents[1]


def default_video() -> Path:
    import matplotlib

    from facefit.synth.clip import make_clip
    from facefit.synth.spec import ClipSpec

    out = REPO / "out" / "bench" / "cheek_lifter_640x480.mp4"
    if not out.exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        photo = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
        spec = ClipSpec(exercise="cheek-lifter", reps=3, hold_s=3.0, rest_s=2.0, size=(640, 480), fps=30.0,
                        noise=0.2, seed=1)
        make_clip(str(photo), spec, out=str(out))
    return out


def landmarker_only(video: Path) -> tuple[float, int, int]:
    from facefit.vision.landmarker import Landmarker, RunningMode
    from facefit.vision.sources import open_source

    start = time.perf_counter()
    frames = 0
    lost = 0
    with open_source(video) as source, Landmarker(RunningMode.VIDEO, recover=False) as landmarker:
        for frame in source:
            lost += not landmarker.detect(frame.rgb, frame.t_ms).present
            frames += 1
    return time.perf_counter() - start, frames, lost


def full_analyze(video: Path) -> tuple[float, int, float, int]:
    from facefit.practice.analyze import analyze_video

    start = time.perf_counter()
    result, engine = analyze_video(video, exercise_id="cheek-lifter")
    spent = time.perf_counter() - start
    duration = (engine.last_t_s or 0.0) - (engine.first_t_s or 0.0)
    return spent, int(result["frames"]), duration, int(result["frames_without_face"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    video = args.video or default_video()
    # imports outside the timed region
    import facefit.practice.analyze
    import facefit.signals.extract  # noqa: F401

    base = min((landmarker_only(video) for _ in range(args.repeats)), key=lambda r: r[0])
    full = min((full_analyze(video) for _ in range(args.repeats)), key=lambda r: r[0])
    base_fps = base[1] / base[0]
    full_fps = full[1] / full[0]
    print(f"video: {video} ({base[1]} frames, {full[2]:.1f} s), best of {args.repeats}; no face: "
          f"{base[2]} frames for the tracker alone, {full[3]} after recovery")
    print(f"landmarker only   {base_fps:7.1f} frames/s  {1000 / base_fps:6.1f} ms/frame")
    print(f"facefit analyze   {full_fps:7.1f} frames/s  {1000 / full_fps:6.1f} ms/frame")
    print(f"ratio analyze / landmarker-only: {full_fps / base_fps:.3f}  (goal >= 0.9)")
    print(f"real-time factor (video seconds per wall second): {full[2] / full[0]:.2f}")


if __name__ == "__main__":
    main()
