"""The one-way data flow, enforced: a lower stage never imports a higher one, the engine is pure, and no
module of src/ takes part in an import cycle.

frames -> landmarks -> signals -> engine -> events -> store -> reports -> practice -> study -> the doors
(cli/, web/). If this test fails, move the code to the stage where it belongs instead of widening the
table below (docs/design.md, "Layers", says what each stage is for).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "facefit"
ALWAYS = {"config", "errors", "fileio"}

# For each stage, the other stages it may import (besides config, errors and fileio).
ALLOWED: dict[str, set[str]] = {
    "catalog": set(),
    "routine": {"catalog"},
    "vision": set(),
    "signals": {"vision"},
    "synth": {"catalog", "vision", "signals"},
    "coach": {"catalog", "signals"},
    "store": {"signals"},
    "safety": {"catalog", "routine", "coach", "store"},
    "photos": {"vision", "signals", "synth", "safety", "store"},
    "habits": {"catalog", "routine", "coach", "safety", "store"},
    "reports": {"catalog", "routine", "coach", "signals", "safety", "habits", "photos", "store"},
    "practice": {"catalog", "routine", "vision", "signals", "synth", "coach", "safety", "photos", "habits",
                 "store"},
    "study": {"catalog", "routine", "vision", "signals", "synth", "coach", "safety", "photos", "habits",
              "store", "reports", "practice"},
}
_BELOW_DOORS = set(ALLOWED)
ALLOWED["web"] = set(_BELOW_DOORS)  # the doors: everything below them, never each other's internals...
ALLOWED["cli"] = _BELOW_DOORS | {"web"}  # ...except that `facefit serve` (cli/web.py) starts the web app

# Packages outside the standard library each stage may import, where that is restricted.
THIRD_PARTY: dict[str, set[str]] = {
    # The engine is pure: numpy, plus pydantic for validating coach/specs.toml at load (as catalog/ does).
    "coach": {"numpy", "pydantic"},
}


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> list[str]:
    """Every module name ``path`` imports, at the top or inside functions, relative ones resolved."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            names.append(module)
            names += [f"{module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return names


def _imports(path: Path) -> set[str]:
    return {name.split(".")[1] for name in _imported(path) if name.startswith("facefit.")}


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


@pytest.mark.parametrize(("stage", "path"), [(s, p) for s, p in _stage_files() if s in THIRD_PARTY],
                         ids=lambda v: str(v).split("facefit/")[-1])
def test_restricted_stages_import_only_their_packages(stage: str, path: Path) -> None:
    outside = {name.split(".")[0] for name in _imported(path)} - set(sys.stdlib_module_names) - {"facefit"}
    bad = outside - THIRD_PARTY[stage]
    assert not bad, f"{path.relative_to(SRC)} ({stage}) may import only {sorted(THIRD_PARTY[stage])}: {bad}"


def test_every_stage_is_classified() -> None:
    stages = {p.name for p in SRC.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert stages <= set(ALLOWED), f"unclassified stages: {sorted(stages - set(ALLOWED))}"


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in SRC.rglob("*.py") if "node_modules" not in p.parts}
    return {name: {m for m in _imported(path) if m in modules and m != name}
            for name, path in modules.items()}


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycles.append(sorted(component))
    return cycles


def test_no_import_cycle_anywhere_in_src() -> None:
    """Also imports inside functions: two modules that import each other lazily are still one knot."""
    cycles = import_cycles(_graph())
    assert not cycles, f"import cycles in src/: {cycles}"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set()}) == []


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
