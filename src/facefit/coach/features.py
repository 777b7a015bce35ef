"""Engine features: a few named combinations of signal changes from rest, computed as one matrix product.

Every feature the engine judges (smile per side, brow rise, "O" roundness, head pitch...) is linear in
the signal change ``values - rest``, so one ``(K, F)`` matrix turns a frame (or a whole series) into all
features at once. That keeps per-frame work to a single small matmul and lets the batch path vectorise.
Units follow the signals: IPD units for geometry, degrees for pose, blendshape score for ``bs_*``.
"""

from __future__ import annotations

import numpy as np

from facefit.signals.names import SIGNAL_INDEX, SIGNAL_NAMES

#: Feature name -> {signal name: weight}. Sided features come in ``_r`` / ``_l`` pairs.
FEATURE_WEIGHTS: dict[str, dict[str, float]] = {
    # corner lift is measured from the inner-lip midpoint, so a jaw drop (talking) raises it a little;
    # correcting by the lip opening was tried and lost smiles whose lips part evenly (teeth showing):
    # talking is rejected by its lip swings instead (engine)
    "smile_r": {"mouth_corner_lift_r": 1.0},
    "smile_l": {"mouth_corner_lift_l": 1.0},
    "smile": {"mouth_corner_lift_r": 0.5, "mouth_corner_lift_l": 0.5},
    "brow_r": {"brow_lift_r": 1.0},
    "brow_l": {"brow_lift_l": 1.0},
    "brow": {"brow_lift_r": 0.5, "brow_lift_l": 0.5},
    "brow_down_r": {"brow_lift_r": -1.0},
    "brow_down_l": {"brow_lift_l": -1.0},
    "brow_down": {"brow_lift_r": -0.5, "brow_lift_l": -0.5},
    "mouth_open": {"mouth_opening": 1.0},
    "roundness": {"mouth_roundness": 1.0},
    "width": {"mouth_width": 1.0},
    "pitch": {"head_pitch": 1.0},
    "chin_down": {"head_pitch": -1.0},
    "yaw": {"head_yaw": 1.0},
    "roll": {"head_roll": 1.0},
    "jaw_forward": {"jaw_forward": 1.0},
    "jaw_open": {"jaw_opening": 1.0},
    "eye_r": {"eye_aperture_r": 1.0},
    "eye_l": {"eye_aperture_l": 1.0},
    "frown": {"bs_browDownLeft": 0.5, "bs_browDownRight": 0.5},
    "smile_score": {"bs_mouthSmileLeft": 0.5, "bs_mouthSmileRight": 0.5},
    "smile_score_r": {"bs_mouthSmileRight": 1.0},
    "smile_score_l": {"bs_mouthSmileLeft": 1.0},
    "cheek_puff": {"bs_cheekPuff": 1.0},
}
FEATURE_NAMES: tuple[str, ...] = tuple(FEATURE_WEIGHTS)
FEATURE_INDEX: dict[str, int] = {name: i for i, name in enumerate(FEATURE_NAMES)}


def feature_matrix() -> np.ndarray:
    """The ``(K, F)`` matrix with ``features = (values - rest) @ matrix``."""
    matrix = np.zeros((len(SIGNAL_NAMES), len(FEATURE_NAMES)))
    for j, weights in enumerate(FEATURE_WEIGHTS.values()):
        for signal, weight in weights.items():
            matrix[SIGNAL_INDEX[signal], j] = weight
    return matrix


MATRIX = feature_matrix()
USED_SIGNALS = np.flatnonzero(np.abs(MATRIX).sum(axis=1) > 0)
"""Columns of the signal vector that any feature reads (the rest only needs these)."""
