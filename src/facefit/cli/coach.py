"""``facefit analyze`` (a recorded video, JSON or a Rich summary), ``facefit coach`` (live feedback) and
the coached routine and demo.

Thin adapters: parse options, ask the practice layer (``practice.start``) whether and what to practise,
run the sets (``practice.sets`` over ``signals.stream``), render, and write the session and its events
to the store as they happen (``practice.recorder``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from facefit.cli._common import DEFAULT_PROFILE, calibration_words, console, err_console, store
from facefit.errors import InputError
from facefit.store.profiles import get_or_create_profile

ExerciseOpt = Annotated[str, typer.Option("--exercise", "-e", help="Catalog exercise id, e.g. cheek-lifter.")]
ProfileOpt = Annotated[str, typer.Option("--profile", help="Whose calibration and history to use.")]


def stored_rest(profile_name: str) -> Any:
    """The profile's stored calibration rest vector, or None when the profile has not calibrated."""
    from facefit.cli._common import profile_transaction
    from facefit.store.calibration import load_calibration

    with profile_transaction(profile_name) as (session, profile_id):
        calibration = load_calibration(session=session, profile_id=profile_id)
    return None if calibration is None else calibration.rest


def session_summary(runner: Any, live: Any) -> dict[str, Any]:
    """A coached exercise's summary over all its sets, in the ``facefit analyze`` shape plus frame counts."""
    sets = [r.engine for r in runner.results] or [runner.engine.summary()]
    last = sets[-1]
    return {
        "exercise": runner.plan.exercise_id, "calibration": last["calibration"],
        "reps_done": sum(s["reps_done"] for s in sets), "reps_target": runner.plan.reps_target,
        "sets_done": runner.sets_done, "sets": runner.plan.sets,
        "hold_total_s": round(sum(s["hold_total_s"] for s in sets), 3),
        "status": "stopped" if str(runner.phase) == "stopped" else "completed",
        **{key: [item for s in sets for item in s[key]] for key in ("reps", "holds", "faults", "safety")},
        "frames": live.frames, "frames_without_face": live.frames_without_face,
    }


def finish_coached(recorder: Any, runner: Any, live: Any, *, title: str) -> dict[str, Any]:
    """Close a coached exercise's session with its summary; print it; return it."""
    summary = session_summary(runner, live)
    stopped = runner.stop_reason if str(runner.phase) == "stopped" else None
    recorder.finish("stopped" if stopped else "completed", stopped, summary)
    print_summary(summary, title=title.format(session=recorder.start()))
    return summary


def print_summary(result: dict[str, Any], *, title: str) -> None:
    """A Rich table of reps, holds, faults and safety stops."""
    rest = calibration_words(result["calibration"])
    console.print(f"[bold]{title}[/bold]  exercise {result['exercise']}, {rest}")
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
        raise InputError(f"There is no file {path}.")
    if not path.is_file():
        raise InputError(f"{path} is not a file (a folder?): give a video file.")


def coached_routine(
    target: str, *, camera: int | None, video: Path | None, speed: float, no_input: bool, profile: str
) -> Any:
    """``facefit routine --coach``: the guided routine with the engine counting each checked set."""
    from facefit.cli._coached import CoachedPerformer
    from facefit.cli._guided import run_guided
    from facefit.cli._practice import profile_plan
    from facefit.signals.stream import SignalStream

    if (camera is None) == (video is None):
        raise InputError("With --coach, give exactly one of --camera N or --video FILE.")
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

    db = store()  # one store for the whole command
    try:
        _owner, practice = profile_plan(db, profile, target)  # refuses before the camera or model opens
        with SignalStream(source) as stream:
            performer = CoachedPerformer(iter(stream), rest=practice.rest, on_event=say,
                                         smoothed=stream.smoothed)
            return run_guided(target, speed=speed, no_input=no_input, profile=profile, perform=performer,
                              source=f"coach:camera:{camera}" if camera is not None else f"coach:{video}",
                              practice=practice, db=db)
    finally:
        db.close()


DEMO_PHOTO = Path(__file__).resolve().parents[1] / "synth" / "assets" / "grace_hopper_480.jpg"


