"""Writes cheek_lifter.csv: the golden input trace (run once; the file is committed, not regenerated).

Three cheek-lifter reps at 15 fps: 1 s cosine ramps, holds of 3.0, 2.0 and 4.0 s; rep 2 also opens the
lips by 0.06 IPD (teeth showing), which also raises the measured corner lift by half of that (it is
measured from the inner-lip midpoint). Expected events are in cheek_lifter_expected.csv, written
from this construction.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def ease(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return 0.5 - 0.5 * np.cos(np.pi * x)


def main() -> None:
    t = np.arange(0, 21.0, 1 / 15)
    rng = np.random.default_rng(7)
    smile = np.zeros_like(t)
    teeth = np.zeros_like(t)
    start = 1.5
    for k, hold in enumerate((3.0, 2.0, 4.0)):
        rise = ease(t - start)
        fall = 1 - ease(t - start - 1 - hold)
        curve = np.where(t < start + 1 + hold, rise, fall) * (t >= start)
        smile = np.maximum(smile, curve)
        if k == 1:
            teeth = np.maximum(teeth, curve)
        start += 2 + hold + 1.5
    rows = zip(
        np.round(t * 1000).astype(int),
        0.21 + 0.07 * smile + 0.03 * teeth + rng.normal(0, 0.001, len(t)),
        0.20 + 0.07 * smile + 0.03 * teeth + rng.normal(0, 0.001, len(t)),
        0.02 + 0.06 * teeth + rng.normal(0, 0.001, len(t)),
        0.95 + 0.1 * smile + rng.normal(0, 0.001, len(t)),
        strict=True,
    )
    with (HERE / "cheek_lifter.csv").open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["t_ms", "mouth_corner_lift_r", "mouth_corner_lift_l", "mouth_opening",
                         "mouth_width"])
        for row in rows:
            writer.writerow([row[0], *(f"{v:.5f}" for v in row[1:])])


if __name__ == "__main__":
    main()
