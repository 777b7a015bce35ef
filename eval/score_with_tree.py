"""Score an evaluation set with another source tree's engine and signals, using today's eval scripts.

    .venv/bin/python eval/score_with_tree.py OLD_TREE OUT.json -- <evaluate.py args, with --score-only>

How the "before" figures of a change are made: ``git worktree add /tmp/old <commit>``, then this script with
``/tmp/old`` puts that tree's ``src`` first on the path, so the same cached clips (landmarks made once) are
scored by the old signals and engine. A tree from before ``facefit.practice`` existed has its analysis in
``facefit.coach.analyze``, which is aliased. Reports go to OUT.json, never over ``eval-data/report*.json``.
"""

from __future__ import annotations

import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    root, out = sys.argv[1], Path(sys.argv[2])
    args = sys.argv[sys.argv.index("--") + 1:]
    sys.path.insert(0, str(Path(root) / "src"))
    import facefit

    if not facefit.__file__ or not facefit.__file__.startswith(str(Path(root).resolve())):
        raise SystemExit(f"facefit was imported from {facefit.__file__}, not from {root}")
    try:
        import facefit.practice.analyze
    except ImportError:
        import facefit.coach.analyze as old_analyze

        package = types.ModuleType("facefit.practice")
        package.__path__ = []
        sys.modules["facefit.practice"] = package
        sys.modules["facefit.practice.analyze"] = old_analyze
    sys.path.insert(0, str(HERE))
    import evaluate

    write_text = Path.write_text

    def to_out(self: Path, data: str, *rest: object, **named: object) -> int:
        return write_text(out if self.name.startswith("report") else self, data, *rest, **named)  # type: ignore[arg-type]

    Path.write_text = to_out  # type: ignore[method-assign]
    return int(evaluate.main(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
