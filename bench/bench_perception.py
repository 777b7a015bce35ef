"""Perception overhead: FaceFit's landmarker wrapper + signals against the bare MediaPipe call, same frames.

    .venv/bin/python bench/bench_perception.py [--video FILE] [--rounds 3] [--seconds 10]

Without ``--video`` a 640x480 30 fps cheek-lifter clip is generated with ``facefit.synth`` (timed: that
is the synth generation fps figure) into ``out/bench/`` (gitignored). Every frame is decoded into
memory once, so decoding is in neither figure. Then, interleaved for ``--rounds`` rounds (the machine
is shared, so each round is a fresh same-run comparison):

- baseline, landmarker only: ``mediapipe`` ``FaceLandmarker.detect_for_video`` on each frame, nothing else;
- full perception + signals: ``facefit.vision.landmarker.Landmarker.detect`` (result -> FaceObservation)
  then ``signals_from_observation`` on each frame, i.e. what a live camera loop does.

Goal: full / baseline <= 1.10. Also printed for information: ``extract_signals`` on the file (adds
decoding and the per-clip batch signal computation) and the signal computation alone.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
REPO = Path(__file__).resolve().parents[1]


def synth_clip(seconds: float) -> tuple[Path, float | None]:
    """The benchmark clip and the synth generation speed (frames/s), or (clip, None) if reused."""
    import matplotlib

    from facefit.synth.clip import make_clip
    from facefit.synth.spec import ClipSpec

    out = REPO / "out" / "bench" / f"perception_cheek_lifter_640x480_{seconds:g}s.mp4"
    out.parent.mkdir(parents=True, exist_ok=True)
    photo = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    reps = max(1, round((seconds - 2.0) / 4.0))
    spec = ClipSpec(exercise="cheek-lifter", reps=reps, hold_s=2.0, rest_s=1.0, lead_rest_s=2.0,
                    size=(640, 480), fps=30.0, noise=0.2, seed=1)
    start = time.perf_counter()
    frames = 0

    def count(done: int, _total: int) -> None:
        nonlocal frames
        frames = done

    make_clip(str(photo), spec, out=str(out), progress=count)
    return out, frames / (time.perf_counter() - start)


def decoded(video: Path) -> list[tuple[int, object]]:
    from facefit.vision.sources import open_source

    with open_source(video) as source:
        return [(frame.t_ms, frame.rgb) for frame in source]


def landmarker_only(frames: list[tuple[int, object]]) -> float:
    """ms/frame of the bare MediaPipe VIDEO-mode call with the options FaceFit uses."""
    import mediapipe as mp
    from mediapipe.tasks.python import BaseOptions, vision

    from facefit.vision.model import resolve_model_path

    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model_path())),
        running_mode=vision.RunningMode.VIDEO,
        num_faces=4,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    with vision.FaceLandmarker.create_from_options(options) as task:
        start = time.perf_counter()
        for t_ms, rgb in frames:
            task.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), t_ms)
        spent = time.perf_counter() - start
    return 1000 * spent / len(frames)


def full_perception(frames: list[tuple[int, object]]) -> float:
    """ms/frame of FaceFit's per-frame path: wrapper, FaceObservation, signal vector."""
    from facefit.signals.compute import signals_from_observation
    from facefit.vision.landmarker import Landmarker, RunningMode

    with Landmarker(RunningMode.VIDEO) as landmarker:
        start = time.perf_counter()
        for t_ms, rgb in frames:
            signals_from_observation(landmarker.detect(rgb, t_ms))  # type: ignore[arg-type]
        spent = time.perf_counter() - start
    return 1000 * spent / len(frames)


def signals_only(video: Path, repeats: int = 20) -> tuple[float, float]:
    """µs/frame of the signal computation alone: per frame, and batched over the clip."""
    from facefit.signals.compute import signals_batch, signals_from_arrays
    from facefit.signals.extract import extract_signals

    e = extract_signals(video, keep_landmarks=True)
    assert e.landmarks is not None
    present = ~e.missing_mask
    lm = e.landmarks[present]
    start = time.perf_counter()
    for _ in range(repeats):
        for points in lm:
            signals_from_arrays(points, e.size)
    per_frame = 1e6 * (time.perf_counter() - start) / (repeats * len(lm))
    start = time.perf_counter()
    for _ in range(repeats):
        signals_batch(lm, e.size)
    batched = 1e6 * (time.perf_counter() - start) / (repeats * len(lm))
    return per_frame, batched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, help="benchmark this video instead of a synth clip")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the synth clip")
    args = parser.parse_args()

    import mediapipe  # noqa: F401  (import time is not perception time)

    import facefit.signals.extract  # noqa: F401

    synth_fps = None
    if args.video:
        video = args.video
    else:
        video, synth_fps = synth_clip(args.seconds)
    frames = decoded(video)
    height, width = frames[0][1].shape[:2]  # type: ignore[attr-defined]
    print(f"clip: {video} ({len(frames)} frames, {width}x{height}); {args.rounds} interleaved rounds")
    if synth_fps is not None:
        print(f"synth generation: {synth_fps:.1f} frames/s ({1000 / synth_fps:.1f} ms/frame, 640x480, "
              "mp4 encoding included)")

    base, full = [], []
    for round_index in range(args.rounds):
        base.append(landmarker_only(frames))
        full.append(full_perception(frames))
        print(f"  round {round_index + 1}: landmarker-only {base[-1]:6.2f} ms/frame, "
              f"full perception+signals {full[-1]:6.2f} ms/frame, ratio {full[-1] / base[-1]:.3f}")
    ratios = [f / b for f, b in zip(full, base, strict=True)]
    for label, values in (("landmarker-only        ", base), ("full perception+signals", full)):
        print(f"{label}  {statistics.median(values):6.2f} ms/frame (round median; best {min(values):.2f})")
    print(f"ratio full / landmarker-only: median {statistics.median(ratios):.3f}, "
          f"best-vs-best {min(full) / min(base):.3f}  (goal <= 1.10)")

    from facefit.signals.extract import extract_signals

    start = time.perf_counter()
    extraction = extract_signals(video)
    spent = time.perf_counter() - start
    per_ms = 1000 * spent / extraction.frames
    print(f"extract_signals on the file (decode + model + batch signals): {per_ms:.2f} ms/frame, "
          f"{extraction.frames / spent:.1f} frames/s")
    per_frame, batched = signals_only(video)
    print(f"signals alone: {per_frame:.1f} µs/frame one at a time, {batched:.2f} µs/frame batched")


if __name__ == "__main__":
    main()
