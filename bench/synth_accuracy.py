"""How well the real Face Landmarker reads synthetic clips: truth vs measurement on every test photo.

    .venv/bin/python bench/synth_accuracy.py [--size 480x360] [--fps 10]

For each photo (the shared real data plus grace_hopper and the scikit-image astronaut): a cheek-lifter
clip (3 reps at strengths 0.4, 1.0, 0.7) and a jawline-toner clip (2 reps, 10 and 20 deg of head
tilt), run through the model in VIDEO mode. Printed: Spearman rho of the mouth-corner lift (mean of both
sides) and of mouthSmile against the truth strength, the corner lift at full strength (IPD units), and
the measured pitch change (median over the hold, minus the rest) for the 10 and 20 deg reps. The unit
tests assert rho >= 0.9 on 4 photos and 20 +/- 5 deg on 3; this prints every photo, outliers included.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "2")
DEFAULT_REAL = Path(__file__).resolve().parents[2] / "shared" / "data" / "real"
REAL = Path(os.environ.get("FACEFIT_REAL_DATA", DEFAULT_REAL))
PHOTOS = ("biden.jpg", "15-f13-anc-ph.jpg", "obama.jpg", "single_face.jpg", "0-f1-su-ph.jpg")


def main() -> None:
    import matplotlib
    import numpy as np
    import skimage.data
    from scipy.stats import spearmanr

    from facefit.signals.compute import signals_from_observation
    from facefit.signals.names import SIGNAL_INDEX
    from facefit.synth import ClipSpec, prepare_clip, prepare_face
    from facefit.synth.spec import parse_size
    from facefit.vision.landmarker import Landmarker, RunningMode

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", default="480x360")
    parser.add_argument("--fps", type=float, default=10.0)
    args = parser.parse_args()
    size = parse_size(args.size)
    photos: dict[str, object] = {name: REAL / name for name in PHOTOS}
    photos["grace_hopper.jpg"] = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
    photos["astronaut"] = skimage.data.astronaut()
    timing = {
        "tempo_up_s": 1.0, "tempo_down_s": 1.0, "hold_s": 1.0, "rest_s": 0.8, "fps": args.fps, "size": size,
    }
    cheek = ClipSpec(exercise="cheek-lifter", reps=3, strengths=(0.4, 1.0, 0.7), **timing)  # type: ignore[arg-type]
    toner = ClipSpec(exercise="jawline-toner", reps=2, strengths=(0.5, 1.0), **timing)  # type: ignore[arg-type]

    def measure(clip: object) -> np.ndarray:
        with Landmarker(RunningMode.VIDEO) as landmarker:
            return np.array(
                [signals_from_observation(landmarker.detect(f.rgb, f.t_ms)) for f in clip.frames()]  # type: ignore[attr-defined]
            )

    def column(values: np.ndarray, name: str) -> np.ndarray:
        return values[:, SIGNAL_INDEX[name]]

    print(f"{'photo':20} {'rho lift':>9} {'rho smile':>10} {'lift@1':>8} {'pitch@10':>9} {'pitch@20':>9}")
    with Landmarker(RunningMode.IMAGE) as image_landmarker:
        for name, photo in photos.items():
            face = prepare_face(photo, size, landmarker=image_landmarker)  # type: ignore[arg-type]
            clip = prepare_clip(face, cheek)
            values = measure(clip)
            truth = clip.truth
            t = truth.column("t_s")
            rest = t < truth.rest["end_s"]
            lift = 0.5 * (column(values, "mouth_corner_lift_r") + column(values, "mouth_corner_lift_l"))
            smile = 0.5 * (column(values, "bs_mouthSmileLeft") + column(values, "bs_mouthSmileRight"))
            full = truth.reps[1]
            hold = (t >= full["hold_start_s"]) & (t <= full["hold_end_s"])
            lift_full = float(np.median(lift[hold]) - np.median(lift[rest]))
            rho_lift = spearmanr(truth.column("strength"), lift).statistic
            rho_smile = spearmanr(truth.column("strength"), smile).statistic
            clip = prepare_clip(face, toner)
            pitch = column(measure(clip), "head_pitch")
            t = clip.truth.column("t_s")
            pitch = pitch - np.median(pitch[t < clip.truth.rest["end_s"]])
            tilts = []
            for rep in clip.truth.reps:
                during = (t >= rep["hold_start_s"]) & (t <= rep["hold_end_s"])
                tilts.append(float(np.median(pitch[during])))
            row = f"{name:20} {rho_lift:9.3f} {rho_smile:10.3f} {lift_full:8.3f}"
            print(f"{row} {tilts[0]:9.1f} {tilts[1]:9.1f}")


if __name__ == "__main__":
    main()
