"""Synth fixtures: real photos framed once, small clips rendered once and measured by the real model.

Clips are small (480x360, 10 fps, a few seconds) so the whole synth suite stays well under its share
of the test budget; everything expensive is session-scoped and shared by the tests that read it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pytest
import skimage.data

from facefit.synth import Clip, ClipSpec, PreparedFace, prepare_clip, prepare_face

SIZE = (480, 360)
GRACE_HOPPER = Path(os.path.dirname(matplotlib.__file__)) / "mpl-data" / "sample_data" / "grace_hopper.jpg"
# Neutral faces: single_face.jpg and obama.jpg already smile broadly, so a smile has little room there.
NEUTRAL_PHOTOS = ("biden", "pressed-lips", "grace-hopper", "astronaut")
# The pitch test's photos. On 15-f13-anc-ph.jpg the model reads ~26 deg for 20 deg (see the report).
PITCH_PHOTOS = ("biden", "grace-hopper", "astronaut")


@dataclass(frozen=True)
class Measured:
    """A rendered clip and the real model's signals on each of its frames (VIDEO mode)."""

    clip: Clip
    values: np.ndarray  # (frames, K) as facefit.signals.compute

    def signal(self, name: str) -> np.ndarray:
        from facefit.signals.names import SIGNAL_INDEX

        return self.values[:, SIGNAL_INDEX[name]]


def measure(clip: Clip) -> Measured:
    """Run the real Face Landmarker (VIDEO mode, as the coach does) over every frame of ``clip``."""
    from facefit.signals.compute import signals_from_observation
    from facefit.vision.landmarker import Landmarker, RunningMode

    with Landmarker(RunningMode.VIDEO) as landmarker:
        rows = [signals_from_observation(landmarker.detect(f.rgb, f.t_ms)) for f in clip.frames()]
    return Measured(clip, np.array(rows))


@pytest.fixture(scope="session")
def synth_photos(real_data: Path) -> dict[str, Path | np.ndarray]:
    """Neutral-ish portraits from the shared real data and from installed packages."""
    return {
        "biden": real_data / "biden.jpg",
        "pressed-lips": real_data / "15-f13-anc-ph.jpg",
        "grace-hopper": GRACE_HOPPER,
        "astronaut": skimage.data.astronaut(),
    }


@pytest.fixture(scope="session")
def faces(synth_photos: dict[str, Path | np.ndarray], image_landmarker: object) -> dict[str, PreparedFace]:
    """Each photo framed at 480x360 with its landmarks (one model call per photo and size)."""
    return {
        name: prepare_face(photo, SIZE, landmarker=image_landmarker) for name, photo in synth_photos.items()
    }


CHEEK_SPEC = ClipSpec(
    exercise="cheek-lifter",
    reps=3,
    strengths=(0.4, 1.0, 0.7),
    hold_s=1.0,
    tempo_up_s=0.8,
    tempo_down_s=0.8,
    rest_s=0.8,
    lead_rest_s=1.5,
    fps=10,
    size=SIZE,
)
TONER_SPEC = ClipSpec(
    exercise="jawline-toner",
    reps=2,
    strengths=(0.5, 1.0),
    hold_s=1.0,
    tempo_up_s=1.0,
    tempo_down_s=1.0,
    rest_s=0.6,
    lead_rest_s=1.5,
    fps=10,
    size=SIZE,
)


@pytest.fixture(scope="session")
def cheek_runs(faces: dict[str, PreparedFace]) -> dict[str, Measured]:
    """Cheek-lifter (3 reps of strengths 0.4, 1.0, 0.7) on every neutral photo, measured."""
    return {name: measure(prepare_clip(faces[name], CHEEK_SPEC)) for name in NEUTRAL_PHOTOS}


@pytest.fixture(scope="session")
def toner_runs(faces: dict[str, PreparedFace]) -> dict[str, Measured]:
    """Jawline-toner ("O" with the head back 20 deg at strength 1) on three photos, measured."""
    return {name: measure(prepare_clip(faces[name], TONER_SPEC)) for name in PITCH_PHOTOS}
