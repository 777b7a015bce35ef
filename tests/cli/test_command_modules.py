"""The console script loads only the named command's module (facefit/cli/__init__.py COMMAND_MODULES);
the map must say exactly what each module registers, or a command would vanish from ``facefit X``."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from pathlib import Path

import typer

import facefit.cli as cli


def _registered(module_name: str) -> set[str]:
    """Top-level command and group names a command module registers on an app of its own."""
    app = typer.Typer()
    importlib.import_module(f"facefit.cli.{module_name}").register(app)
    names = {command.name for command in app.registered_commands}
    return names | {group.name for group in app.registered_groups}


def test_the_map_names_every_command_of_every_module() -> None:
    modules = [m.name for m in pkgutil.iter_modules(cli.__path__) if not m.name.startswith("_")]
    for module in modules:
        mapped = {name for name, owner in cli.COMMAND_MODULES.items() if owner == module}
        assert _registered(module) == mapped, module
    assert set(cli.COMMAND_MODULES.values()) == set(modules)


def test_only_the_console_script_with_a_known_command_loads_less() -> None:
    assert cli.modules_to_load("/venv/bin/facefit", ["study", "analyze", "s"]) == ["study"]
    assert cli.modules_to_load("/venv/bin/facefit", ["web-role", "x"]) == ["web"]
    assert cli.modules_to_load("/venv/bin/facefit", []) is None  # help: every command
    assert cli.modules_to_load("/venv/bin/facefit", ["--help"]) is None
    assert cli.modules_to_load("/venv/bin/facefit", ["stdy"]) is None  # Typer suggests from all of them
    assert cli.modules_to_load("/usr/bin/pytest", ["study"]) is None  # imported by other code: whole app


def _facefit(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("facefit")
    return subprocess.run([str(script), *args], capture_output=True, text=True, timeout=120)


def _modules_after_import(*args: str) -> set[str]:
    """sys.modules after importing facefit.cli as the console script does for ``facefit ARGS``."""
    code = (
        "import sys; sys.argv = ['/venv/bin/facefit', *sys.argv[1:]]; import facefit.cli; "
        "print('\\n'.join(sorted(sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return set(done.stdout.split())


def test_a_command_group_works_without_the_other_modules() -> None:
    done = _facefit("study", "--help")
    assert done.returncode == 0, done.stderr
    assert "analyze" in done.stdout and "power" in done.stdout
    loaded = _modules_after_import("study", "--help")
    assert "facefit.cli.study" in loaded
    assert not {"facefit.cli.habits", "facefit.cli._guided", "facefit.catalog.loader"} & loaded
    assert "facefit.cli.habits" in _modules_after_import("--help")


def test_top_level_help_and_a_typo_still_see_every_command() -> None:
    done = _facefit("--help")
    assert done.returncode == 0
    for name in ("study", "photo", "serve", "routine", "analyze", "synth", "catalog"):
        assert name in done.stdout
    typo = _facefit("stdy")
    assert typo.returncode != 0
    assert "No such command" in typo.stderr