def coach_demo(*, profile: str = DEFAULT_PROFILE, reps: int = 2) -> dict[str, Any]:
    """``facefit demo``: make a short clip of the routine's first checked exercise from the bundled photo,
    coach it, save the session and print the summary (no camera, no download)."""
    import tempfile

    from rich.progress import Progress

    from facefit.catalog.durations import plan_exercise
    from facefit.catalog.loader import load_catalog
    from facefit.coach.specs import checked_exercises
    from facefit.practice.live import coach_stream
    from facefit.practice.recorder import SessionInfo, StoreRecorder
    from facefit.practice.sets import SetPlan, SetRunner
    from facefit.signals.stream import SignalStream
    from facefit.store.sessions import DEMO_SOURCE
    from facefit.synth.clip import make_clip
    from facefit.synth.spec import ClipSpec

    catalog = load_catalog()
    checked = set(checked_exercises())
    exercise = next(s.exercise for s in catalog.routine("daily-10").steps if s.exercise in checked)
    spec = ClipSpec(exercise=exercise, reps=reps, hold_s=2.0, rest_s=1.5, size=(480, 360), fps=15.0, seed=1)
    plan = SetPlan.from_step(plan_exercise(catalog.exercise(exercise), sets=1, reps=reps, hold_s=spec.hold))
    with tempfile.TemporaryDirectory(prefix="facefit-demo-") as tmp:
        clip = Path(tmp) / f"{exercise}.mp4"
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task(f"making a {spec.duration_s:.0f} s {exercise} clip", total=spec.frames)
            make_clip(str(DEMO_PHOTO), spec, out=str(clip),
                      progress=lambda done, _total: progress.update(task, completed=done))
        console.print(f"Demo: {reps} reps of {exercise} generated from the bundled photo; coaching it.")
        db = store()
        try:
            with db.transaction() as session:  # a demo is practice of nobody's: no safety check, no rest
                owner = get_or_create_profile(session=session, name=profile).id
            recorder = StoreRecorder(db, SessionInfo(owner, "coach", None, exercise, DEMO_SOURCE))
            with SignalStream(clip) as stream:
                runner = SetRunner(plan, recorder=recorder, owns_session=False, smoothed=stream.smoothed)
                live = coach_stream(stream, runner)
            summary = finish_coached(recorder, runner, live, title="session {session} saved")
        finally:
            db.close()
    console.print(f"Session {summary['status']}: {summary['reps_done']} of {reps} reps counted, "
                  f"{summary['hold_total_s']:.1f} s held, {calibration_words(summary['calibration'])}.",
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
        from facefit.coach.specs import spec_for
        from facefit.practice.analyze import analyze_extraction
        from facefit.signals.extract import extract_signals

        spec_for(exercise)
        _require_file(video)
        rest = stored_rest(profile)
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
        from facefit.coach.specs import spec_for
        from facefit.practice.live import coach_stream, display_available
        from facefit.practice.recorder import SessionInfo, StoreRecorder
        from facefit.practice.sets import SetPlan, SetRunner
        from facefit.signals.stream import SignalStream

        if (camera is None) == (video is None):
            raise InputError("Give exactly one of --camera N or --video FILE.")
        if video is not None:
            _require_file(video)
        if max_seconds is not None and not max_seconds > 0:
            raise InputError(f"The --max-seconds value must be more than 0, got {max_seconds}.")
        spec_for(exercise)  # an exercise the coach cannot check is bad input, named before anything else
        source: int | Path = camera if camera is not None else video  # type: ignore[assignment]
        window = overlay and display_available()
        if overlay and not window:
            console.print("[yellow]no display found: showing text feedback instead of a window[/yellow]")

        def line(runner: SetRunner, t_s: float, face: bool) -> str:
            eng = runner.engine
            if str(runner.phase) == "rest":
                return f"{t_s:5.1f}s  rest before set {runner.set_index} of {runner.plan.sets}"
            if eng.rest is None:
                return f"{t_s:5.1f}s  hold still and neutral: measuring your rest"
            target = f"/{eng.reps_target}" if eng.reps_target else ""
            hold = f"  hold {eng.holding_s:4.1f}s" if eng.active else ""
            seen = "" if face else "  [red]no face[/red]"
            return (f"{t_s:5.1f}s  set {runner.set_index}/{runner.plan.sets} reps {len(eng.reps)}{target}"
                    f"{hold}{seen}  {eng.message or eng.spec.ask}")

        db = store()  # one store for the whole command
        try:
            owner, practice = profile_plan(db, profile, exercise)  # refuses before the camera or model opens
            for text in plan_lines(practice):
                console.print(text, highlight=False, soft_wrap=True, markup=False)
            where = f"camera:{camera}" if camera is not None else str(video)
            with SignalStream(source) as stream:  # opened before any session: a bad source leaves none
                recorder = StoreRecorder(db, SessionInfo(owner, "coach", None, exercise, where))
                runner = SetRunner(SetPlan.from_step(practice.steps[0]), rest=practice.rest,
                                   recorder=recorder, owns_session=False, smoothed=stream.smoothed)
                with Live(console=console, refresh_per_second=8, transient=False) as live:
                    result = coach_stream(stream, runner, window=window, max_seconds=max_seconds,
                                          on_frame=lambda run, t, face: live.update(line(run, t, face)))
            if not console.is_terminal:
                console.print()  # Rich Live leaves its last line unterminated when stdout is a pipe or file
            finish_coached(recorder, runner, result, title="session {session} saved")
        finally:
            db.close()
