"""``facefit synth``: make a ground-truth exercise video (and its truth JSON) from one photo.

A thin adapter over :func:`facefit.synth.clip.make_clip`. Exit codes: 0 written; 2 unusable input
(photo unreadable, bad option value, unsupported output type); 3 no face in the photo.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from facefit.cli._common import console

_HELP = (
    "Make a synthetic exercise video with known truth from one photo (for tests and evaluation).\n\n"
    "The face is warped with a thin-plate spline from displaced landmarks (3D head rotation for pitch): "
    "a still rest first, then reps of ramp up, hold, ramp down, rest. Faults (teeth, asymmetry, jerky, "
    "twitch) and distractors (talk, blink, sway) can be added; the truth JSON records rep times, holds, "
    "distractor intervals, twitch times and per-frame strengths.\n\n"
    "Outputs: .mp4/.mov/.mkv (H.264) and/or .y4m (Chromium fake webcam); repeat --out for several.\n\n"
    "Exit codes: 0 written; 2 unusable photo, option or output name; 3 no face in the photo."
)


def _split(values: list[str]) -> list[str]:
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def synth(
    photo: Annotated[
        Path, typer.Option("--photo", help="Portrait photo to animate (frontal, neutral is best).")
    ],
    out: Annotated[
        list[Path], typer.Option("--out", help="Output video: .mp4, .mov, .mkv or .y4m (repeatable).")
    ],
    exercise: Annotated[
        str,
        typer.Option(
            help="cheek-lifter, jawline-toner, jawline-definition, neck-tightener, brow-smoothener, "
            "forehead-relaxer, or none (rest and distractors only)."
        ),
    ] = "cheek-lifter",
    truth: Annotated[Path | None, typer.Option(help="Write the truth JSON here.")] = None,
    reps: Annotated[int, typer.Option(help="Number of repetitions.")] = 3,
    hold: Annotated[float | None, typer.Option(help="Hold seconds per rep (default: the catalog's).")] = None,
    tempo: Annotated[
        float | None, typer.Option(help="Ramp up and ramp down seconds (default: the catalog's).")
    ] = None,
    rest: Annotated[float, typer.Option(help="Rest seconds after each rep.")] = 2.0,
    lead_rest: Annotated[float, typer.Option(help="Still rest at the start, seconds (>= 1.5).")] = 2.0,
    fps: Annotated[float, typer.Option(help="Frames per second.")] = 30.0,
    size: Annotated[str, typer.Option(help="Frame size WIDTHxHEIGHT (even numbers).")] = "640x480",
    amplitude: Annotated[float, typer.Option(help="Multiplies every rep strength (0-3; 1 = full).")] = 1.0,
    strengths: Annotated[
        str | None, typer.Option(help="Per-rep strengths 0-1, comma separated, cycled (e.g. 0.5,1,0.8).")
    ] = None,
    noise: Annotated[
        float, typer.Option(help="0-1: pixel noise (6 gray levels at 1) and camera shake.")
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Random seed (distractor timing, twitches, noise).")] = 0,
    distractors: Annotated[
        list[str] | None,
        typer.Option("--distractors", help="talk, blink, sway (comma separated or repeated)."),
    ] = None,
    fault: Annotated[
        list[str] | None,
        typer.Option(
            "--fault",
            help="teeth, asymmetry, jerky or twitch (repeatable); NAME@2,4 limits it to reps 2 and 4.",
        ),
    ] = None,
    weak_side: Annotated[str, typer.Option(help="Person's weaker side for --fault asymmetry.")] = "left",
    model: Annotated[
        Path | None, typer.Option(help="Face Landmarker .task file (default: packaged).")
    ] = None,
) -> None:
    from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

    from facefit.errors import InputError
    from facefit.synth.clip import make_clip
    from facefit.synth.spec import ClipSpec, Fault, parse_size
    from facefit.synth.writers import check_output_paths
    from facefit.vision.landmarker import Landmarker, RunningMode

    check_output_paths(out)  # before the model loads: a bad name fails in milliseconds

    try:
        strength_values = (
            tuple(float(s) for s in strengths.split(",") if s.strip()) if strengths else None
        )
    except ValueError:
        raise InputError(
            f"The --strengths value {strengths!r} is not valid: give numbers between 0 and 1, "
            "comma separated."
        ) from None
    spec = ClipSpec(
        exercise=exercise,
        reps=reps,
        hold_s=hold,
        tempo_up_s=tempo,
        tempo_down_s=tempo,
        rest_s=rest,
        lead_rest_s=lead_rest,
        fps=fps,
        size=parse_size(size),
        amplitude=amplitude,
        strengths=strength_values,
        noise=noise,
        seed=seed,
        distractors=tuple(d.lower() for d in _split(distractors or [])),
        faults=tuple(Fault.parse(f) for f in (fault or [])),
        weak_side=weak_side,
    )
    with (
        Landmarker(RunningMode.IMAGE, model_path=model) as landmarker,
        Progress(
            TextColumn("synth"), BarColumn(), TextColumn("{task.completed}/{task.total} frames"),
            TimeRemainingColumn(), console=console, transient=True,
        ) as bar,
    ):
        task = bar.add_task("frames", total=spec.frames)
        started = time.perf_counter()
        result = make_clip(
            photo,
            spec,
            out=out,
            truth_path=truth,
            landmarker=landmarker,
            progress=lambda done, total: bar.update(task, completed=done),
        )
    elapsed = time.perf_counter() - started
    written = ", ".join(str(p) for p in out)
    console.print(
        f"wrote {written}: {result.exercise}, {len(result.reps)} rep{'' if len(result.reps) == 1 else 's'}, "
        f"{result.frames} frames at {result.fps:g} fps ({result.duration_s:.1f} s) in {elapsed:.1f} s"
        + (f"; truth {truth}" if truth else ""),
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``facefit synth``."""
    app.command("synth", help=_HELP)(synth)
