"""`facefit study analyze` on 2 Dask workers against one process, same >= 100 visit photos, in one run.

    .venv/bin/python bench/bench_study.py [--participants 12] [--workers 2] [--cache DIR]

Setup (not timed): a simulated trial (``facefit.study.simulate``; renders and the gate's landmarks are
cached in ``--cache``, default ``eval-data/study-cache``) gives 3 photos per visit, 3 visits per
participant: 12 participants = 108 photos. Then, timed, each on every photo (``redo``), with the real
models and no cache:

- one process: ``analyze(workers=0)``, models built in this process (counted);
- Dask: ``analyze(workers=N)``: a new LocalCluster of N single-threaded worker processes, each building
  its landmarker and age model in the worker plugin (counted: that is what the command costs).

Reported: both wall times, the ratio, and the ratio without the cluster's start-up (time from the first
result to the last, against the same span in one process). The machine's load average is printed with
them: on 2 cores shared with other work the ratio says as much about the neighbours as about Dask.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="alternate one process / Dask this many times")
    parser.add_argument("--cache", type=Path, default=Path("eval-data/study-cache"))
    parser.add_argument("--real", type=Path, default=Path(os.environ.get("FACEFIT_REAL_DATA", REAL)))
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="facefit-bench-study-"))
    os.environ["FACEFIT_HOME"] = str(home)
    from facefit.store.db import open_store
    from facefit.study.batch import analyze
    from facefit.study.cache import CachedLandmarker, DiskCache
    from facefit.study.simulate import TrialSpec, simulate_trial, start_faces

    cache = DiskCache(args.cache)
    landmarker = CachedLandmarker(cache)
    store = open_store(f"sqlite:///{home / 'bench.db'}")
    spec = TrialSpec(
        participants=args.participants,
        seed=77,
        withdraw_after_baseline=0,
        withdraw_after_week8=0,
        miss_week8=0,
        ineligible=0,
        raters=0,
    )
    start = time.perf_counter()
    sim = simulate_trial(
        store=store,
        faces=start_faces(landmarker, real_dir=args.real),
        landmarker=landmarker,
        cache=cache,
        spec=spec,
    )
    landmarker.close()
    print(f"setup: {sim.photos} visit photos in {time.perf_counter() - start:.0f} s (not timed below)")

    def timed(workers: int) -> tuple[float, float, int]:
        marks: list[float] = []
        begin = time.perf_counter()
        outcome = analyze(
            store=store,
            slug=sim.slug,
            workers=workers,
            redo=True,
            on_result=lambda _r: marks.append(time.perf_counter()),
        )
        total = time.perf_counter() - begin
        assert not outcome.failed and outcome.measured == sim.photos, outcome
        return total, (marks[-1] - marks[0]) if len(marks) > 1 else total, outcome.measured

    ratios, spans = [], []
    for round_ in range(1, args.rounds + 1):  # alternated, so a neighbour's burst hits both sides alike
        load_before = os.getloadavg()
        one, one_span, n = timed(0)
        many, many_span, _ = timed(args.workers)
        load_after = os.getloadavg()
        ratios.append(one / many)
        spans.append(one_span / many_span)
        print(
            f"round {round_}: photos {n}; cores {os.cpu_count()}; load average before {load_before[0]:.1f}, "
            f"after {load_after[0]:.1f}"
        )
        print(f"  one process:        {one:7.1f} s  ({n / one:.2f} photos/s)")
        print(f"  Dask, {args.workers} workers:    {many:7.1f} s  ({n / many:.2f} photos/s)")
        print(f"  ratio (whole command, cluster start-up included): {ratios[-1]:.2f}x")
        print(f"  ratio (first to last result):                     {spans[-1]:.2f}x")
    if args.rounds > 1:
        median, span = statistics.median(ratios), statistics.median(spans)
        print(f"median ratio {median:.2f}x (first to last result {span:.2f}x)")
    store.close()


if __name__ == "__main__":
    main()
