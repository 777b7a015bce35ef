"""``facefit photo ...``: the progress-photo gate, import, capture, repeatability, comparison and views.

Thin adapter: parse arguments, call :mod:`facefit.photos`, render. MediaPipe, OpenCV and matplotlib
are imported inside the commands so ``facefit --help`` stays fast.
"""

from __future__ import annotations

import json
import os
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
    from facefit.photos.library import baseline_reference, check_rgb

    loaded = load_photo(file)
    profile_id = _profile_id(profile)
    reference = baseline_reference(store=store(), profile_id=profile_id)
    with _landmarker() as landmarker:
        result = check_rgb(loaded.rgb, landmarker=landmarker, reference=reference)
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print_checks(result, f"{file.name}: photo protocol")
    raise typer.Exit(0 if result.accepted else 1)


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
            raise InputError(f"photo {chosen.id} was rejected by the gate and cannot be the baseline.")
        with the_store.transaction() as session:
            set_baseline(session=session, profile_id=profile_id, photo_id=chosen.id)
    with the_store.transaction() as session:
        current = get_baseline(session=session, profile_id=profile_id)
        if current is None:
            console.print("no baseline yet: the first photo accepted by `facefit photo add` becomes it.")
        else:
            console.print(f"baseline: photo {current.id} ({current.source_name}, {current.taken_at.date()})")


def register(app: typer.Typer) -> None:
    app.add_typer(photo_app, name="photo")
