"""The one-way data flow, enforced: a lower stage never imports a higher one, and the engine is pure.

frames -> landmarks -> signals -> engine -> events -> store -> reports. If this test fails, move the
code to the stage where it belongs instead of widening the table below.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "facefit"
ALWAYS = {"config", "errors", "fileio"}

# For each stage, the other stages it may import (besides config and errors).
ALLOWED: dict[str, set[str]] = {
    "catalog": set(),
    "routine": {"catalog"},
    "vision": set(),
    "signals": {"vision"},
    "synth": {"catalog", "vision", "signals"},
    "coach": {"catalog", "vision", "signals", "synth"},
    "store": {"signals"},
    "safety": {"catalog", "routine", "coach", "store"},
    "photos": {"vision", "signals", "synth", "safety", "store"},
    "habits": {"catalog", "routine", "coach", "safety", "store"},
    "reports": {"catalog", "routine", "coach", "signals", "safety", "habits", "photos", "store"},
    "practice": {"catalog", "routine", "vision", "signals", "synth", "coach", "safety", "photos", "habits",
                 "store"},
    "study": {"catalog", "routine", "vision", "signals", "synth", "coach", "safety", "photos", "habits",
              "store", "reports", "practice"},
    "web": {"catalog", "routine", "vision", "signals", "synth", "coach", "safety", "photos", "habits",
            "store", "reports", "practice", "study"},
}


def _imports(path: Path) -> set[str]:
    stages: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "facefit" and len(parts) > 1:
                stages.add(parts[1])
    return stages


def _stage_files() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(SRC).parts[0], path)
        for path in sorted(SRC.rglob("*.py"))
        if len(path.relative_to(SRC).parts) > 1 and path.relative_to(SRC).parts[0] in ALLOWED
    ]


@pytest.mark.parametrize(("stage", "path"), _stage_files(), ids=lambda v: str(v).split("facefit/")[-1])
def test_stage_imports_only_lower_stages(stage: str, path: Path) -> None:
    bad = _imports(path) - ALLOWED[stage] - ALWAYS - {stage}
    assert not bad, f"{path.relative_to(SRC)} ({stage}) imports higher or sibling stages: {sorted(bad)}"


def test_every_stage_is_classified() -> None:
    stages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert stages - set(ALLOWED) <= {"cli"}, f"unclassified stages: {sorted(stages - set(ALLOWED) - {'cli'})}"


def test_engine_is_pure() -> None:
    """Importing the engine loads no camera, model, image library, database or web code."""
    code = (
        "import sys, facefit.coach.engine\n"
        "heavy = ('mediapipe', 'cv2', 'av', 'sqlalchemy', 'fastapi', 'matplotlib', 'facefit.store',"
        " 'facefit.vision.landmarker', 'facefit.vision.sources')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"the engine imports heavy modules: {out.stdout.strip()}"
