"""The guided routine in the terminal: keys, the Rich display, and the session written as it runs.

Shared by ``facefit routine`` and ``facefit routine --coach`` (its own module, so the two command
modules never import each other). The player logic lives in :mod:`facefit.routine` (pure, clock
injected), the check before practice in :mod:`facefit.practice.start`, and the rows are written through
:class:`facefit.practice.recorder.StoreRecorder`. :func:`run_guided` is the seam the coaching stage
replaces ``perform`` in (camera-counted reps instead of the clock).
"""

from __future__ import annotations

import contextlib
import os
import select
import sys
import time
from collections.abc import Iterator, Mapping
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.text import Text

from facefit.catalog.durations import duration_note
from facefit.catalog.loader import load_catalog
from facefit.cli._common import DEFAULT_PROFILE, console, err_console, store
from facefit.cli._practice import checked_plan, plan_lines
from facefit.practice.recorder import PlayerRecorder, SessionInfo, StoreRecorder
from facefit.practice.start import PracticePlan
from facefit.routine.blocks import Block, SessionPlan, session_plan, without
from facefit.routine.player import (
    BlockResult,
    RoutineResult,
    StepContext,
    StepPerformer,
    run_routine,
    timed_step,
)
from facefit.routine.timer import TimerState
from facefit.store.db import Store
from facefit.store.profiles import get_or_create_profile

PHASE_WORDS = {"cue": "get ready", "rest": "rest", "up": "move in", "hold": "HOLD", "down": "release",
               "work": "go"}


def report_block(result: BlockResult, total: int) -> None:
    """One line per finished set: which, how it ended, reps and seconds."""
    block = result.block
    mark = {"done": "[green]done[/green]", "skipped": "[yellow]skipped[/yellow]",
            "stopped": "[red]stopped[/red]"}
    reps = f", {result.reps_done}/{block.step.reps} reps" if block.step.reps else ""
    console.print(f"  {block.index + 1}/{total} {block.step.exercise.name}, set {block.set_index}/"
                  f"{block.step.sets}: {mark[result.status]}{reps}, {result.work_s:.0f} s",
                  highlight=False, soft_wrap=True)


class Keyboard:
    """Single keypresses from a terminal without Enter (cbreak mode), restored on exit."""

    def __init__(self) -> None:
        self.fd = sys.stdin.fileno()
        self._saved: Any = None

    def __enter__(self) -> Keyboard:
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *_exc: object) -> None:
        import termios

        termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def read(self) -> str | None:
        ready, _, _ = select.select([self.fd], [], [], 0)
        if not ready:
            return None
        return os.read(self.fd, 1).decode(errors="ignore").lower() or None


