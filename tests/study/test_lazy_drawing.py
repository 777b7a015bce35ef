"""MediaPipe imported by the study's worker side leaves its drawing helpers (and matplotlib.pyplot) for
later; the landmarker works, and a drawing helper still works when something uses it. In a fresh
interpreter, since the test process may have imported MediaPipe already."""

from __future__ import annotations

import json
import subprocess
import sys

PROBE = """
import json, sys
import numpy as np
import facefit.study.worker  # installs the finder
from facefit.vision.landmarker import Landmarker, RunningMode
with Landmarker(RunningMode.IMAGE) as landmarker:
    seen = landmarker.detect(np.zeros((64, 64, 3), dtype=np.uint8))
before = "matplotlib.pyplot" in sys.modules
from mediapipe.tasks.python import vision
spec = vision.drawing_utils.DrawingSpec(color=(1, 2, 3))
style = vision.drawing_styles.get_default_face_mesh_contours_style()
print(json.dumps({"pyplot_before": before, "pyplot_after": "matplotlib.pyplot" in sys.modules,
                  "color": list(spec.color), "styles": len(style) > 0, "face": seen.present}))
"""


def test_drawing_helpers_load_only_when_used() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found == {
        "pyplot_before": False,
        "pyplot_after": True,
        "color": [1, 2, 3],
        "styles": True,
        "face": False,
    }
