"""The simulated acceptance trial for one seed, as a table (see eval/README.md for which seeds are held out).

    .venv/bin/python eval/study_trial.py --seed 2018 [--participants 40] [--workers 0] [--cache DIR]

Builds the trial of tests/study/test_simulated_trial.py with the given seed (renders and model answers
cached in ``--cache``, default ``eval-data/study-cache``), measures every photo (``--workers 0``: in this
process; N: a Dask LocalCluster), analyses it and prints: the truth and the ITT / PP / mixed estimates of
the changed metric and of a metric without change, the rater ICC against the simulated ICC, the model
age's SEM/MDC95 in the study, and the CONSORT counts.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--cache", type=Path, default=Path("eval-data/study-cache"))
    parser.add_argument("--real", type=Path, default=Path(os.environ.get("FACEFIT_REAL_DATA", REAL)))
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="facefit-study-trial-"))
    os.environ["FACEFIT_HOME"] = str(home)
    from facefit.store.db import open_store
    from facefit.study import verbs
    from facefit.study.batch import analyze
    from facefit.study.cache import CachedAgeModel, CachedLandmarker, DiskCache
    from facefit.study.simulate import TrialSpec, simulate_trial, start_faces

    cache = DiskCache(args.cache)
    landmarker = CachedLandmarker(cache)
    store = open_store(f"sqlite:///{home / 'trial.db'}")
    spec = TrialSpec(participants=args.participants, seed=args.seed)
    begin = time.perf_counter()
    age_model = CachedAgeModel(cache)
    sim = simulate_trial(
        store=store,
        faces=start_faces(landmarker, real_dir=args.real),
        landmarker=landmarker,
        cache=cache,
        spec=spec,
        age_model=age_model,
    )
    models = (landmarker, age_model) if args.workers == 0 else None
    analyze(store=store, slug=sim.slug, workers=args.workers, models=models, cache_dir=str(args.cache))
    endpoints = [spec.effect_metric, spec.no_change_metric, "rater_age", "model_age", "adherence"]
    found = verbs.results(store=store, slug=sim.slug, today=sim.today.date(), endpoints=endpoints)
    print(
        f"seed {args.seed}: {sim.photos} photos ({sim.retakes} re-takes), {time.perf_counter() - begin:.0f} s"
    )
    print(f"{'endpoint':18s} {'analysis':8s} {'n':>7s} {'estimate [95% CI]':34s} {'truth':>8s} covers")
    for name in (spec.effect_metric, spec.no_change_metric, "rater_age", "model_age"):
        truth = sim.truth.get(name, 0.0)
        result = found.analysis.endpoints[name]
        for e in [*result.itt, *result.pp, *result.mixed]:
            interval = f"{e.effect:+.4f} [{e.ci_low:+.4f}, {e.ci_high:+.4f}]"
            print(
                f"{name:18s} {e.population:8s} {e.n_arm:3d}+{e.n_control:<3d} {interval:34s} {truth:+8.4f} "
                f"{'yes' if e.covers(truth) else 'NO'}"
            )
    inter = found.analysis.reliability["apparent_age"]["inter"]
    print(
        f"rater ICC(2,1) {inter['icc']:.3f} [{inter['ci_low']:.2f}, {inter['ci_high']:.2f}], simulated "
        f"{sim.expected_icc:.3f}; alpha {found.analysis.reliability['apparent_age']['krippendorff_alpha']}"
    )
    error = found.analysis.model_age_error
    print(
        f"model age in the study: SEM {error['photo']['sem']} y per photo (MDC95 {error['photo']['mdc95']}), "
        f"visit mean MDC95 {error['visit_mean']['mdc95']} y"
    )
    counts = found.consort
    print(
        f"CONSORT: assessed {counts.assessed}, excluded {counts.excluded}, randomised {counts.randomised}; "
        + "; ".join(
            f"{a.arm} {a.allocated} = {a.completed} completed + {a.discontinued} discontinued + {a.lost} lost"
            for a in counts.arms
        )
        + f"; adds up: {not counts.add_up()}"
    )
    landmarker.close()
    store.close()


if __name__ == "__main__":
    main()
