"""Writes eval_signals.npz and eval_expected.json: real-landmarker signals and the engine's events on them.

Run on purpose only (the files are committed; regenerating them hides a behaviour change):

    .venv/bin/python eval/evaluate.py --seed 11 --clips 20 --distractor-clips 4 --twitch-clips 2 \
        --data /tmp/p14-eval                       # the cached clips (the landmarker's observations)
    .venv/bin/python tests/coach/golden/make_eval_golden.py /tmp/p14-eval/clips

After a deliberate engine change, the expected events alone are rewritten from the committed signals
(the cached clips need not exist): ``make_eval_golden.py --from-signals``.

Four clips of that set (cheek lifter with teeth showing, a cheek-lifter twitch stop, a forehead press, a
neck tightener with parted lips), their signals computed once and kept, so the test isolates the engine
from signal changes. Only the columns the engine's features read (coach/features.py MATRIX) and
face_present are kept; the others are zero, which gives the same events (checked when writing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from facefit.coach.engine import Engine
from facefit.coach.features import MATRIX
from facefit.signals.compute import signals_batch
from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES, SignalSeries

HERE = Path(__file__).parent
CLIPS = {"10622da279a288b4": ("cheek-lifter", "brow-smoothener"), "657e8135cf49fa2c": ("cheek-lifter",),
         "2ed22e68d828ad49": ("forehead-relaxer",), "5dd4b573d2249dcb": ("neck-tightener",)}


def main(cache: Path) -> None:
    keep = sorted(set(np.flatnonzero(np.any(MATRIX != 0, axis=1)).tolist()) | {SIGNAL_INDEX["face_present"]})
    arrays: dict[str, np.ndarray] = {"columns": np.array([SIGNAL_NAMES[i] for i in keep])}
    expected: dict[str, list[dict]] = {}
    for i, (key, exercises) in enumerate(CLIPS.items()):
        data = np.load(cache / f"{key}.npz")
        values = signals_batch(data["landmarks"].astype(np.float64), tuple(int(v) for v in data["size"]),
                               data["blendshapes"].astype(np.float64), data["transforms"].astype(np.float64))
        reduced = np.zeros_like(values)
        reduced[:, keep] = values[:, keep]
        t_ms = data["t_ms"].astype(np.int64)
        arrays[f"clip{i}_t_ms"], arrays[f"clip{i}_values"] = t_ms, values[:, keep]
        reps = len(json.loads(str(data["truth"]))["reps"])
        for exercise in exercises:
            for target in (reps, None):
                full = Engine.for_exercise(exercise, reps_target=target)
                full.run(SignalSeries(t_ms.astype(float), values))
                full.finish()
                engine = Engine.for_exercise(exercise, reps_target=target)
                engine.run(SignalSeries(t_ms.astype(float), reduced))
                engine.finish()
                events = [e.to_dict() for e in engine.events]
                assert events == [e.to_dict() for e in full.events], (key, exercise, target)
                expected[f"clip{i}|{exercise}|{target}"] = events
    np.savez_compressed(HERE / "eval_signals.npz", **arrays)
    (HERE / "eval_expected.json").write_text(json.dumps(expected, indent=0, sort_keys=True) + "\n")


def events_from_signals() -> None:
    """Rewrite eval_expected.json from the committed eval_signals.npz: the same keys, today's engine."""
    data = np.load(HERE / "eval_signals.npz")
    columns = [SIGNAL_INDEX[str(name)] for name in data["columns"]]
    path = HERE / "eval_expected.json"
    expected: dict[str, list[dict]] = json.loads(path.read_text())
    for key in expected:
        clip, exercise, target = key.split("|")
        values = np.zeros((len(data[f"{clip}_t_ms"]), len(SIGNAL_NAMES)))
        values[:, columns] = data[f"{clip}_values"]
        engine = Engine.for_exercise(exercise, reps_target=None if target == "None" else int(target))
        engine.run(SignalSeries(data[f"{clip}_t_ms"].astype(float), values))
        engine.finish()
        expected[key] = [e.to_dict() for e in engine.events]
    path.write_text(json.dumps(expected, indent=0, sort_keys=True) + "\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["--from-signals"]:
        events_from_signals()
    else:
        main(Path(sys.argv[1]))
