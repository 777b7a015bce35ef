"""``facefit analyze`` (a recorded video, JSON or a Rich summary) and ``facefit coach`` (live feedback).

Thin adapters: parse options, find the profile's stored calibration, call the coach verbs, render,
and write the session and its events to the store as they happen.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from facefit.cli._common import DEFAULT_PROFILE, console, err_console, store
from facefit.errors import InputError

ExerciseOpt = Annotated[str, typer.Option("--exercise", "-e", help="Catalog exercise id, e.g. cheek-lifter.")]
ProfileOpt = Annotated[str, typer.Option("--profile", help="Whose calibration and history to use.")]


def stored_rest(db: Any, profile_name: str) -> Any:
    """The profile's stored calibration rest vector, or None when the profile has not calibrated."""
    from facefit.store.calibration import load_calibration
    from facefit.store.profiles import get_or_create_profile

    with db.transaction() as session:
        profile = get_or_create_profile(session=session, name=profile_name)
        calibration = load_calibration(session=session, profile_id=profile.id)
    return None if calibration is None else calibration.rest


class SessionWriter:
    """A ``coach`` session: started with the first frame, then each engine event in its own transaction.

    :meth:`start` is the ``on_start`` of :func:`facefit.coach.live.coach_source`, so a source that
    cannot be opened (corrupt file, missing camera) leaves no empty "interrupted" session behind.
    """

    def __init__(self, db: Any, *, profile_name: str, exercise_id: str, source: str) -> None:
        self.db = db
        self.profile_name = profile_name
        self.exercise_id = exercise_id
        self.source = source
        self.session_id: int | None = None

    def start(self) -> int:
        """Start the session (once); its id."""
        if self.session_id is None:
            from facefit.store.profiles import get_or_create_profile
            from facefit.store.sessions import start_session

            with self.db.transaction() as session:
                profile = get_or_create_profile(session=session, name=self.profile_name)
                row = start_session(session=session, profile_id=profile.id, kind="coach",
                                    exercise_id=self.exercise_id, source=self.source)
                self.session_id = row.id
        return self.session_id

    def event(self, event: Any) -> None:
        from facefit.store.sessions import record_event

        session_id = self.start()
        with self.db.transaction() as session:
            record_event(session=session, session_id=session_id, kind=str(event.kind), t_s=event.t_s,
                         payload=event.to_dict())

    def finish(self, engine: Any, result: Any) -> dict[str, Any]:
        """Record the coached set (``engine`` after ``coach_source`` returned ``result``) as one step and
        close the session, in one transaction; prints and returns the summary."""
        from facefit.store.sessions import finish_session, record_step

        summary = engine.summary()
        summary.update(frames=result.frames, frames_without_face=result.frames_without_face)
        stopped_reason = engine.stopped.message if engine.stopped is not None else None
        duration_s = result.duration_s
        session_id = self.start()
        with self.db.transaction() as session:
            record_step(session=session, session_id=session_id, position=1,
                        exercise_id=summary["exercise"], reps_target=summary.get("reps_target"),
                        reps_done=summary.get("reps_done"), hold_s=summary.get("hold_total_s"),
                        duration_s=max(duration_s, 0.0), note=f"calibration {summary['calibration']}")
            finish_session(session=session, session_id=session_id,
                           status="stopped" if stopped_reason else "completed", stop_reason=stopped_reason,
                           summary=summary)
        print_summary(summary, title=f"session {session_id} saved")
        return summary


def print_summary(result: dict[str, Any], *, title: str) -> None:
    """A Rich table of reps, holds, faults and safety stops."""
    console.print(f"[bold]{title}[/bold]  exercise {result['exercise']}, calibration {result['calibration']}")
    if "frames" in result:
        console.print(f"{result['frames']} frames, {result['frames_without_face']} without a face")
    table = Table("rep", "start s", "end s", "amplitude", "symmetry %", "hold s", "faults")
    for i, rep in enumerate(result["reps"], 1):
        symmetry = "-" if rep["symmetry"] is None else f"{rep['symmetry']:.0f}"
        table.add_row(str(i), f"{rep['start_s']:.1f}", f"{rep['end_s']:.1f}", f"{rep['amplitude']:.3f}",
                      symmetry, f"{rep['hold_s']:.1f}", ", ".join(rep["faults"]) or "-")
    console.print(table if result["reps"] else "no reps counted")
    for fault in result["faults"]:
        console.print(f"[yellow]fault[/yellow] {fault['t_s']:.1f}s {fault['kind']}: {fault['message']}")
    for stop in result["safety"]:
        console.print(f"[red]safety stop[/red] {stop['t_s']:.1f}s {stop['kind']}: {stop['message']}")


