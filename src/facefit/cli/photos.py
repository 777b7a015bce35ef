"""``facefit photo ...``: the progress-photo gate, import, capture, repeatability, comparison and views.

Thin adapter: parse arguments, call :mod:`facefit.photos`, render. MediaPipe, OpenCV and matplotlib
are imported inside the commands so ``facefit --help`` stays fast.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from facefit.cli._common import DEFAULT_PROFILE, console, err_console, store

photo_app = typer.Typer(
    help="Progress photos: a capture gate, face metrics with known error, honest before/after.",
    no_args_is_help=True,
)

ProfileOpt = Annotated[str, typer.Option("--profile", help="Profile name (the local user is 'me').")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of a table.")]


def _quiet_native_logs() -> None:
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def _profile_id(name: str) -> int:
    from facefit.store.profiles import get_or_create_profile

    with store().transaction() as session:
        return get_or_create_profile(session=session, name=name).id


def _landmarker() -> Any:
    _quiet_native_logs()
    from facefit.vision.landmarker import Landmarker, RunningMode

    return Landmarker(RunningMode.IMAGE)


def _print_checks(result: Any, title: str) -> None:
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for column in ("check", "", "value", "limit", "advice"):
        table.add_column(column)
    for check in result.checks:
        mark = "[green]pass[/green]" if check.passed else "[red]FAIL[/red]"
        table.add_row(
            check.name, mark, str(check.value), str(check.limit), "" if check.passed else check.advice
        )
    console.print(table)
    verdict = "[green]accepted[/green]" if result.accepted else "[red]rejected[/red]"
    console.print(
        f"{verdict}: " + ("comparable with your baseline" if result.baseline_id else "judged as a baseline")
        if result.accepted
        else f"{verdict}: fix {', '.join(c.name for c in result.failed)} and retake"
    )


@photo_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Photo to check (JPEG, PNG...).")],
    as_json: JsonOpt = False,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Run the protocol gate on FILE against your baseline photo; exit code 1 when it is rejected."""
    from facefit.photos.files import load_photo
    from facefit.photos.library import baseline_reference, calibrated_rest, check_rgb

    loaded = load_photo(file)
    profile_id = _profile_id(profile)
    reference = baseline_reference(store=store(), profile_id=profile_id)
    rest = calibrated_rest(store=store(), profile_id=profile_id)
    with _landmarker() as landmarker:
        result = check_rgb(loaded.rgb, landmarker=landmarker, reference=reference, rest=rest)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print_checks(result, f"{file.name}: photo protocol")
        _print_lines(result.to_dict()["metrics"].get("lines"))
    raise typer.Exit(0 if result.accepted else 1)


def _print_lines(lines: dict[str, Any] | None) -> None:
    """The line and fold indices of a checked photo, each region with its numbers or why it has none."""
    from rich.table import Table

    from facefit.photos.lines import REGIONS_BY_NAME

    if not lines:
        return
    statuses = {reading["status"] for reading in lines["regions"].values()}
    if len(statuses) == 1 and not statuses <= {"measured"}:  # one reason for every region: say it once
        console.print(f"lines and folds: {statuses.pop()}")
        return
    table = Table(title="lines and folds (compared only between photos that pass the checks)",
                  title_justify="left")
    for column in ("region", "lines per skin area", "depth (darker)", ""):
        table.add_column(column)
    for name, reading in lines["regions"].items():
        measured = reading["status"] == "measured"
        table.add_row(
            REGIONS_BY_NAME[name].plain,
            f"{reading['density']:.2f}" if measured else "",
            f"{100 * reading['depth']:.0f}%" if measured else "",
            "" if measured else reading["status"],
        )
    console.print(table)


