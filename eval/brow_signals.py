"""Which brow measurement sees an isometric brow press best? Compares candidates on cached eval clips.

    .venv/bin/python eval/brow_signals.py [--seed 11] [--clip KEY]

Reads the landmarker observations ``eval/evaluate.py`` cached for a seed (build them first, e.g.
``eval/evaluate.py --seed 11 --exercises brow-smoothener,forehead-relaxer``) and, for every brow
exercise clip, measures each candidate's hold-vs-rest contrast (median in the truth's holds minus
median in its rests, signed so a correct press is positive) over its rest noise (1.4826 x MAD at rest,
where the talk/blink/sway distractors happen): d'. Higher is better; a clip near 0 is one no candidate
sees. This is how ``brow_lift_*`` (eye corners as the reference) was chosen over the pupil-based
``brow_height_*``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

from facefit.signals.compute import pupil_axes
from facefit.vision.mesh import (
    BROW_L,
    BROW_R,
    BROW_UPPER_L,
    BROW_UPPER_R,
    CANTHI_L,
    CANTHI_R,
    NOSE_BRIDGE,
    PUPIL_L,
    PUPIL_R,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
import evaluate  # the sibling script: plans, photos and the cache layout

BROW_UPPER = (BROW_UPPER_R, BROW_UPPER_L)
BROW_LINE = (BROW_R, BROW_L)
CANTHI = (CANTHI_R, CANTHI_L)


def _down_axis(landmarks: np.ndarray, size: np.ndarray) -> np.ndarray:
    """Every landmark's coordinate down the face (pupil-line axes, IPD units), as the signals use."""
    pixels = landmarks[:, :, :2] * size
    return pupil_axes(pixels, pixels[:, PUPIL_R], pixels[:, PUPIL_L])[1]


def candidates(data: Any) -> dict[str, np.ndarray]:
    """Mean brow height of both sides by each candidate reference (larger = brows higher)."""
    y = _down_axis(data["landmarks"].astype(np.float64), np.asarray(data["size"], dtype=np.float64))

    def mean(points: tuple[int, ...]) -> np.ndarray:
        return y[:, list(points)].mean(axis=1)

    def both(reference: tuple[np.ndarray, np.ndarray], brows: tuple[tuple[int, ...], ...]) -> np.ndarray:
        return ((reference[0] - mean(brows[0])) + (reference[1] - mean(brows[1]))) / 2

    pupils = (y[:, PUPIL_R], y[:, PUPIL_L])
    canthi = (mean(CANTHI[0]), mean(CANTHI[1]))
    bridge = (y[:, NOSE_BRIDGE], y[:, NOSE_BRIDGE])
    return {
        "pupil, upper brow (brow_height)": both(pupils, BROW_UPPER),
        "canthi, upper brow": both(canthi, BROW_UPPER),
        "canthi, brow line (brow_lift)": both(canthi, BROW_LINE),
        "nose bridge 168, brow line": both(bridge, BROW_LINE),
    }


def d_prime(t: np.ndarray, signal: np.ndarray, truth: dict[str, Any], sign: float) -> float:
    hold = np.zeros(len(t), dtype=bool)
    rest = (t >= truth["rest"]["start_s"]) & (t <= truth["rest"]["end_s"])
    for rep in truth["reps"]:
        hold |= (t >= rep["hold_start_s"] + 0.2) & (t <= rep["hold_end_s"] - 0.2)
    for start, end in truth["rests"]:
        rest |= (t >= start + 0.3) & (t <= end - 0.3)
    ok = np.isfinite(signal)
    at_rest = signal[rest & ok]
    noise = 1.4826 * float(np.median(np.abs(at_rest - np.median(at_rest))))
    contrast = sign * float(np.median(signal[hold & ok]) - np.median(at_rest))
    return contrast / max(noise, 1e-9)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--clip", help="only this clip key")
    parser.add_argument("--data", type=Path, default=evaluate.REPO / "eval-data")
    args = parser.parse_args()
    import json

    plans = evaluate.plan(args.seed, 60, 12, 4, evaluate.photos(args.data))
    brows = ("brow-smoothener", "forehead-relaxer")
    wanted = [p for p in plans if p["kind"] == "exercise" and p["exercise"] in brows
              and (args.clip is None or p["key"] == args.clip)]
    scores: dict[str, list[float]] = {}
    for p in wanted:
        path = args.data / "clips" / f"{p['key']}.npz"
        if not path.exists():
            continue
        data = np.load(path)
        truth = json.loads(str(data["truth"]))
        sign = 1.0 if p["exercise"] == "brow-smoothener" else -1.0
        t = data["t_ms"] / 1000.0
        row = {name: d_prime(t, signal, truth, sign) for name, signal in candidates(data).items()}
        for name, value in row.items():
            scores.setdefault(name, []).append(value)
        print(f"{p['key']} {p['exercise']:16s} {Path(p['photo']).name:18s} "
              + "  ".join(f"{v:5.1f}" for v in row.values()))
    if not scores:
        print(f"no cached brow clips for seed {args.seed}: run eval/evaluate.py --seed {args.seed} first")
        return 1
    print(f"\nd' over {len(next(iter(scores.values())))} clips (hold-vs-rest contrast / rest noise):")
    for name, values in scores.items():
        print(f"  {name:34s} median {np.median(values):5.1f}  min {np.min(values):5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
