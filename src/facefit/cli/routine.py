"""``facefit routine``, ``history`` and ``demo``: the guided routine in the terminal and its record.

The terminal machinery is in :mod:`facefit.cli._guided` (keys, display, store), the coached version in
:mod:`facefit.cli.coach`; this module parses the commands and calls them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from facefit.cli._common import DEFAULT_PROFILE, console, profile_transaction
from facefit.cli._guided import run_guided
from facefit.store.sessions import DEMO_SOURCE, list_sessions

__all__ = ["register", "run_guided"]


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
            from facefit.cli.coach import coached_routine  # routine imports coach, never the other way

            result = coached_routine(target, camera=camera, video=video, speed=speed, no_input=no_input,
                                     profile=profile)
        else:
            # A guided run faster than the clock is a try-out (nobody holds a 5 s hold in 0.1 s): kept in
            # the history as a demo, never counted as practice (habits/service.py skips DEMO_SOURCE).
            source = DEMO_SOURCE if speed > 1 else "terminal"
            if speed > 1:
                console.print(f"Running {speed:g}x faster: kept in your history as a try-out, not counted as "
                              "practice.", highlight=False, soft_wrap=True)
            result = run_guided(target, speed=speed, no_input=no_input, profile=profile, source=source)
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
            what = r.routine_id or r.exercise_id or r.kind
            if r.source == DEMO_SOURCE:
                what += " (demo: not practice)"
            table.add_row(str(r.id), f"{r.started_at.astimezone():%Y-%m-%d %H:%M}", what, r.status,
                          f"{r.minutes:.1f}", str(r.steps_done), str(r.steps_skipped))
        console.print(table)

    @app.command("demo")
    def demo() -> None:
        """The main job without a camera: coach a synthetic clip of the routine's first checked exercise.

        The clip is generated from a bundled photo; the session is saved and summarised.
        """
        from facefit.cli.coach import coach_demo

        coach_demo()
