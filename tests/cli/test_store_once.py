"""A command opens (and migrates) its store once, however many helpers ask for it."""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from facefit.cli import _common, app

runner = CliRunner()


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = _common.open_store

    def counting(url: str | None = None, **kwargs: Any) -> Any:
        calls.append(str(url))
        return real(url, **kwargs)

    monkeypatch.setattr(_common, "open_store", counting)
    return calls


@pytest.mark.parametrize("args", [
    ["photo", "list"],             # two helpers asked for the store before (profile, then the photos)
    ["routine", "cheek-lifter", "--speed", "10000", "--no-input"],
    ["safety", "--json"],
    ["history", "--json"],
])
def test_each_command_opens_its_store_once(opened: list[str], args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert len(opened) == 1, opened
    result = runner.invoke(app, args)  # the next command opens its own
    assert result.exit_code == 0 and len(opened) == 2
