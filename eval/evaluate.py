"""Accuracy of the coaching engine against synthetic ground truth (not a unit test; run it when tuning).

    .venv/bin/python eval/evaluate.py                 # build (or reuse) the clip set, score, print table
    .venv/bin/python eval/evaluate.py --score-only    # re-score cached signals after changing specs

The set is recreated from ``--seed``: by default 120 exercise clips over 5 photos (every checked
exercise, 1-12 reps, random holds, tempos, noise, distractors and teeth/asymmetry/jerky faults on
random reps), 24 distractor-only clips (talking, blinking, head sway, no exercise) and 8 twitch clips. Each
clip is rendered in memory by ``facefit.synth`` at 480x360, 15 fps, run through the real Face
Landmarker (one per worker process, both cores) and its observations (landmarks, blendshapes, head
transform) cached in ``eval-data/`` (gitignored), so re-scoring after a threshold or signal change takes
seconds. Reported: exact-count rate, mean absolute count
error, hold duration error, false reps per minute on distractor clips, fault precision/recall, twitch
detection and unexpected safety stops. Results also go to ``eval-data/report.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import wide  # the sibling module: the wider evaluation's plans and webcam conditions

os.environ.setdefault("GLOG_minloglevel", "2")
REPO = Path(__file__).resolve().parents[1]
REAL = Path(os.environ.get("FACEFIT_REAL_DATA", REPO.parent / "shared" / "data" / "real"))
EXERCISES = ("cheek-lifter", "jawline-toner", "jawline-definition", "neck-tightener", "brow-smoothener",
             "forehead-relaxer")
SIDED = {"cheek-lifter", "brow-smoothener", "forehead-relaxer"}
CLOSED_LIPS = {"cheek-lifter", "neck-tightener"}
FAULT_MAP = {"teeth": "teeth-showing", "asymmetry": "asymmetry", "jerky": "jerky-onset"}
SIZE = (480, 360)
FPS = 15.0
BROW_PRESSES = {"brow-smoothener", "forehead-relaxer"}
#: Photos whose glasses frames cover the brows. The catalog's brow exercises ask camera-coached users
#: to take such glasses off, and the landmarker cannot follow a brow press behind a thick frame (on
#: grace_hopper.jpg a pressed-down brow moves no landmark: eval/brow_signals.py d' ~0), so brow presses
#: on these photos are outside the coaching protocol: scored, and reported apart.
BROWS_HIDDEN_BY_GLASSES = {"grace_hopper.jpg"}
#: The wide set's photos whose brows something else covers: pyfeat_beard.png has a hand on the forehead,
#: fingers over the brows (decided from the photo, before any scoring).
BROWS_HIDDEN = {*BROWS_HIDDEN_BY_GLASSES, "pyfeat_beard.png"}
VERSION = 4  # bump when the clip recipe or cache format changes, so cached clips are rebuilt
# 3: the cache holds the landmarker's observations (not signals), so a new signal definition is scored
#    without re-rendering
# 4: observations from the landmarker with recovery of lost faces (facefit.vision.landmarker), and which
#    frames were recovered, so --tracker-only scores the same clips as the tracker alone would have read them


def photos(data: Path) -> list[str]:
    """Five frontal photos: three from the shared real set, two bundled with installed packages."""
    import matplotlib

    out = [str(REAL / name) for name in ("obama.jpg", "biden.jpg", "single_face.jpg")]
    out.append(str(Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"))
    astronaut = data / "photos" / "astronaut.png"
    if not astronaut.exists():
        import cv2
        from skimage import data as skdata

        astronaut.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(astronaut), cv2.cvtColor(skdata.astronaut(), cv2.COLOR_RGB2BGR))
    out.append(str(astronaut))
    return out


def plan(
    seed: int, n_clips: int, n_distractor: int, n_twitch: int, photo_list: list[str]
) -> list[dict[str, Any]]:
    """Every clip's parameters, reproducible from ``seed``."""
    from facefit.synth.spec import EXERCISE_TIMING

    rng = np.random.default_rng(seed)
    plans: list[dict[str, Any]] = []
    for i in range(n_clips):
        exercise = EXERCISES[i % len(EXERCISES)]
        hold, up, down = EXERCISE_TIMING[exercise]
        reps = int(rng.integers(1, 13))
        faults: list[dict[str, Any]] = []
        for kind, applies in (("teeth", exercise in CLOSED_LIPS), ("asymmetry", exercise in SIDED),
                              ("jerky", True)):
            if applies and rng.random() < 0.35:
                chosen = sorted({int(r) for r in rng.integers(1, reps + 1, size=max(1, reps // 3))})
                faults.append({"kind": kind, "reps": chosen})
        plans.append({
            "kind": "exercise", "exercise": exercise, "analyze_as": exercise,
            "photo": photo_list[int(rng.integers(len(photo_list)))],
            "reps": reps,
            "hold_s": round(max(1.0, float(rng.uniform(0.3, 0.9)) * hold), 2),
            "tempo_up_s": round(float(rng.uniform(0.7, 1.6)) * up, 2),
            "tempo_down_s": round(float(rng.uniform(0.7, 1.6)) * down, 2),
            "rest_s": round(float(rng.uniform(1.5, 3.0)), 2),
            "noise": round(float(rng.uniform(0.0, 0.6)), 2),
            "distractors": [d for d in ("talk", "blink", "sway") if rng.random() < 0.4],
            "faults": faults,
            "seed": int(rng.integers(1 << 30)),
        })
    for i in range(n_distractor):
        plans.append({
            "kind": "distractor", "exercise": "none", "analyze_as": EXERCISES[i % len(EXERCISES)],
            "photo": photo_list[i % len(photo_list)], "reps": 0,
            "rest_s": round(float(rng.uniform(20, 35)), 1),
            "noise": round(float(rng.uniform(0.0, 0.6)), 2),
            "distractors": ["talk", "blink", "sway"] if i % 2 == 0 else
            [d for d in ("talk", "blink", "sway") if rng.random() < 0.6] or ["talk"],
            "faults": [], "seed": int(rng.integers(1 << 30)),
        })
    for i in range(n_twitch):
        plans.append({
            "kind": "twitch", "exercise": "cheek-lifter", "analyze_as": "cheek-lifter",
            "photo": photo_list[(i + 2) % len(photo_list)], "reps": 3, "hold_s": 2.0, "rest_s": 3.0,
            "noise": 0.2, "distractors": [], "faults": [{"kind": "twitch", "reps": []}],
            "seed": int(rng.integers(1 << 30)),
        })
    for p in plans:
        p["key"] = hashlib.sha1(json.dumps([VERSION, p], sort_keys=True).encode()).hexdigest()[:16]
    return plans


def clip_spec(p: dict[str, Any]) -> Any:
    """The synth spec of a plan; wide plans (eval/wide.py) add fps, a render size and a rest head pose."""
    from facefit.synth.spec import ClipSpec, Fault

    return ClipSpec(
        exercise=p["exercise"], reps=p["reps"], hold_s=p.get("hold_s"), tempo_up_s=p.get("tempo_up_s"),
        tempo_down_s=p.get("tempo_down_s"), rest_s=p["rest_s"], fps=p.get("fps", FPS),
        size=wide.RENDER_SIZE[p["condition"]] if "condition" in p else SIZE, noise=p["noise"],
        seed=p["seed"], distractors=tuple(p["distractors"]),
        faults=tuple(Fault(f["kind"], tuple(f["reps"])) for f in p["faults"]),
        head_yaw_deg=p.get("head_yaw_deg", 0.0), head_pitch_deg=p.get("head_pitch_deg", 0.0),
    )


_IMAGE_LANDMARKER: Any = None


def _init_worker() -> None:
    global _IMAGE_LANDMARKER
    from facefit.vision.landmarker import Landmarker, RunningMode

    _IMAGE_LANDMARKER = Landmarker(RunningMode.IMAGE)


def build(args: tuple[dict[str, Any], str]) -> tuple[str, float, int]:
    """Render one clip, run the landmarker, cache signals + truth; returns (key, seconds, frames)."""
    p, cache = args
    path = Path(cache) / f"{p['key']}.npz"
    if path.exists():
        return p["key"], 0.0, 0
    from facefit.synth.clip import prepare_clip
    from facefit.vision.landmarker import Landmarker, RunningMode

    start = time.perf_counter()
    clip = prepare_clip(p["photo"], clip_spec(p), landmarker=_IMAGE_LANDMARKER)
    camera = wide.Camera(p)
    size = wide.OUTPUT_SIZE[p["condition"]] if "condition" in p else SIZE
    t_ms, observations = [], []
    with Landmarker(RunningMode.VIDEO) as landmarker:
        for frame in clip.frames():
            observations.append(landmarker.detect(camera(frame.rgb), frame.t_ms))
            t_ms.append(frame.t_ms)
    truth = clip.truth.to_dict()
    truth.pop("frame_values")
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, t_ms=np.asarray(t_ms, dtype=np.int64),
                        landmarks=np.stack([o.landmarks for o in observations]).astype(np.float32),
                        blendshapes=np.stack([o.blendshapes for o in observations]).astype(np.float32),
                        transforms=np.stack([o.transform for o in observations]).astype(np.float32),
                        recovered=np.asarray([o.recovered for o in observations], dtype=bool),
                        size=np.asarray(size), truth=json.dumps(truth))
    tmp.replace(path)
    return p["key"], time.perf_counter() - start, len(observations)


def build_all(plans: list[dict[str, Any]], cache: Path, workers: int) -> None:
    from rich.progress import Progress

    cache.mkdir(parents=True, exist_ok=True)
    todo = [(p, str(cache)) for p in plans if not (cache / f"{p['key']}.npz").exists()]
    if not todo:
        return
    frames = seconds = 0.0
    with Progress() as progress, mp.get_context("spawn").Pool(workers, initializer=_init_worker) as pool:
        task = progress.add_task(f"rendering + landmarks ({workers} workers)", total=len(todo))
        for _key, spent, n in pool.imap_unordered(build, todo):
            frames += n
            seconds += spent
            progress.advance(task)
    per_frame = seconds / max(frames, 1) * 1000
    print(f"built {len(todo)} clips, {int(frames)} frames, {per_frame:.1f} ms/frame/worker")


def _match(detected: list[dict[str, Any]], truth: list[dict[str, Any]]) -> list[tuple[int, int]]:
    """Pairs (detected index, truth index): a detected rep whose peak falls inside a truth rep."""
    pairs, used = [], set()
    for i, rep in enumerate(detected):
        for j, want in enumerate(truth):
            if j not in used and want["start_s"] - 0.3 <= rep["peak_s"] <= want["end_s"] + 0.3:
                pairs.append((i, j))
                used.add(j)
                break
    return pairs


def _expected_safety(truth: dict[str, Any]) -> dict[str, float]:
    """Safety stops a clip asks for, with the earliest time each is due: three asymmetric reps in a
    row are the engine's "new asymmetry" (symmetry well below the user's own baseline, as the issue
    specifies), due once the third of them has been held."""
    run = 0
    for rep in truth["reps"]:
        run = run + 1 if "asymmetry" in rep["faults"] else 0
        if run == 3:
            return {"new-asymmetry": float(rep["hold_end_s"])}
    return {}


def _reps_wanted(
    truth: dict[str, Any], safety: list[dict[str, Any]], due: dict[str, float]
) -> list[dict[str, Any]]:
    """The true reps of a set: a stop the clip asks for (``due``: not before it is due) ends the set,
    so the reps begun before it are what the coach should have counted; otherwise every rep."""
    for stop in safety:
        if stop["kind"] in due and stop["t_s"] >= due[stop["kind"]]:
            return [rep for rep in truth["reps"] if rep["start_s"] < stop["t_s"]]
    return list(truth["reps"])


def _unexpected(safety: list[dict[str, Any]], due: dict[str, float]) -> list[str]:
    """Safety stops the clip does not ask for, or that came before they were due."""
    return [s["kind"] for s in safety if s["kind"] not in due or s["t_s"] < due[s["kind"]]]


def load_series(path: Path, *, tracker_only: bool = False) -> tuple[Any, dict[str, Any]]:
    """A cached clip's signals (computed now from its landmarks, by today's signal code) and truth.

    ``tracker_only``: the frames the landmarker recovered after its tracker lost the face are read as no
    face, which is what the tracker alone gave (every frame it found is the same either way:
    tests/vision/test_recovery.py), so one build scores perception before and after recovery."""
    from facefit.signals.compute import signals_batch
    from facefit.signals.names import SignalSeries

    data = np.load(path)
    landmarks = data["landmarks"].astype(np.float64)
    blendshapes = data["blendshapes"].astype(np.float64)
    transforms = data["transforms"].astype(np.float64)
    if tracker_only and "recovered" in data:
        lost = data["recovered"]
        landmarks[lost], blendshapes[lost], transforms[lost] = np.nan, 0.0, np.nan
    values = signals_batch(landmarks, tuple(int(v) for v in data["size"]), blendshapes, transforms)
    return SignalSeries(data["t_ms"].astype(float), values), json.loads(str(data["truth"]))


def score(plans: list[dict[str, Any]], cache: Path, *, tracker_only: bool = False) -> dict[str, Any]:
    from facefit.practice.analyze import analyze_series

    exact = count_err = n_count = 0
    hold_errors: list[float] = []
    false_reps = distractor_minutes = 0.0
    twitch_hit = twitch_n = 0
    unexpected_safety: list[str] = []
    misses: list[str] = []
    per_exercise: dict[str, list[int]] = {e: [0, 0] for e in EXERCISES}
    hold_by_exercise: dict[str, list[float]] = {e: [] for e in EXERCISES}
    outside = {"clips": 0, "exact": 0, "not_seen_said": 0}
    hold_errors_in: list[float] = []
    # per fault kind and exercise: true positives, false positives, false negatives (per rep)
    by_exercise: dict[tuple[str, str], np.ndarray] = {(k, e): np.zeros(3, dtype=int)
                                                      for k in FAULT_MAP for e in EXERCISES}
    rows: list[dict[str, Any]] = []  # one per clip, for the wide set's breakdown tables
    asym_turned = np.zeros(3, dtype=int)  # cheek-lifter asymmetry tp/fp/fn with the head turned >= 10 deg
    for p in plans:
        series, truth = load_series(cache / f"{p['key']}.npz", tracker_only=tracker_only)
        # The clip's rep count is the set's target, as a routine would ask for it: with the catalog's
        # target (e.g. 5) a 12-rep clip is rightly stopped for overwork at 10, which is not a miss.
        target = p["reps"] if p["kind"] == "exercise" else None
        fps = p.get("fps", FPS)
        result, _engine = analyze_series(series, exercise_id=p["analyze_as"], fps=fps, reps_target=target)
        kinds = [s["kind"] for s in result["safety"]]
        row = _row(p, series, truth)
        rows.append(row)
        if p["kind"] == "outside" or row["bucket"] == "outside":  # asked for, or measured, beyond the range
            row.update(false_reps=len(result["reps"]),
                       said=any(f["kind"] == "face-camera" for f in result["faults"]))
            continue
        if p["kind"] == "twitch":
            twitch_n += 1
            twitch_hit += "twitch" in kinds
            row["twitch"] = "twitch" in kinds
            continue
        due = _expected_safety(truth)
        if _unexpected(result["safety"], due):
            unexpected_safety.append(f"{p['key']} {p['analyze_as']}: {kinds}")
        if p["kind"] == "distractor":
            false_reps += len(result["reps"])
            distractor_minutes += truth["duration_s"] / 60.0
            row.update(false_reps=len(result["reps"]), minutes=truth["duration_s"] / 60.0)
            if result["reps"]:
                misses.append(f"{p['key']} distractor as {p['analyze_as']}: {len(result['reps'])} false reps"
                              f"{_where(row)}")
            continue
        wanted = _reps_wanted(truth, result["safety"], due)
        got, want = len(result["reps"]), len(wanted)
        n_count += 1
        exact += got == want
        glasses = p["exercise"] in BROW_PRESSES and Path(p["photo"]).name in BROWS_HIDDEN
        if glasses:
            outside["clips"] += 1
            outside["exact"] += got == want
            outside["not_seen_said"] += any(f["kind"] == "not-seen" for f in result["faults"])
        count_err += abs(got - want)
        per_exercise[p["exercise"]][0] += got == want
        per_exercise[p["exercise"]][1] += 1
        row.update(exact=got == want, in_protocol=not glasses, hold_errors=[])
        if got != want:
            note = " (brows hidden)" if glasses else ""
            if want < len(truth["reps"]):
                note += f" (of {len(truth['reps'])}, rightly stopped: {', '.join(kinds)})"
            misses.append(f"{p['key']} {p['exercise']}: counted {got} of {want}{note}{_where(row)}")
        pairs = _match(result["reps"], wanted)
        matched_detected = {i for i, _ in pairs}
        for i, j in pairs:
            rep, want_rep = result["reps"][i], wanted[j]
            hold_errors.append(abs(rep["hold_s"] - (want_rep["hold_end_s"] - want_rep["hold_start_s"])))
            hold_by_exercise[p["exercise"]].append(hold_errors[-1])
            if not glasses:
                hold_errors_in.append(hold_errors[-1])
                row["hold_errors"].append(hold_errors[-1])
            for kind, name in FAULT_MAP.items():
                has, should = name in rep["faults"], kind in want_rep["faults"]
                counts = np.array([has and should, has and not should, should and not has])
                by_exercise[(kind, p["exercise"])] += counts
                if kind == "asymmetry" and p["exercise"] == "cheek-lifter" and abs(row["rest_yaw"]) >= 10:
                    asym_turned += counts
        for i, rep in enumerate(result["reps"]):
            if i not in matched_detected:
                for kind, name in FAULT_MAP.items():
                    by_exercise[(kind, p["exercise"])][1] += name in rep["faults"]
                    if kind == "asymmetry" and p["exercise"] == "cheek-lifter" and abs(row["rest_yaw"]) >= 10:
                        asym_turned[1] += name in rep["faults"]
    faults = {}
    for kind in FAULT_MAP:
        tp, fp, fn = (int(v) for v in sum(c for (k, _e), c in by_exercise.items() if k == kind))
        faults[kind] = {"precision": tp / max(tp + fp, 1), "recall": tp / max(tp + fn, 1), "support": tp + fn}
    return {
        "clips": n_count,
        "distractor_clips": sum(p["kind"] == "distractor" for p in plans),
        "twitch_clips": twitch_n,
        "photos": len({p["photo"] for p in plans}),
        "exact_count_rate": exact / max(n_count, 1),
        "exact_count_rate_in_protocol": (exact - outside["exact"]) / max(n_count - outside["clips"], 1),
        "outside_protocol": outside,
        "hold_error_mean_s_in_protocol": float(np.mean(hold_errors_in)) if hold_errors_in else None,
        "mean_abs_count_error": count_err / max(n_count, 1),
        "hold_error_mean_s": float(np.mean(hold_errors)) if hold_errors else None,
        "hold_error_p95_s": float(np.percentile(hold_errors, 95)) if hold_errors else None,
        "false_reps_per_min": false_reps / max(distractor_minutes, 1e-9),
        "distractor_minutes": distractor_minutes,
        "faults": faults,
        "twitch_detected": f"{twitch_hit}/{twitch_n}",
        "unexpected_safety": unexpected_safety,
        "per_exercise_exact": {e: f"{a}/{b}" for e, (a, b) in per_exercise.items()},
        "per_exercise_hold_error_s": {e: round(float(np.mean(v)), 3) if v else None
                                      for e, v in hold_by_exercise.items()},
        "faults_per_exercise": {
            kind: {e: f"tp {c[0]} fp {c[1]} fn {c[2]}" for (k, e), c in by_exercise.items()
                   if k == kind and c.any()}
            for kind in FAULT_MAP
        },
        "misses": misses,
        "asymmetry_turned": {"tp": int(asym_turned[0]), "fp": int(asym_turned[1]), "fn": int(asym_turned[2]),
                             "precision": asym_turned[0] / max(asym_turned[0] + asym_turned[1], 1)},
        "rows": rows,
        "measured_outside_range": sum(r["bucket"] == "outside" and r["kind"] != "outside" for r in rows),
    }


def _row(p: dict[str, Any], series: Any, truth: dict[str, Any]) -> dict[str, Any]:
    """A clip's identity for the breakdown: face, condition, fps and the rest pose the landmarker measured
    over the lead rest (median head yaw and pitch), with its bucket."""
    t = series.t_ms / 1000.0
    rest = (t >= truth["rest"]["start_s"]) & (t <= truth["rest"]["end_s"])
    yaw = float(np.nanmedian(series.column("head_yaw")[rest])) if rest.any() else float("nan")
    pitch = float(np.nanmedian(series.column("head_pitch")[rest])) if rest.any() else float("nan")
    return {"key": p["key"], "kind": p["kind"], "exercise": p["analyze_as"], "face": Path(p["photo"]).stem,
            "condition": p.get("condition", "base"), "fps": int(p.get("fps", FPS)),
            "rest_yaw": round(yaw, 1), "rest_pitch": round(pitch, 1),
            "bucket": p.get("bucket") if p["kind"] == "outside" else wide.measured_bucket(yaw, pitch),
            "target_bucket": p.get("bucket", "frontal")}


def _where(row: dict[str, Any]) -> str:
    return (f" [{row['face']}, {row['condition']}, {row['fps']} fps, rest yaw {row['rest_yaw']:+.0f} "
            f"pitch {row['rest_pitch']:+.0f}]")


def print_report(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("measure", "value", "goal", title="FaceFit coaching engine vs synthetic ground truth")
    table.add_row("exercise clips / photos", f"{report['clips']} / {report['photos']}", ">= 50 / >= 4")
    table.add_row("exact count rate, all clips", f"{report['exact_count_rate']:.1%}", ">= 98%")
    out = report["outside_protocol"]
    inside = report["clips"] - out["clips"]
    table.add_row("  excl. brow presses behind glasses",
                  f"{report['exact_count_rate_in_protocol']:.1%} ({inside} clips)", "")
    table.add_row("  brow presses behind glasses",
                  f"{out['exact']}/{out['clips']} ('not-seen' said on {out['not_seen_said']})", "")
    table.add_row("mean |count error|", f"{report['mean_abs_count_error']:.3f}", "")
    hold = report["hold_error_mean_s"]
    table.add_row("hold error mean (p95), s",
                  "-" if hold is None else f"{hold:.3f} ({report['hold_error_p95_s']:.3f})", "<= 0.3")
    hold_in = report["hold_error_mean_s_in_protocol"]
    table.add_row("  excl. brow presses behind glasses", "-" if hold_in is None else f"{hold_in:.3f}", "")
    table.add_row("false reps / min on distractor clips",
                  f"{report['false_reps_per_min']:.2f} ({report['distractor_clips']} clips, "
                  f"{report['distractor_minutes']:.1f} min)", "0")
    for kind, f in report["faults"].items():
        table.add_row(f"{kind} fault precision / recall",
                      f"{f['precision']:.2f} / {f['recall']:.2f} (n={f['support']})", "")
    table.add_row("twitch clips stopped for twitch", report["twitch_detected"], "all")
    table.add_row("unexpected safety stops", str(len(report["unexpected_safety"])), "0")
    table.add_row("clips whose rest is beyond the operating range (scored apart)",
                  str(report["measured_outside_range"]), "")
    Console().print(table)
    print("exact per exercise:", report["per_exercise_exact"])
    print("hold error per exercise (s):", report["per_exercise_hold_error_s"])
    for kind, counts in report["faults_per_exercise"].items():
        print(f"{kind} fault per exercise:", counts)
    for line in report["misses"] + report["unexpected_safety"]:
        print("  ", line)


def breakdown(rows: list[dict[str, Any]], by: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """Exact-count rate in protocol, hold error and false reps per minute for every value of ``by``."""
    cells: dict[str, dict[str, Any]] = {}
    for row in rows:
        if row["kind"] not in ("exercise", "distractor") or row["bucket"] == "outside":
            continue
        key = " / ".join(str(row[name]) for name in by)
        cell = cells.setdefault(key, {"exact": 0, "clips": 0, "hold": [], "false_reps": 0, "minutes": 0.0})
        if row["kind"] == "exercise" and row["in_protocol"]:
            cell["exact"] += row["exact"]
            cell["clips"] += 1
            cell["hold"] += row["hold_errors"]
        elif row["kind"] == "distractor":
            cell["false_reps"] += row["false_reps"]
            cell["minutes"] += row["minutes"]
    return {
        key: {"exact": f"{c['exact']}/{c['clips']}", "rate": c["exact"] / max(c["clips"], 1),
              "hold_error_s": round(float(np.mean(c["hold"])), 3) if c["hold"] else None,
              "false_reps_per_min": round(c["false_reps"] / c["minutes"], 3) if c["minutes"] else None}
        for key, c in sorted(cells.items())
    }


BREAKDOWNS: tuple[tuple[str, ...], ...] = (
    ("bucket",), ("face",), ("condition",), ("fps",), ("bucket", "face"), ("bucket", "condition"),
)


def print_breakdown(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    for by, cells in report["breakdown"].items():
        table = Table(by, "exact in protocol", "hold error s", "false reps/min", title=f"by {by}")
        for key, c in cells.items():
            table.add_row(key, f"{c['exact']} ({c['rate']:.1%})", str(c["hold_error_s"]),
                          str(c["false_reps_per_min"]))
        console.print(table)
    a = report["asymmetry_turned"]
    print(f"cheek-lifter asymmetry fault with the rest turned >= 10 deg: precision {a['precision']:.2f} "
          f"(tp {a['tp']} fp {a['fp']} fn {a['fn']})")
    for label, chosen in (("asked for 30-35 deg yaw", lambda r: r["kind"] == "outside"),
                          ("measured beyond the range", lambda r: r["kind"] != "outside")):
        outside = [r for r in report["rows"] if r["bucket"] == "outside" and chosen(r)]
        if outside:
            said = sum(r["said"] for r in outside)
            print(f"outside the operating range, {label}: {len(outside)} clips, 'face the camera' said on "
                  f"{said}, false reps {sum(r['false_reps'] for r in outside)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=2034)
    parser.add_argument("--clips", type=int, default=120)
    parser.add_argument("--distractor-clips", type=int, default=24)
    parser.add_argument("--twitch-clips", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--data", type=Path, default=REPO / "eval-data")
    parser.add_argument("--score-only", action="store_true", help="Only score clips already cached.")
    parser.add_argument("--build-only", action="store_true",
                        help="Only build the clips (a held-out set is built ahead and scored once, later).")
    parser.add_argument("--wide", action="store_true",
                        help="the wider set (eval/wide.py): off-axis rests, nine faces, webcam conditions")
    parser.add_argument("--outside-clips", type=int, default=4, help="wide set: clips at 30-35 deg yaw")
    parser.add_argument("--tracker-only", action="store_true",
                        help="score frames the landmarker recovered as no face (perception before recovery)")
    parser.add_argument("--exercises", default="",
                        help="comma-separated exercise ids: only the clips coached as these (for tuning)")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    if args.wide:
        from facefit.synth.spec import EXERCISE_TIMING

        face_list = wide.faces(args.data, photos(args.data))
        plans = wide.plan_wide(
            args.seed, args.clips, args.distractor_clips, args.twitch_clips, args.outside_clips, face_list,
            wide.photo_poses(face_list, args.data), exercises=EXERCISES, closed_lips=CLOSED_LIPS, sided=SIDED,
            timing=EXERCISE_TIMING,
        )
    else:
        plans = plan(args.seed, args.clips, args.distractor_clips, args.twitch_clips, photos(args.data))
    if args.exercises:
        wanted = set(args.exercises.split(","))
        unknown = wanted - set(EXERCISES)
        if unknown:
            parser.error(f"unknown exercise(s) {sorted(unknown)}; choose from {', '.join(EXERCISES)}")
        plans = [p for p in plans if p["analyze_as"] in wanted]
    cache = args.data / "clips"
    if args.score_only:
        plans = [p for p in plans if (cache / f"{p['key']}.npz").exists()]
    else:
        build_all(plans, cache, args.workers)
    if args.build_only:
        print(f"built or found {len(plans)} clips in {cache}; not scored")
        return 0
    report = score(plans, cache, tracker_only=args.tracker_only)
    report["seed"], report["wide"], report["tracker_only"] = args.seed, args.wide, args.tracker_only
    if args.wide:
        report["breakdown"] = {" x ".join(by): breakdown(report["rows"], by) for by in BREAKDOWNS}
    report["seconds"] = round(time.perf_counter() - start, 1)
    name = f"report-wide-{args.seed}.json" if args.wide else "report.json"
    if args.tracker_only:
        name = name.replace(".json", "-tracker-only.json")
    (args.data / name).write_text(json.dumps(report, indent=1, default=float))
    print_report(report)
    if args.wide:
        print_breakdown(report)
    print(f"total {report['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