@photo_app.command("add")
def add(
    files: Annotated[list[Path], typer.Argument(help="Photo file(s) to import through the gate.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Date taken, YYYY-MM-DD (default: EXIF or now).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Store a rejected photo anyway, marked as rejected.")
    ] = False,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Import photos through the same gate as `photo check`; the first accepted one becomes your baseline.

    Photos are stored content-addressed with EXIF (GPS included) stripped and orientation applied.
    Re-importing a photo already stored does nothing. Exit code 1 if any photo was rejected.
    """
    from rich.progress import Progress

    from facefit.errors import FaceFitError
    from facefit.photos.library import import_photo, parse_date

    taken_at = parse_date(date)
    profile_id = _profile_id(profile)
    the_store = store()
    rejected = failed = 0
    with _landmarker() as landmarker, Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("importing", total=len(files))
        for file in files:
            try:
                outcome = import_photo(
                    file,
                    store=the_store,
                    profile_id=profile_id,
                    landmarker=landmarker,
                    taken_at=taken_at,
                    force=force,
                )
            except FaceFitError as error:
                if len(files) == 1:
                    raise
                failed += 1
                err_console.print(f"[red]{file.name}[/red]: {error}")
                progress.advance(task)
                continue
            progress.advance(task)
            if outcome.duplicate:
                console.print(f"{file.name}: already stored as photo {outcome.photo_id}")
            elif outcome.stored:
                note = " (baseline)" if outcome.is_baseline else ""
                note += (
                    " [yellow](rejected by the gate, stored because of --force)[/yellow]"
                    if outcome.forced
                    else ""
                )
                console.print(f"{file.name}: stored as photo {outcome.photo_id}{note}")
                if outcome.new_asymmetries:
                    grown = ", ".join(c.measure for c in outcome.new_asymmetries)
                    console.print(
                        f"[red]new asymmetry since your baseline ({grown}), beyond twice its measurement "
                        "error.[/red] Practice is paused: see `facefit safety`; if it came on suddenly, "
                        "seek medical help now."
                    )
            else:
                rejected += 1
                assert outcome.result is not None
                if len(files) == 1:
                    _print_checks(outcome.result, f"{file.name}: photo protocol")
                else:
                    reasons = "; ".join(f"{c.name}: {c.advice}" for c in outcome.result.failed)
                    console.print(f"[red]{file.name}: rejected[/red] ({reasons})")
    if rejected or failed:
        raise typer.Exit(1)


@photo_app.command("list")
def list_(
    all_: Annotated[bool, typer.Option("--all", help="Include photos stored with --force.")] = False,
    as_json: JsonOpt = False,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """List your stored photos, oldest first."""
    from rich.table import Table

    from facefit.photos.library import stored_photos

    photos = stored_photos(store=store(), profile_id=_profile_id(profile), accepted_only=not all_)
    rows = [
        {
            "id": p.id,
            "sha256": p.sha256[:12],
            "taken": p.taken_at.date().isoformat(),
            "source": p.source_name,
            "accepted": p.accepted,
            "baseline": p.is_baseline,
        }
        for p in photos
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table()
    for column in ("id", "sha256", "taken", "source", "accepted", "baseline"):
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[k]) for k in ("id", "sha256", "taken", "source", "accepted", "baseline")))
    console.print(table)


@photo_app.command("baseline")
def baseline(
    photo: Annotated[str | None, typer.Argument(help="Photo id or hash prefix to make the baseline.")] = None,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Show your baseline photo, or make another accepted photo the baseline."""
    from facefit.errors import InputError
    from facefit.photos.library import resolve_photo
    from facefit.store.photos import get_baseline, set_baseline

    profile_id = _profile_id(profile)
    the_store = store()
    if photo is not None:
        chosen = resolve_photo(store=the_store, profile_id=profile_id, ref=photo)
        if not chosen.accepted:
            raise InputError(f"Photo {chosen.id} was rejected by the gate and cannot be the baseline.")
        with the_store.transaction() as session:
            set_baseline(session=session, profile_id=profile_id, photo_id=chosen.id)
        console.print("new baseline set: run `facefit photo repeatability` to re-measure the error on it.")
    with the_store.transaction() as session:
        current = get_baseline(session=session, profile_id=profile_id)
        if current is None:
            console.print("no baseline yet: the first photo accepted by `facefit photo add` becomes it.")
        else:
            console.print(f"baseline: photo {current.id} ({current.source_name}, {current.taken_at.date()})")


def _print_errors(table: dict[str, Any], mm_per_ipd: float | None, title: str) -> None:
    from rich.table import Table

    from facefit.photos.metrics import METRIC_SPECS

    out = Table(title=title, title_justify="left")
    for column in ("metric", "unit", "SEM", "MDC95", "SEM mm", "MDC95 mm", "n", "source"):
        out.add_column(column)
    for name, error in table.items():
        spec = METRIC_SPECS[name]
        in_mm = spec.unit == "ipd" and mm_per_ipd
        label = f"{name} [yellow](experimental)[/yellow]" if spec.experimental else name
        out.add_row(
            label,
            spec.unit,
            f"{error.sem:.4f}",
            f"{error.mdc95:.4f}",
            f"{error.sem * mm_per_ipd:.2f}" if in_mm else "",
            f"{error.mdc95 * mm_per_ipd:.2f}" if in_mm else "",
            str(error.n),
            error.source,
        )
    console.print(out)


@photo_app.command("repeatability")
def repeatability(
    file: Annotated[
        Path | None,
        typer.Option("--file", help="Measure this photo instead of your baseline (nothing stored)."),
    ] = None,
    video: Annotated[
        Path | None,
        typer.Option(
            "--video", help="Use frames of a video of you at rest as real repeats (nothing stored)."
        ),
    ] = None,
    samples: Annotated[int, typer.Option("--samples", min=4, max=200, help="Simulated re-takes.")] = 16,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed of the re-takes (reproducible tables).")
    ] = 0,
    as_json: JsonOpt = False,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Measure and print each metric's error: SEM and MDC95 = 1.96 * sqrt(2) * SEM.

    Re-takes are simulated from your baseline photo (small head turns, light, distance, JPEG, noise,
    all within the gate); photos you took on the same day count as real repeats. Saved for `compare`.
    """
    from rich.progress import Progress

    from facefit.photos.files import load_photo
    from facefit.photos.progress import measure_repeatability
    from facefit.photos.repeatability import perturbation_measurements, repeatability_table

    if file is not None and video is not None:
        from facefit.errors import InputError

        raise InputError("Give --file or --video, not both.")
    with _landmarker() as landmarker, Progress(console=err_console, transient=True) as progress:
        task = progress.add_task("simulated re-takes", total=samples)
        tick = lambda: progress.advance(task)  # noqa: E731
        if video is not None:
            from facefit.errors import InputError
            from facefit.photos.repeatability import video_repeat_measurements
            from facefit.vision.sources import open_source

            progress.update(task, description="video frames", total=None)
            with open_source(video) as frames:
                repeats = video_repeat_measurements(frames, landmarker, on_frame=tick)
            if len(repeats.measurements) < 2:
                raise InputError(
                    f"Only {len(repeats.measurements)} frames of {video.name} passed the gate against its "
                    "first frame: record yourself still, facing the camera, in even light."
                )
            table = repeatability_table(None, [[m.metrics for m in repeats.measurements]])
            mm = repeats.measurements[0].summary()["mm_per_ipd"]
            info = (
                f"{video.name}: {len(repeats.measurements)} of {repeats.frames_checked} frames (every 3rd) "
                "passed the gate against the first; same-sitting repeats understate between-day error"
            )
        elif file is not None:
            from facefit.photos.measure import measure_photo

            loaded = load_photo(file)
            base = measure_photo(loaded.rgb, landmarker)
            if not base.present:
                from facefit.errors import NoFaceError

                raise NoFaceError(f"{file.name}: no face found.")
            run = perturbation_measurements(
                loaded.rgb, landmarker, samples=samples, seed=seed, base=base, on_sample=tick
            )
            from facefit.errors import InputError
            from facefit.photos.gate import evaluate

            as_baseline = evaluate(run.measurements[0])
            if not as_baseline.accepted:
                err_console.print(
                    f"[yellow]warning:[/yellow] {file.name} would not pass the gate as a baseline "
                    f"({', '.join(c.name for c in as_baseline.failed)}); its table describes this photo only."
                )
            if run.accepted < 2:
                raise InputError(
                    f"Only {run.accepted} of {run.attempted} simulated re-takes of {file.name} passed the "
                    "gate, too few to estimate the error: use a sharper, closer, frontal photo."
                )
            table = repeatability_table([m.metrics for m in run.measurements])
            mm = run.measurements[0].summary()["mm_per_ipd"]
            info = f"{file.name}: {run.accepted} of {run.attempted} simulated re-takes passed the gate"
        else:
            report = measure_repeatability(
                store=store(),
                profile_id=_profile_id(profile),
                landmarker=landmarker,
                samples=samples,
                seed=seed,
                on_sample=tick,
            )
            table, mm = report.table, report.mm_per_ipd
            info = (
                f"baseline photo {report.baseline_photo_id}: {report.perturbations_kept} of "
                f"{report.perturbations_tried} simulated re-takes passed the gate; "
                f"{report.repeat_groups} same-day groups of real repeats"
            )
    if as_json:
        typer.echo(
            json.dumps(
                {"source": info, "mm_per_ipd": mm, "metrics": [e.to_dict() for e in table.values()]}, indent=2
            )
        )
        return
    _print_errors(table, mm, "Repeatability (a change smaller than MDC95 is not measurable)")
    console.print(info)


def _measure_ref(
    ref: str, *, the_store: Any, profile_id: int, landmarker: Callable[[], Any], reference: Any = None
) -> tuple[dict[str, float], Any, str]:
    """Metrics of a stored photo (id / hash prefix) or of a photo file, plus its summary and a label.

    A file goes through the gate like an import (against ``reference``, the earlier photo's, or as a
    baseline): its line indices count only if it passes (``GateResult.to_dict`` drops them otherwise).
    ``landmarker()`` gives the model, opened on first use (a stored photo needs none)."""
    from facefit.photos.files import load_photo
    from facefit.photos.gate import Reference, evaluate
    from facefit.photos.library import resolve_photo
    from facefit.photos.measure import measure_photo

    path = Path(ref)
    if path.is_file():
        measured = measure_photo(load_photo(path).rgb, landmarker())
        if not measured.present:
            from facefit.errors import NoFaceError

            raise NoFaceError(f"{path.name}: no face found, nothing to compare.")
        gated = evaluate(measured, Reference.from_summary(reference) if reference else None)
        summary = {**gated.to_dict()["metrics"], "failed_checks": [c.name for c in gated.failed]}
        metrics = {k: v for k, v in measured.metrics.items() if k in summary["face"]}
        return metrics, summary, path.name
    photo = resolve_photo(store=the_store, profile_id=profile_id, ref=ref)
    return photo.metrics, photo.measurement, f"photo {photo.id} ({photo.taken_at.date()})"


@photo_app.command("compare")
def compare(
    before: Annotated[str, typer.Argument(help="Earlier photo: stored id, hash prefix, or a file.")],
    after: Annotated[str, typer.Argument(help="Later photo: stored id, hash prefix, or a file.")],
    show_all: Annotated[
        bool, typer.Option("--all", help="List every metric, not only measurable ones.")
    ] = False,
    as_json: JsonOpt = False,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Compare two photos; says "no measurable change" unless a metric moved more than its MDC95."""
    from rich.table import Table

    from facefit.photos.compare import compare_metrics, unmeasurable_regions
    from facefit.photos.progress import measure_repeatability, stored_errors
    from facefit.photos.repeatability import perturbation_measurements, repeatability_table

    the_store = store()
    profile_id = _profile_id(profile)
    with contextlib.ExitStack() as stack:
        opened: list[Any] = []

        def landmarker() -> Any:  # loaded only to measure a file or simulate re-takes
            if not opened:
                opened.append(stack.enter_context(_landmarker()))
            return opened[0]

        metrics_a, summary_a, label_a = _measure_ref(
            before, the_store=the_store, profile_id=profile_id, landmarker=landmarker
        )
        metrics_b, summary_b, label_b = _measure_ref(
            after, the_store=the_store, profile_id=profile_id, landmarker=landmarker, reference=summary_a
        )
        errors = stored_errors(store=the_store, profile_id=profile_id)
        error_source = "your stored repeatability table"
        if not errors:
            from facefit.photos.library import baseline_reference

            if baseline_reference(store=the_store, profile_id=profile_id) is not None:
                errors = measure_repeatability(
                    store=the_store, profile_id=profile_id, landmarker=landmarker()
                ).table
                error_source = "re-takes simulated from your baseline photo (now stored)"
            else:
                from facefit.photos.files import load_photo

                path = Path(before)
                if not path.is_file():
                    from facefit.errors import InputError

                    raise InputError("No repeatability table and no baseline photo: compare photo files "
                                     "instead, or add a baseline with `facefit photo add FILE`.")
                run = perturbation_measurements(load_photo(path).rgb, landmarker())
                errors = repeatability_table([m.metrics for m in run.measurements])
                error_source = f"re-takes simulated from {path.name} (no baseline stored)"
    result = compare_metrics(
        metrics_a,
        metrics_b,
        errors,
        mm_per_ipd=summary_a.get("mm_per_ipd"),
        unmeasurable=unmeasurable_regions(summary_a, summary_b),
    )
    warnings = [
        f"{label} did not pass the photo protocol{against} ({', '.join(failed)}): a difference may be the "
        "photo, not the face"
        for label, against, failed in (
            (label_a, "", summary_a.get("failed_checks")),
            (label_b, f" against {label_a}", summary_b.get("failed_checks")),
        )
        if failed
    ]
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "before": label_a,
                    "after": label_b,
                    "error_source": error_source,
                    "warnings": warnings,
                    **result.to_dict(),
                },
                indent=2,
            )
        )
        return
    table = Table(title=f"{label_a} -> {label_b}", title_justify="left")
    for column in ("metric", "unit", "before", "after", "change", "change mm", "MDC95", "change/MDC95", ""):
        table.add_column(column)
    for change in result.changes:
        if not (show_all or change.measurable):
            continue
        mm = change.change_mm
        verdict = "[green]measurable[/green]" if change.measurable else "within error"
        if change.experimental:
            verdict += " [yellow](experimental)[/yellow]"
        table.add_row(
            change.metric,
            change.unit,
            f"{change.before:.4f}",
            f"{change.after:.4f}",
            f"{change.change:+.4f}",
            f"{mm:+.2f}" if mm is not None else "",
            f"{change.mdc95:.4f}",
            f"{change.ratio:.2f}",
            verdict,
        )
    if table.row_count:
        console.print(table)
    from facefit.photos.lines import REGIONS_BY_NAME

    reasons = set(result.unmeasurable.values())
    if len(result.unmeasurable) == len(REGIONS_BY_NAME) and len(reasons) == 1:
        console.print(f"lines and folds: {reasons.pop()}")  # one reason for every region: say it once
    else:
        for region, why in result.unmeasurable.items():
            console.print(f"{REGIONS_BY_NAME[region].plain}: {why}")
    for warning in warnings:
        err_console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"[bold]{result.verdict}[/bold] (error from {error_source})")


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