def _require_file(path: Path) -> None:
    """Fail fast (before the store and the model load) on a path that is not a file."""
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if not path.is_file():
        raise InputError(f"{path}: not a file (a folder?); give a video file")


def coached_routine(
    target: str, *, camera: int | None, video: Path | None, speed: float, no_input: bool, profile: str
) -> Any:
    """``facefit routine --coach``: the guided routine with the engine counting each checked set."""
    from facefit.cli._coached import CoachedPerformer, SignalFrames
    from facefit.cli._guided import run_guided
    from facefit.cli._practice import profile_plan

    if (camera is None) == (video is None):
        raise InputError("--coach needs exactly one of --camera N or --video FILE")
    if video is not None:
        _require_file(video)
    source: int | Path = camera if camera is not None else video  # type: ignore[assignment]

    def say(event: Any, block: Any) -> None:
        kind = str(event.kind)
        if kind == "rep":
            console.print(f"  {block.step.exercise.name} set {block.set_index}: rep {event.index}"
                          f"/{block.step.reps or '-'}  hold {event.hold_s:.1f}s"
                          + (f"  [yellow]{', '.join(event.faults)}[/yellow]" if event.faults else ""))
        elif kind in ("fault", "safety"):
            style = "red" if kind == "safety" else "yellow"
            console.print(f"  [{style}]{kind}[/{style}] {event.message}")

    practice = profile_plan(profile, target)  # refuses before the camera or the model is opened
    frames = SignalFrames(source)
    try:
        performer = CoachedPerformer(frames, rest=practice.rest, on_event=say)
        return run_guided(target, speed=speed, no_input=no_input, profile=profile, perform=performer,
                          source=f"coach:camera:{camera}" if camera is not None else f"coach:{video}",
                          practice=practice)
    finally:
        frames.close()


DEMO_PHOTO = Path(__file__).resolve().parents[1] / "synth" / "assets" / "grace_hopper_480.jpg"


def coach_demo(*, profile: str = DEFAULT_PROFILE, reps: int = 2) -> dict[str, Any]:
    """``facefit demo``: make a short clip of the routine's first checked exercise from the bundled photo,
    coach it, save the session and print the summary (no camera, no download)."""
    import tempfile

    from rich.progress import Progress

    from facefit.catalog.loader import load_catalog
    from facefit.coach.engine import Engine
    from facefit.coach.live import coach_source
    from facefit.coach.specs import checked_exercises
    from facefit.store.sessions import DEMO_SOURCE
    from facefit.synth.clip import make_clip
    from facefit.synth.spec import ClipSpec

    routine = load_catalog().routine("daily-10")
    exercise = next(s.exercise for s in routine.steps if s.exercise in checked_exercises())
    spec = ClipSpec(exercise=exercise, reps=reps, hold_s=2.0, rest_s=1.5, size=(480, 360), fps=15.0, seed=1)
    with tempfile.TemporaryDirectory(prefix="facefit-demo-") as tmp:
        clip = Path(tmp) / f"{exercise}.mp4"
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"making a {spec.duration_s:.0f} s {exercise} clip", total=spec.frames)
            make_clip(str(DEMO_PHOTO), spec, out=str(clip),
                      progress=lambda done, _total: progress.update(task, completed=done))
        console.print(f"Demo: {reps} reps of {exercise} generated from the bundled photo; coaching it.")
        engine = Engine.for_exercise(exercise, reps_target=reps, hold_target_s=spec.hold)
        writer = SessionWriter(store(), profile_name=profile, exercise_id=exercise, source=DEMO_SOURCE)
        result = coach_source(clip, engine, on_event=writer.event, on_start=writer.start)
    summary = writer.finish(engine, result)
    status = "stopped" if engine.stopped is not None else "completed"
    console.print(f"Session {status}: {len(engine.reps)} of {reps} reps counted, "
                  f"{summary['hold_total_s']:.1f} s held, calibration {summary['calibration']}.",
                  highlight=False)
    return summary


