"""Perception overhead: FaceFit's landmarker wrapper + signals against the bare MediaPipe call, same frames.

    .venv/bin/python bench/bench_perception.py [--video FILE] [--rounds 3] [--seconds 10]

Without ``--video`` a 640x480 30 fps cheek-lifter clip is generated with ``facefit.synth`` (timed: that
is the synth generation fps figure) into ``out/bench/`` (gitignored). Every frame is decoded into
memory once, so decoding is in neither figure. Then, interleaved for ``--rounds`` rounds (the machine
is shared, so the two are timed frame by frame, one right after the other, in alternating order):

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


def _bare_task() -> object:
    """The bare MediaPipe Face Landmarker (VIDEO mode) with the options FaceFit uses."""
    from mediapipe.tasks.python import BaseOptions, vision

    from facefit.vision.model import resolve_model_path

    options = vision.FaceLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=str(resolve_model_path())),
        running_mode=vision.RunningMode.VIDEO,
        num_faces=4,
        output_face_blendshapes=True,
        output_facial_transformation_matrixes=True,
    )
    return vision.FaceLandmarker.create_from_options(options)


def paired_pass(frames: list[tuple[int, object]]) -> tuple[list[float], list[float]]:
    """Per-frame seconds of (bare MediaPipe call, FaceFit wrapper + signals) on the same frame, one right
    after the other in alternating order, so both see the same machine load (it is shared)."""
    import mediapipe as mp

    from facefit.signals.compute import signals_from_observation
    from facefit.vision.landmarker import Landmarker, RunningMode

    bare_times: list[float] = []
    full_times: list[float] = []
    with _bare_task() as task, Landmarker(RunningMode.VIDEO) as landmarker:  # type: ignore[attr-defined]
        for index, (t_ms, rgb) in enumerate(frames):
            for which in ((0, 1) if index % 2 == 0 else (1, 0)):
                start = time.perf_counter()
                if which == 0:
                    task.detect_for_video(mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb), t_ms)
                    bare_times.append(time.perf_counter() - start)
                else:
                    signals_from_observation(landmarker.detect(rgb, t_ms))  # type: ignore[arg-type]
                    full_times.append(time.perf_counter() - start)
    return bare_times, full_times


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

    ratios, bases, fulls = [], [], []
    for round_index in range(args.rounds):
        bare_times, full_times = paired_pass(frames)
        base_ms = 1000 * statistics.median(bare_times)
        full_ms = 1000 * statistics.median(full_times)
        paired = statistics.median(f / b for f, b in zip(full_times, bare_times, strict=True))
        total = sum(full_times) / sum(bare_times)
        bases.append(base_ms)
        fulls.append(full_ms)
        ratios.append(total)
        print(f"  round {round_index + 1}: landmarker-only {base_ms:6.2f} ms/frame, full perception+signals "
              f"{full_ms:6.2f} ms/frame (medians); ratio of totals {total:.3f}, "
              f"median per-frame ratio {paired:.3f}")
    print(f"landmarker-only          {statistics.median(bases):6.2f} ms/frame")
    print(f"full perception+signals  {statistics.median(fulls):6.2f} ms/frame")
    print(f"ratio full / landmarker-only: {statistics.median(ratios):.3f} (median over rounds of total-time "
          "ratios; goal <= 1.10)")

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
