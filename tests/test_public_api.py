"""Every name in ``facefit.__all__`` resolves, and ``import facefit`` itself loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import facefit


def test_every_exported_name_resolves() -> None:
    assert set(facefit.__all__) == {"__version__", *facefit._EXPORTS}
    for name in facefit.__all__:
        assert getattr(facefit, name) is not None, name


def test_import_facefit_is_light() -> None:
    heavy = "('mediapipe', 'cv2', 'sqlalchemy', 'numpy')"
    code = f"import sys, facefit; print(sorted(m for m in sys.modules if m.startswith({heavy})))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
