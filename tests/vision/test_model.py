"""Model resolution: flag, env var, packaged file; a wrong or missing file is one clear sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from facefit.errors import ModelNotFoundError
from facefit.vision.model import MODEL_SHA256, resolve_model_path


def test_packaged_model_is_found_and_verified(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACEFIT_MODEL", raising=False)
    path = resolve_model_path()
    assert path.name == "face_landmarker.task" and path.stat().st_size > 1_000_000


def test_env_var_wins_and_wrong_file_is_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "face_landmarker.task"
    fake.write_bytes(b"not a model")
    monkeypatch.setenv("FACEFIT_MODEL", str(fake))
    with pytest.raises(ModelNotFoundError, match=r"FACEFIT_MODEL.*expected " + MODEL_SHA256[:12]):
        resolve_model_path()


def test_missing_explicit_path_says_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="does not exist: install it with"):
        resolve_model_path(tmp_path / "nope.task")



def test_a_directory_is_named_as_not_a_file(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError, match=r"model .* \(from --model\) is not a file: install it with"):
        resolve_model_path(tmp_path)
