"""``facefit routine``, ``history`` and ``demo``: the guided routine in the terminal and its record.

The player logic lives in :mod:`facefit.routine` (pure, clock injected); this module only reads keys,
draws with Rich and writes to the store. :func:`run_guided` is the seam the coaching stage replaces
``perform`` in (camera-counted reps instead of the clock).
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from facefit.catalog.durations import duration_note
from facefit.catalog.loader import load_catalog
from facefit.cli._common import DEFAULT_PROFILE, console, err_console, profile_transaction, store
from facefit.routine.blocks import Block, SessionPlan, session_plan, without
from facefit.routine.player import (
    PAIN_ADVICE,
    BlockResult,
    RoutineResult,
    RoutineStatus,
    StepContext,
    StepPerformer,
    run_routine,
    timed_step,
)
from facefit.routine.timer import TimerState
from facefit.store.db import Store
from facefit.store.profiles import get_or_create_profile
from facefit.store.sessions import finish_session, list_sessions, record_event, record_step, start_session

PHASE_WORDS = {"cue": "get ready", "rest": "rest", "up": "move in", "hold": "HOLD", "down": "release",
               "work": "go"}


class StoreRecorder:
    """Commits every finished block, safety event and the session end in its own transaction."""

    def __init__(self, db: Store, session_id: int, plan: SessionPlan) -> None:
        self.db, self.session_id, self.plan = db, session_id, plan

    def block_done(self, result: BlockResult, t_s: float) -> None:
        block = result.block
        with self.db.transaction() as session:
            record_step(session=session, session_id=self.session_id, position=block.index + 1,
                        exercise_id=block.exercise_id, set_index=block.set_index, reps_target=block.step.reps,
                        reps_done=result.reps_done, hold_s=block.step.hold_s if block.step.reps else None,
                        duration_s=round(result.work_s, 3), skipped=result.skipped, note=result.note)
        _report_block(result, len(self.plan.blocks))

    def safety(self, payload: dict[str, Any], t_s: float) -> None:
        with self.db.transaction() as session:
            record_event(session=session, session_id=self.session_id, kind="safety", t_s=t_s, payload=payload)

    def finish(self, status: RoutineStatus, reason: str | None, summary: dict[str, Any]) -> None:
        with self.db.transaction() as session:
            finish_session(session=session, session_id=self.session_id, status=status, stop_reason=reason,
                           summary=summary)


def _report_block(result: BlockResult, total: int) -> None:
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
    check_safety: bool = True,
) -> RoutineResult:
    """Run routine or exercise ``target`` in the terminal, committing each finished set to the store.

    With ``check_safety`` the safety gate runs first: it refuses while a safety event is unacknowledged
    and adapts the routine to the person's screening. ``perform`` runs one set (the coaching stage passes
    a camera-counted version); ``exclude`` maps further exercise ids to a reason to leave them out.
    """
    catalog = load_catalog()
    lines: list[str] = []
    db = store()
    try:
        with db.transaction() as session:
            owner = get_or_create_profile(session=session, name=profile)
            if check_safety:
                from facefit.habits.gate import checked_session_plan

                checked = checked_session_plan(session=session, profile_id=owner.id, target=target,
                                               catalog=catalog)
                plan, note, lines = checked.plan, checked.note, checked.lines
            else:
                plan = session_plan(target, catalog)
                note = (duration_note(catalog.routines[target], catalog) if plan.routine_id
                        else f"takes {plan.total_s / 60:.1f} min")
            if exclude:
                plan = without(plan, exclude)
            session_id = start_session(session=session, profile_id=owner.id, routine_id=plan.routine_id,
                                       exercise_id=plan.exercise_id, source=source).id
        bind_session = getattr(perform, "bind_session", None)  # coached sets store their engine events
        if bind_session is not None:
            bind_session(db, session_id)
    except BaseException:
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
    recorder = StoreRecorder(db, session_id, plan)
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
        with db.transaction() as session:
            finish_session(session=session, session_id=session_id, status="stopped", stop_reason=how)
        # Typer turns KeyboardInterrupt into a silent exit 130, so say here what happened to the data.
        err_console.print(f"interrupted: session {session_id} stopped; every finished set is saved.")
        raise
    finally:
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
        console.print(Panel(PAIN_ADVICE, title="stop", border_style="red", expand=False))


def register(app: typer.Typer) -> None:
    @app.command("routine")
    def routine(
        target: Annotated[
            str, typer.Argument(help="Routine id (see `facefit catalog list`) or one exercise id.")
        ] = "daily-10",
        speed: Annotated[float, typer.Option(min=0.1, max=10000, help="Run this many times faster (60 = a "
                                             "minute per second); for trying it out and for scripts.")] = 1.0,
        no_input: Annotated[
            bool, typer.Option("--no-input", help="Run without reading keys (scripts, tests).")
        ] = False,
        profile: Annotated[str, typer.Option(help="Whose session this is.")] = DEFAULT_PROFILE,
        coach: Annotated[bool, typer.Option("--coach", help="Count the checked exercises with the camera "
                                            "(or --video) instead of the clock.")] = False,
        camera: Annotated[int | None, typer.Option("--camera", help="Camera index for --coach.")] = None,
        video: Annotated[Path | None, typer.Option("--video", help="Video file for --coach.")] = None,
    ) -> None:
        """Guided routine: cue before each step, countdown per hold, reps, sets and overall progress.

        Keys: p pause/resume, s skip the exercise, x stop because of pain. Each finished set is saved at once.
        With --coach the engine counts the reps of each checked exercise from --camera N or --video FILE.
        """
        if coach or camera is not None or video is not None:
            from facefit.cli.coach import coached_routine

            result = coached_routine(target, camera=camera, video=video, speed=speed, no_input=no_input,
                                     profile=profile)
        else:
            result = run_guided(target, speed=speed, no_input=no_input, profile=profile)
        if result.status == "stopped":
            raise typer.Exit(4)

    @app.command("history")
    def history(
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        limit: Annotated[int, typer.Option(min=1, max=1_000_000, help="Show at most this many sessions.")
                         ] = 50,
        profile: Annotated[str, typer.Option(help="Whose sessions to list.")] = DEFAULT_PROFILE,
    ) -> None:
        """List practice sessions: date, routine, status (interrupted if it never ended), minutes, sets."""
        with profile_transaction(profile) as (session, profile_id):
            rows = list_sessions(session=session, profile_id=profile_id, limit=limit)
        if as_json:
            typer.echo(json.dumps([r.to_dict() for r in rows], indent=2))
            return
        if not rows:
            console.print("No sessions yet: try `facefit routine daily-10`.")
            return
        table = Table(title=f"Sessions of {profile}")
        for column in ("id", "started", "routine / exercise", "status", "minutes", "sets done", "skipped"):
            table.add_column(column)
        for r in rows:
            table.add_row(str(r.id), f"{r.started_at.astimezone():%Y-%m-%d %H:%M}",
                          r.routine_id or r.exercise_id or r.kind, r.status, f"{r.minutes:.1f}",
                          str(r.steps_done), str(r.steps_skipped))
        console.print(table)

    @app.command("demo")
    def demo() -> None:
        """The main job without a camera: coach a synthetic clip of the routine's first checked exercise.

        The clip is generated from a bundled photo; the session is saved and summarised.
        """
        from facefit.cli.coach import coach_demo

        coach_demo()