def register(app: typer.Typer) -> None:
    @app.command("analyze")
    def analyze(
        video: Annotated[Path, typer.Argument(help="Video file of one person doing the exercise.")],
        exercise: ExerciseOpt,
        as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object (the analyze contract).")]
        = False,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Count reps, time holds and judge form in a recorded video of one exercise."""
        from facefit.coach.analyze import analyze_extraction
        from facefit.coach.specs import spec_for
        from facefit.signals.extract import extract_signals

        spec_for(exercise)
        _require_file(video)
        rest = stored_rest(store(), profile)
        extraction = extract_signals(video, progress=not as_json)
        result, _engine = analyze_extraction(extraction, exercise_id=exercise, rest=rest)
        if extraction.max_faces_seen > 1:  # on stderr: stdout stays the one JSON object
            err_console.print(f"note: up to {extraction.max_faces_seen} faces in a frame; the largest face "
                              "was coached.", highlight=False)
        if as_json:
            typer.echo(json.dumps(result))
        else:
            print_summary(result, title=f"{video.name}")

    @app.command("coach")
    def coach(
        exercise: ExerciseOpt,
        camera: Annotated[int | None, typer.Option("--camera", help="Camera index to coach live.")] = None,
        video: Annotated[Path | None, typer.Option("--video", help="Coach a recorded video instead.")] = None,
        overlay: Annotated[bool, typer.Option("--overlay", help="Show the OpenCV window (needs a display).")]
        = False,
        max_seconds: Annotated[float | None, typer.Option("--max-seconds", help="Stop after this long.")]
        = None,
        profile: ProfileOpt = DEFAULT_PROFILE,
    ) -> None:
        """Live feedback on one exercise from a camera or a video; the session is saved as it runs."""
        from rich.live import Live

        from facefit.cli._practice import plan_lines, profile_plan
        from facefit.coach.engine import Engine
        from facefit.coach.live import coach_source, display_available
        from facefit.coach.specs import spec_for

        if (camera is None) == (video is None):
            raise InputError("give exactly one of --camera N or --video FILE")
        if video is not None:
            _require_file(video)
        if max_seconds is not None and not max_seconds > 0:
            raise InputError(f"--max-seconds must be more than 0, got {max_seconds}")
        spec_for(exercise)  # an exercise the coach cannot check is bad input, named before anything else
        practice = profile_plan(profile, exercise)  # refuses before the camera or the model is opened
        for text in plan_lines(practice):
            console.print(text, highlight=False, soft_wrap=True, markup=False)
        db = store()
        engine = Engine.for_exercise(exercise, rest=practice.rest)
        source: int | Path = camera if camera is not None else video  # type: ignore[assignment]
        writer = SessionWriter(db, profile_name=profile, exercise_id=exercise,
                               source=f"camera:{camera}" if camera is not None else str(video))
        window = overlay and display_available()
        if overlay and not window:
            console.print("[yellow]no display found: showing text feedback instead of a window[/yellow]")

        def line(eng: Engine, t_s: float, face: bool) -> str:
            if eng.rest is None:
                return f"{t_s:5.1f}s  hold still and neutral: measuring your rest"
            target = f"/{eng.reps_target}" if eng.reps_target else ""
            hold = f"  hold {eng.holding_s:4.1f}s" if eng.active else ""
            seen = "" if face else "  [red]no face[/red]"
            return f"{t_s:5.1f}s  reps {len(eng.reps)}{target}{hold}{seen}  {eng.message or eng.spec.ask}"

        with Live(console=console, refresh_per_second=8, transient=False) as live:
            result = coach_source(
                source, engine, on_event=writer.event, on_start=writer.start, window=window,
                max_seconds=max_seconds,
                on_frame=lambda eng, t, face: live.update(line(eng, t, face)),
            )
        if not console.is_terminal:
            console.print()  # Rich Live leaves its last line unterminated when stdout is a pipe or file
        writer.finish(engine, result)