def _output(path: Path, suffixes: tuple[str, ...]) -> Path:
    """``path`` if its suffix names a type we write (checked before any work), else one InputError."""
    from facefit.errors import InputError

    if path.suffix.lower() not in suffixes:
        raise InputError(f"Cannot write {path.name}: use a {', '.join(suffixes)} file name.")
    return path


def _view_photos(refs: list[str], profile: str) -> list[Any]:
    from facefit.photos.library import resolve_photo
    from facefit.photos.progress import view_photo

    profile_id = _profile_id(profile)
    return [view_photo(resolve_photo(store=store(), profile_id=profile_id, ref=r)) for r in refs]


@photo_app.command("before-after")
def before_after(
    before: Annotated[str, typer.Argument(help="Earlier stored photo (id or hash prefix).")],
    after: Annotated[str, typer.Argument(help="Later stored photo (id or hash prefix).")],
    out: Annotated[Path, typer.Option("--out", help="Output PNG; a blink GIF is written beside it.")] = Path(
        "before-after.png"
    ),
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Write the two photos aligned side by side (PNG) and as a before/after blink GIF."""
    from facefit.photos.views import blink_gif, save_image, side_by_side

    _output(out, IMAGE_SUFFIXES)
    first, second = _view_photos([before, after], profile)
    save_image(side_by_side(first, second), out)
    gif = blink_gif(first, second, out.with_suffix(".gif"))
    console.print(f"wrote {out} and {gif}")


def _all_view_photos(profile: str) -> list[Any]:
    from facefit.errors import InputError
    from facefit.photos.library import stored_photos
    from facefit.photos.progress import view_photo

    photos = stored_photos(store=store(), profile_id=_profile_id(profile))
    if not photos:
        raise InputError("No accepted photos stored yet: add some with `facefit photo add FILE`.")
    return [view_photo(p) for p in photos]


@photo_app.command("sheet")
def sheet(
    out: Annotated[Path, typer.Argument(help="Output image (PNG or JPEG).")] = Path("contact-sheet.png"),
    columns: Annotated[int, typer.Option("--columns", min=1, max=12, help="Photos per row.")] = 4,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Write a contact sheet of all accepted photos, aligned and dated, oldest first."""
    from facefit.photos.views import contact_sheet, save_image

    _output(out, IMAGE_SUFFIXES)
    save_image(contact_sheet(_all_view_photos(profile), columns=columns), out)
    console.print(f"wrote {out}")


@photo_app.command("timelapse")
def timelapse(
    out: Annotated[Path, typer.Argument(help="Output video (.mp4, H.264).")],
    seconds: Annotated[float, typer.Option("--seconds", min=0.1, max=10, help="Seconds per photo.")] = 1.0,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Write a time-lapse MP4 of all accepted photos, aligned on stable landmarks, with dates."""
    from facefit.photos.views import write_timelapse

    _output(out, (".mp4",))
    write_timelapse(_all_view_photos(profile), out, seconds_per_photo=seconds)
    console.print(f"wrote {out}")


@photo_app.command("plot")
def plot(
    out_dir: Annotated[Path, typer.Argument(help="Directory for one PNG per metric.")] = Path("photo-plots"),
    metric: Annotated[str | None, typer.Option("--metric", help="Only this metric (default: all).")] = None,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Plot each metric over time with its MDC95 band around the baseline value."""
    from facefit.errors import InputError
    from facefit.photos.library import stored_photos
    from facefit.photos.metrics import METRIC_SPECS
    from facefit.photos.progress import metric_history, stored_errors
    from facefit.photos.views import plot_metric

    profile_id = _profile_id(profile)
    if metric is not None and metric not in METRIC_SPECS:
        raise InputError(f"Unknown metric {metric!r}; choose one of: {', '.join(METRIC_SPECS)}.")
    dates, series = metric_history(stored_photos(store=store(), profile_id=profile_id))
    if not dates:
        raise InputError("No accepted photos stored yet: add some with `facefit photo add FILE`.")
    errors = stored_errors(store=store(), profile_id=profile_id)
    if not errors:
        err_console.print(
            "no repeatability table yet (run `facefit photo repeatability`): plots have no band."
        )
    for name in [metric] if metric else list(METRIC_SPECS):
        spec = METRIC_SPECS[name]
        path = plot_metric(
            dates,
            series[name],
            metric=name,
            unit=spec.unit,
            mdc95=errors[name].mdc95 if name in errors else None,
            path=out_dir / f"{name}.png",
            experimental=spec.experimental,
        )
        console.print(f"wrote {path}")


@photo_app.command("capture")
def capture(
    camera: Annotated[
        int, typer.Option("--camera", min=0, help="Camera index (0 is the default camera).")
    ] = 0,
    source: Annotated[
        str | None,
        typer.Option("--source", help="Use a video file instead of the camera (rehearsal, tests)."),
    ] = None,
    window: Annotated[
        bool | None,
        typer.Option("--window/--no-window", help="Show the live view (default: if a display exists)."),
    ] = None,
    hold: Annotated[
        int, typer.Option("--hold", min=1, max=100, help="Frames all checks must pass in a row.")
    ] = 5,
    force: Annotated[
        bool, typer.Option("--force", help="Store a photo taken with the key even if rejected.")
    ] = False,
    profile: ProfileOpt = DEFAULT_PROFILE,
) -> None:
    """Live view with your baseline as a ghost and the checks turning green; takes the photo by itself
    when every check passes (or when you press space). Without a display it prints the checks instead."""
    from rich.live import Live
    from rich.text import Text

    from facefit.photos.capture import NoDisplayError, has_display, run_capture, status_line
    from facefit.photos.library import baseline_reference, calibrated_rest, load_stored_rgb
    from facefit.signals.stream import SignalStream
    from facefit.store.photos import get_baseline

    show = has_display() if window is None else window
    if show and not has_display():
        raise NoDisplayError(
            "No display found for the live view: run with --no-window to capture from the terminal, "
            "or take the photo another way and import it with `facefit photo add FILE`."
        )
    the_store = store()
    profile_id = _profile_id(profile)
    reference = baseline_reference(store=the_store, profile_id=profile_id)
    baseline_rgb = None
    if reference is not None:
        with the_store.transaction() as session:
            baseline = get_baseline(session=session, profile_id=profile_id)
        baseline_rgb = load_stored_rgb(baseline) if baseline is not None else None
    if not show:
        err_console.print(
            "no window: showing the checks here; the photo is taken when all pass (Ctrl-C stops)."
        )
    live = Live(Text("waiting for the first frame..."), console=err_console, transient=True)
    spec = source if source is not None else camera
    with _landmarker() as landmarker, SignalStream(spec, landmarker=landmarker) as frames, live:
        outcome = run_capture(
            frames,
            store=the_store,
            profile_id=profile_id,
            landmarker=landmarker,
            reference=reference,
            baseline_rgb=baseline_rgb,
            window=show,
            hold_frames=hold,
            force=force,
            rest=calibrated_rest(store=the_store, profile_id=profile_id),
            on_status=lambda status: live.update(Text(status_line(status, hold))),
        )
    if outcome is None:
        console.print("no photo taken.")
        raise typer.Exit(1)
    if outcome.stored:
        note = " and is your baseline" if outcome.is_baseline else ""
        console.print(f"photo taken: stored as photo {outcome.photo_id}{note}")
    elif outcome.duplicate:
        console.print(f"this frame is already stored as photo {outcome.photo_id}")
    else:
        assert outcome.result is not None
        _print_checks(outcome.result, "captured photo")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.add_typer(photo_app, name="photo")