class LiveView:
    """The Rich display: current step, phase countdown, rep and set counters, whole-routine progress."""

    def __init__(self, plan: SessionPlan, keys: bool) -> None:
        self.plan = plan
        self.keys = keys
        self.before = [0.0]
        for block in plan.blocks:
            self.before.append(self.before[-1] + block.total_s)
        self.progress = Progress(TextColumn("routine"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                 TimeRemainingColumn(), console=console)
        self.task = self.progress.add_task("routine", total=max(self.before[-1], 1e-9))
        self.live: Live | None = None
        self.current: Any = Text("")

    def update(self, block: Block, state: TimerState) -> None:
        self.progress.update(self.task, completed=self.before[block.index] + state.elapsed_s)
        step = block.step
        head = Text.assemble((f"{step.exercise.name}", "bold"),
                             f"   step {step.position}, set {block.set_index}/{step.sets}")
        phase = state.phase
        word = "PAUSED (p to resume)" if state.paused else PHASE_WORDS.get(phase.kind, "") if phase else ""
        holding = phase is not None and phase.kind == "hold"
        line = Text(f"{word}  {state.phase_left_s:4.1f} s", style="bold cyan" if holding else "")
        if step.reps:
            rep_now = phase.rep if phase and phase.rep else state.reps_done or 0
            line.append(f"    rep {rep_now}/{step.reps}")
        body: list[Any] = [head, Text(step.exercise.cue, style="italic"), line, self.progress]
        if self.keys:
            body.append(Text("keys: p pause/resume   s skip exercise   x stop: pain", style="dim"))
        self.current = Panel(Group(*body), title=self.plan.title, expand=False)
        if self.live is not None:
            self.live.update(self.current)

    @contextlib.contextmanager
    def shown(self) -> Iterator[None]:
        with Live(self.current, console=console, refresh_per_second=10, transient=True) as live:
            self.live = live
            try:
                yield
            finally:
                self.live = None


class Terminated(KeyboardInterrupt):
    """SIGTERM during a routine: handled like Ctrl-C so the session is closed, not left interrupted."""


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(_signum: int, _frame: object) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_guided(
    target: str, *, speed: float = 1.0, no_input: bool = False, profile: str = DEFAULT_PROFILE,
    perform: StepPerformer = timed_step, source: str = "terminal", exclude: Mapping[str, str] | None = None,
    check_safety: bool = True, practice: PracticePlan | None = None, db: Store | None = None,
) -> RoutineResult:
    """Run routine or exercise ``target`` in the terminal, committing each finished set to the store.

    With ``check_safety`` the practice check runs first (``facefit.practice.start.start_practice``): it
    refuses while a safety event is unacknowledged and adapts the routine to the person's screening;
    ``practice`` passes a verdict the caller already has, ``db`` the store the command opened (else one
    is opened and closed here). ``perform`` runs one set (the coaching stage passes a camera-counted
    version); ``exclude`` maps further exercise ids to a reason to leave them out.
    """
    catalog = load_catalog()
    lines: list[str] = []
    own_store = db is None
    db = db or store()
    try:
        with db.transaction() as session:
            owner = get_or_create_profile(session=session, name=profile)
            if practice is None and check_safety:
                practice = checked_plan(session=session, profile_id=owner.id, target=target, catalog=catalog)
        if practice is not None:
            plan, note, lines = practice.session, practice.note, plan_lines(practice)
        else:
            plan = session_plan(target, catalog)
            note = (duration_note(catalog.routines[target], catalog) if plan.routine_id
                    else f"takes {plan.total_s / 60:.1f} min")
        if exclude:
            plan = without(plan, exclude)
        rows = StoreRecorder(db, SessionInfo(owner.id, "routine", plan.routine_id, plan.exercise_id, source))
        session_id = rows.start()
        bind = getattr(perform, "bind", None)  # coached sets store their engine events in this session
        if bind is not None:
            bind(rows)
    except BaseException:
        if own_store:
            db.close()
        raise
    console.print(f"[bold]{plan.title}[/bold]: {len(plan.blocks)} sets, {note}"
                  + (f", running {speed:g}x faster" if speed != 1 else "") + f" (session {session_id})",
                  highlight=False, soft_wrap=True)
    for line in lines:
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    for exercise_id, why in plan.excluded:
        console.print(f"[yellow]left out today:[/yellow] {catalog.exercise(exercise_id).name} ({why})",
                      highlight=False, soft_wrap=True)
    keys = not no_input and sys.stdin.isatty()
    if not no_input and not keys:
        console.print("stdin is not a terminal: running without keys (as with --no-input).")
    view = LiveView(plan, keys) if console.is_terminal else None
    recorder = PlayerRecorder(rows, on_block=lambda result: report_block(result, len(plan.blocks)))
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_sigterm_as_interrupt())
            keyboard = stack.enter_context(Keyboard()) if keys else None
            if view is not None:
                stack.enter_context(view.shown())
            ctx = StepContext(clock=time.monotonic, sleep=time.sleep,
                              read_key=keyboard.read if keyboard else lambda: None,
                              on_update=view.update if view else lambda _b, _s: None, speed=speed)
            result = run_routine(plan.blocks, ctx, recorder, perform=perform)
    except KeyboardInterrupt as interrupt:
        how = "terminated (SIGTERM)" if isinstance(interrupt, Terminated) else "interrupted with Ctrl-C"
        rows.finish("stopped", how, {})
        # Typer turns KeyboardInterrupt into a silent exit 130, so say here what happened to the data.
        err_console.print(f"interrupted: session {session_id} stopped; every finished set is saved.")
        raise
    finally:
        if own_store:
            db.close()
    _print_summary(result)
    return result


def _print_summary(result: RoutineResult) -> None:
    done = sum(1 for r in result.results if not r.skipped)
    skipped = len(result.results) - done
    minutes = sum(r.work_s for r in result.results if not r.skipped) / 60
    status = ("[green]completed[/green]" if result.status == "completed"
              else f"[red]stopped[/red] ({result.stop_reason})")
    console.print(f"Session {status}: {done} set(s) done, {skipped} skipped, {minutes:.1f} min of exercise.",
                  highlight=False, soft_wrap=True)
    if result.status == "stopped":
        from facefit.cli._practice import COMMANDS
        from facefit.practice.start import Action
        from facefit.safety.stops import BLOCKING_KINDS, WHAT_TO_DO

        kind = (result.stop_reason or "pain").split(":")[0]
        advice = WHAT_TO_DO.get(kind, WHAT_TO_DO["pain"])
        if kind in BLOCKING_KINDS:
            advice += (" Practice stays paused until you have read this and acknowledged it: "
                       f"`{COMMANDS[Action.ACKNOWLEDGE_STOP]}`.")
        console.print(Panel(advice, title="stop", border_style="red", expand=False), markup=False)
