"""Does the coaching engine need 30 frames a second, or do 15 give the same results? (issue 18)

    nice -n 10 .venv/bin/python eval/frame_rate.py            # build (or reuse) the 30 fps clips, compare

The browser can send every camera frame (30 fps) or every other one (15 fps); every frame the server
takes costs it the same, so the rate decides how many people one server coaches. This renders a small
set of clips at 30 fps exactly as ``eval/evaluate.py`` does (same plan, same photos, same landmarker,
same cache in ``eval-data/clips/``), makes the 15 fps version of each by keeping every other frame (what
a browser sending at 15 fps delivers from a 30 fps camera), and scores both with ``evaluate.score``:
exact-count rate, hold error, false reps on distractor clips, fault precision/recall, twitch stops,
unexpected safety stops; then how often the two rates gave the same rep count on the same clip.

Seed 5001 (declared in eval/README.md before it was scored): nothing is tuned on it; it only decides
the rate the browser sends at.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evaluate  # the sibling module: plans, rendering, scoring

HIGH, LOW = 30.0, 15.0


def plans_at(seed: int, clips: int, distractors: int, twitches: int, data: Path) -> list[dict[str, Any]]:
    """The evaluation's plans for ``seed``, rendered at 30 fps (their own cache keys)."""
    plans = evaluate.plan(seed, clips, distractors, twitches, evaluate.photos(data))
    for p in plans:
        p["fps"] = HIGH
        p.pop("key")
        p["key"] = hashlib.sha1(json.dumps([evaluate.VERSION, p], sort_keys=True).encode()).hexdigest()[:16]
    return plans


def halved(p: dict[str, Any], cache: Path) -> dict[str, Any]:
    """The 15 fps twin of a 30 fps clip: every other frame of its cached observations."""
    low = {**p, "fps": LOW, "key": f"{p['key']}-15fps"}
    path = cache / f"{low['key']}.npz"
    if not path.exists():
        data = np.load(cache / f"{p['key']}.npz")
        keep = {k: data[k][::2] for k in ("t_ms", "landmarks", "blendshapes", "transforms")}
        tmp = path.with_suffix(".tmp.npz")
        np.savez_compressed(tmp, **keep, size=data["size"], truth=data["truth"])
        tmp.replace(path)
    return low


def counts(plans: list[dict[str, Any]], cache: Path) -> dict[str, int]:
    """Reps counted per clip (exercise clips analysed with their own rep count as the target)."""
    from facefit.practice.analyze import analyze_series

    out = {}
    for p in plans:
        series, _truth = evaluate.load_series(cache / f"{p['key']}.npz")
        target = p["reps"] if p["kind"] == "exercise" else None
        result, _ = analyze_series(series, exercise_id=p["analyze_as"], fps=p["fps"], reps_target=target)
        out[p["key"].removesuffix("-15fps")] = len(result["reps"])
    return out


def bench_stream(cache: Path) -> tuple[int, int] | None:
    """Reps counted on the load benchmark's 30 fps cheek-lifter stream (3 reps) at 30 and at 15 fps."""
    path = cache / "cheek-lifter-stream.npz"
    if not path.exists():
        return None
    from facefit.practice.analyze import analyze_series
    from facefit.signals.compute import signals_batch
    from facefit.signals.names import SignalSeries

    data = np.load(path)
    values = signals_batch(data["landmarks"], tuple(int(v) for v in data["size"]), data["blendshapes"],
                           data["transforms"])
    t_ms = np.arange(len(values)) * 1000.0 / HIGH
    found = []
    for step, fps in ((1, HIGH), (2, LOW)):
        result, _ = analyze_series(SignalSeries(t_ms[::step], values[::step]), exercise_id="cheek-lifter",
                                   fps=fps)
        found.append(len(result["reps"]))
    return found[0], found[1]


ROWS = (("exact_count_rate", "exact-count rate", "{:.1%}"), ("mean_abs_count_error", "mean |count error|",
        "{:.3f}"), ("hold_error_mean_s", "hold error mean (s)", "{:.3f}"),
        ("hold_error_p95_s", "hold error p95 (s)", "{:.3f}"), ("false_reps_per_min", "false reps / min",
        "{:.3f}"), ("twitch_detected", "twitch stops", "{}"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=5001)
    parser.add_argument("--clips", type=int, default=24)
    parser.add_argument("--distractor-clips", type=int, default=6)
    parser.add_argument("--twitch-clips", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=evaluate.REPO / "eval-data")
    parser.add_argument("--bench-cache", type=Path, default=Path("/tmp/facefit-bench-ws"),
                        help="where bench/bench_ws_load.py keeps its landmark stream")
    args = parser.parse_args(argv)

    cache = args.data / "clips"
    high = plans_at(args.seed, args.clips, args.distractor_clips, args.twitch_clips, args.data)
    evaluate.build_all(high, cache, args.workers)
    low = [halved(p, cache) for p in high]
    reports = {HIGH: evaluate.score(high, cache), LOW: evaluate.score(low, cache)}
    print(f"seed {args.seed}: {reports[HIGH]['clips']} exercise clips, {reports[HIGH]['distractor_clips']} "
          f"distractor clips, {reports[HIGH]['twitch_clips']} twitch clips, rendered at 30 fps")
    print(f"{'':24} {'30 fps':>10} {'15 fps':>10}")
    for key, label, fmt in ROWS:
        cells = [fmt.format(reports[f][key]) if reports[f][key] is not None else "-" for f in (HIGH, LOW)]
        print(f"{label:24} " + " ".join(f"{c:>10}" for c in cells))
    for kind in evaluate.FAULT_MAP:
        print(f"{kind + ' P/R':24} " + " ".join(
            f"{reports[f]['faults'][kind]['precision']:.2f}/{reports[f]['faults'][kind]['recall']:.2f}".rjust(10)
            for f in (HIGH, LOW)))
    print(f"{'unexpected safety stops':24} " + " ".join(f"{len(reports[f]['unexpected_safety']):>10}"
                                                      for f in (HIGH, LOW)))
    a, b = counts(high, cache), counts(low, cache)
    same = sum(a[k] == b[k] for k in a)
    print(f"same rep count at both rates: {same} of {len(a)} clips")
    for k in a:
        if a[k] != b[k]:
            print(f"  {k}: {a[k]} at 30 fps, {b[k]} at 15 fps")
    stream = bench_stream(args.bench_cache)
    if stream is not None:
        print(f"load benchmark stream (cheek-lifter, 3 reps): {stream[0]} reps at 30 fps, "
              f"{stream[1]} at 15 fps")
    out = args.data / f"report-frame-rate-{args.seed}.json"
    out.write_text(json.dumps({"seed": args.seed, "30": reports[HIGH], "15": reports[LOW],
                               "same_count": [same, len(a)]}, indent=1, default=float))
    return 0


if __name__ == "__main__":
    sys.exit(main())
