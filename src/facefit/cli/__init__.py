"""The ``facefit`` command line: a thin adapter that parses input, calls a verb and renders the result.

Each module in this package defines ``register(app)`` and adds its commands; they are loaded in name
order so that stages can add commands without editing one shared file. Heavy imports (MediaPipe,
OpenCV, matplotlib) happen inside commands, so ``facefit --help`` stays fast.
"""

from __future__ import annotations

import atexit
import gc
import importlib
import pkgutil
import sys
from pathlib import Path


def _start_study_workers_early(args: list[str]) -> None:
    """``facefit study analyze`` on its own LocalCluster: start the workers' fork server before this
    module's imports (~1.3 s on one core), so its own imports (~0.9 s) run on the other core meanwhile
    instead of after them. Only argv is looked at; the command checks its options as usual and calls
    the same idempotent ``start_fork_server``. Ten alternating runs of 360 photos: 15.7 s against 16.2 s
    (bench/bench_study.py has the ratios)."""
    if args[:2] != ["study", "analyze"] or any(
        a.startswith("--scheduler") or a in ("--help", "--workers=0") for a in args
    ):
        return
    if "--workers" in args and args[args.index("--workers") + 1 : args.index("--workers") + 2] == ["0"]:
        return
    from facefit.study.forkserver import start_fork_server

    start_fork_server()


_start_study_workers_early(sys.argv[1:])

import typer  # noqa: E402 (after the early start above)
from rich.console import Console  # noqa: E402

from facefit.errors import FaceFitError  # noqa: E402

app = typer.Typer(
    name="facefit",
    help="FaceFit: camera-coached facial exercise with honest, measured progress.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err_console = Console(stderr=True)


@app.callback()
def _each_command() -> None:
    """Runs before every command: the command opens its store afresh, once (cli/_common.store)."""
    from facefit.cli._common import forget_stores

    forget_stores()


COMMAND_MODULES = {
    "analyze": "coach", "coach": "coach",
    "catalog": "catalog",
    "screen": "habits", "safety": "habits", "ack": "habits", "enrol": "habits", "plan": "habits",
    "today": "habits", "log": "habits", "remind": "habits", "report": "habits",
    "landmarks": "perception", "calibrate": "perception",
    "photo": "photos",
    "routine": "routine", "history": "routine", "demo": "routine",
    "study": "study",
    "synth": "synth",
    "serve": "web", "web-role": "web",
}
"""Which module registers each top-level command (tests/cli/test_command_modules.py checks it against
what the modules register)."""


def modules_to_load(argv0: str, args: list[str]) -> list[str] | None:
    """The command modules the ``facefit`` console script needs for ``args``: only the named command's
    module, so ``facefit study analyze`` does not import the catalog, the practice layer and the habits
    (~0.4 s of CPU before any work). ``None`` (all of them) for anything else: no command or an unknown
    one (Typer's help and its "no such command" need them all), or ``facefit.cli`` imported by other code
    (tests, ``python -c``), which expects the whole app."""
    if Path(argv0).name != "facefit" or not args:
        return None
    module = COMMAND_MODULES.get(args[0])
    return [module] if module else None


def _load_commands(only: list[str] | None = None) -> None:
    for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module.name.startswith("_") or (only is not None and module.name not in only):
            continue
        importlib.import_module(f"{__name__}.{module.name}").register(app)


_load_commands(modules_to_load(sys.argv[0], sys.argv[1:]))
atexit.register(gc.freeze)
"""At exit, after the command has finished and closed what it opened, every object left goes to the
process's end without Python's final garbage collection, which walks them all (MediaPipe's,
SQLAlchemy's, numpy's): that walk was ~0.6 s of every ``facefit study analyze`` exit, frozen ~0.1 s
(bench/bench_cli_exit.py). Registered at import, so it runs after the exit handlers of what the command
imported later (Dask's, multiprocessing's), which close things."""


def main() -> None:
    """Console-script entry point: user errors become one red line and an exit code, no traceback."""
    try:
        app()
    except FaceFitError as error:
        from facefit.cli._steps import error_text

        err_console.print(f"[red]error:[/red] {error_text(error)}", highlight=False, soft_wrap=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted: everything completed so far is saved.")
        sys.exit(130)
