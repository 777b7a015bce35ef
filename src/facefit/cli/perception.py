"""``facefit landmarks`` and ``facefit calibrate``: look at a photo/video, record a neutral rest.

Thin adapters over :func:`facefit.signals.extract.extract_signals` and
:func:`facefit.signals.calibration.calibrate_source`. Exit codes: 0 success, 2 unusable input (corrupt,
empty, wrong type, too large), 3 "no face found", 4 rest rejected (not neutral or not still).
"""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from facefit.cli._common import console, err_console
from facefit.errors import InputError, NoFaceError

if TYPE_CHECKING:
    from facefit.signals.calibration import Calibration
    from facefit.signals.extract import Extraction

_LANDMARKS_HELP = (
    "Find the face in a photo or video and print head pose, signals and blendshapes.\n\n"
    "Frames where the face is missing are kept and marked (face_present 0, faces_found 0). With several "
    "faces the largest is measured and the others are reported.\n\n"
    "Exit codes: 0 ok; 2 unusable file (corrupt, empty, not an image or video, too large); "
    "3 no face found in any frame."
)

_CALIBRATE_HELP = (
    "Record your neutral rest (your personal zero) from a camera, a video or a photo, and store it.\n\n"
    "Sit still, face the camera, lips closed and relaxed, brows at rest. From a camera or video the rest "
    "is the median of the stillest 1 s or more; from a photo, the photo and its mirror image are averaged "
    "(cancels the model's left/right bias). The newest calibration is used; older ones are kept.\n\n"
    "Exit codes: 0 stored; 2 unusable input; 3 no face found; 4 rest rejected (the message says what "
    "to fix; nothing is stored)."
)


KEY_SIGNALS = (
    "brow_height_r", "brow_height_l", "eye_aperture_r", "eye_aperture_l", "mouth_corner_lift_r",
    "mouth_corner_lift_l", "mouth_opening", "mouth_width", "mouth_roundness", "jaw_opening",
    "head_pitch", "head_yaw", "head_roll",
)


def _num(value: float, digits: int = 5) -> float | None:
    """JSON-safe float: NaN/inf -> None, rounded so output stays readable."""
    return round(float(value), digits) if math.isfinite(value) else None


def _frame_records(extraction: Extraction) -> list[dict[str, Any]]:
    from facefit.signals.names import BLENDSHAPE_SIGNALS, GEOMETRY_SIGNALS, SIGNAL_INDEX

    records = []
    for i, (t, row) in enumerate(zip(extraction.series.t_ms, extraction.series.values, strict=True)):
        present = bool(row[SIGNAL_INDEX["face_present"]] == 1)
        record: dict[str, Any] = {
            "frame": i,
            "t_ms": int(t),
            "face_present": present,
            "faces_found": int(extraction.faces_found[i]),
        }
        if present:
            record["head_pose"] = {
                axis: _num(row[SIGNAL_INDEX[f"head_{axis}"]], 3) for axis in ("pitch", "yaw", "roll")
            }
            record["scale"] = _num(row[SIGNAL_INDEX["scale"]])
            record["signals"] = {name: _num(row[SIGNAL_INDEX[name]]) for name in GEOMETRY_SIGNALS}
            record["blendshapes"] = {
                name[3:]: _num(row[SIGNAL_INDEX[name]], 4) for name in BLENDSHAPE_SIGNALS
            }
            if extraction.landmarks is not None:
                record["landmarks"] = [[round(float(v), 5) for v in p] for p in extraction.landmarks[i]]
        records.append(record)
    return records


def _summary(extraction: Extraction) -> dict[str, Any]:
    import numpy as np

    from facefit.signals.names import SIGNAL_NAMES

    values = extraction.series.values[~extraction.missing_mask]
    stats: dict[str, Any] = {}
    for j, name in enumerate(SIGNAL_NAMES):
        if name == "face_present":
            continue
        column = values[:, j]
        column = column[np.isfinite(column)]
        if column.size == 0:
            stats[name] = None
            continue
        p5, median, p95 = np.percentile(column, [5, 50, 95])
        stats[name] = {
            "median": _num(median), "p5": _num(p5), "p95": _num(p95),
            "min": _num(column.min()), "max": _num(column.max()),
        }
    return stats


def _header(extraction: Extraction) -> dict[str, Any]:
    missing = [int(i) for i in range(extraction.frames) if extraction.missing_mask[i]]
    return {
        "source": extraction.source,
        "kind": extraction.kind,
        "width": extraction.size[0],
        "height": extraction.size[1],
        "fps": _num(extraction.fps, 3) if extraction.fps else None,
        "frames": extraction.frames,
        "frames_with_face": extraction.frames - extraction.frames_without_face,
        "frames_without_face": extraction.frames_without_face,
        "missing_frames": missing,
        "max_faces_seen": extraction.max_faces_seen,
        "truncated": extraction.truncated,
    }


def _csv_text(extraction: Extraction) -> str:
    from facefit.signals.names import SIGNAL_NAMES

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["frame", "t_ms", "faces_found", *SIGNAL_NAMES])
    for i, (t, row) in enumerate(zip(extraction.series.t_ms, extraction.series.values, strict=True)):
        cells = ["" if not math.isfinite(v) else f"{v:.6g}" for v in row]
        writer.writerow([i, int(t), int(extraction.faces_found[i]), *cells])
    return buffer.getvalue()


def _print_table(extraction: Extraction) -> None:
    from rich.table import Table

    header = _header(extraction)
    size = f"{header['width']}x{header['height']}"
    console.print(
        f"[bold]{Path(extraction.source).name}[/bold]: {extraction.kind}, {size}, {extraction.frames} frames"
        f", face in {header['frames_with_face']}, "
        f"most faces in one frame {extraction.max_faces_seen}"
    )
    stats = _summary(extraction)
    table = Table(title="signals (IPD units; angles in degrees)")
    for column in ("signal", "median", "p5", "p95"):
        table.add_column(column, justify="right" if column != "signal" else "left")
    for name in (*KEY_SIGNALS, "scale"):
        entry = stats.get(name)
        if entry is None:
            table.add_row(name, "-", "-", "-")
        else:
            table.add_row(name, f"{entry['median']:.4g}", f"{entry['p5']:.4g}", f"{entry['p95']:.4g}")
    console.print(table)


def landmarks(
    path: Annotated[Path, typer.Argument(help="Photo or video file (any common format; y4m too).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON: header plus one record per frame.")
    ] = False,
    as_csv: Annotated[
        bool, typer.Option("--csv", help="Print a tidy CSV: one row per frame, one column per signal.")
    ] = False,
    summary: Annotated[
        bool, typer.Option("--summary", help="With --json: per-signal statistics instead of every frame.")
    ] = False,
    with_landmarks: Annotated[
        bool, typer.Option("--with-landmarks", help="With --json: include the 478 normalised landmarks.")
    ] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the JSON/CSV to this file instead of stdout.")
    ] = None,
    max_side: Annotated[
        int | None, typer.Option("--max-side", min=64, help="Downscale video frames to this longer side.")
    ] = None,
    model: Annotated[Path | None, typer.Option("--model", help="Face Landmarker .task file to use.")] = None,
) -> None:
    from facefit.signals.extract import extract_signals

    if as_json and as_csv:
        raise InputError("Choose one of --json and --csv.")
    interactive = not (as_json or as_csv) or out is not None
    extraction = extract_signals(
        path, model_path=model, progress=interactive, max_side=max_side, keep_landmarks=with_landmarks
    )
    if extraction.frames == 0:
        raise InputError(f"{path.name} contains no frames.")
    if extraction.frames_without_face == extraction.frames:
        raise NoFaceError(f"No face found in {path.name}.")
    if extraction.max_faces_seen > 1:
        err_console.print(
            f"note: up to {extraction.max_faces_seen} faces seen; the largest face was measured.",
            highlight=False,
        )
    if extraction.truncated:
        err_console.print(
            f"note: {path.name} ends early (cut short or corrupt); the {extraction.frames} frames before "
            "that were used.",
            highlight=False,
        )
    if extraction.frames_without_face:
        err_console.print(
            f"note: no face in {extraction.frames_without_face} of {extraction.frames} frames "
            "(marked face_present 0).",
            highlight=False,
        )
    if as_csv:
        text = _csv_text(extraction)
    elif as_json:
        document = _header(extraction)
        if summary:
            document["summary"] = _summary(extraction)
        else:
            document["frames_detail"] = _frame_records(extraction)
        text = json.dumps(document, indent=1)
    else:
        _print_table(extraction)
        return
    if out is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        from facefit.fileio import write_atomic

        write_atomic(out, text.encode("utf-8"))
        err_console.print(f"wrote {out}", highlight=False)


def calibrate(
    camera: Annotated[
        int | None, typer.Option("--camera", min=0, help="Camera index to record from.")
    ] = None,
    video: Annotated[Path | None, typer.Option("--video", help="Video of you at rest (>= 1 s).")] = None,
    image: Annotated[
        Path | None, typer.Option("--image", help="Photo of you at rest, facing the camera.")
    ] = None,
    seconds: Annotated[
        float, typer.Option("--seconds", min=1.5, max=60.0, help="How long to record from the camera.")
    ] = 5.0,
    profile: Annotated[str, typer.Option("--profile", help="Profile to store the calibration for.")] = "me",
    as_json: Annotated[bool, typer.Option("--json", help="Print the stored calibration as JSON.")] = False,
    model: Annotated[Path | None, typer.Option("--model", help="Face Landmarker .task file to use.")] = None,
) -> None:
    from facefit.cli._common import profile_transaction
    from facefit.signals.calibration import calibrate_source
    from facefit.store.calibration import save_calibration

    chosen = [spec for spec in (camera, video, image) if spec is not None]
    if len(chosen) != 1:
        raise InputError("Give exactly one of --camera N, --video FILE or --image FILE.")
    spec: int | Path = chosen[0]
    if image is not None:
        from facefit.vision.sources import open_source

        with open_source(image) as source:
            if source.kind != "image":
                raise InputError(f"{image.name} is not a photo; use --video for videos.")
    if camera is not None:
        spec = f"camera:{camera}"  # type: ignore[assignment]

    def announce() -> None:
        err_console.print(f"Recording {seconds:g} s: sit still, face the camera, lips closed and relaxed.")

    calibration = calibrate_source(
        spec, model_path=model, progress=camera is None, camera_seconds=seconds, on_recording=announce
    )
    with profile_transaction(profile) as (session, profile_id):
        record_id = save_calibration(session=session, profile_id=profile_id, calibration=calibration).id
    if as_json:
        typer.echo(json.dumps({"id": record_id, "profile": profile, **calibration.to_dict()}, indent=1))
        return
    _print_calibration(calibration, record_id, profile)


def _print_calibration(calibration: Calibration, record_id: int, profile: str) -> None:
    from rich.table import Table

    from facefit.signals.names import SIGNAL_INDEX

    table = Table(title=f"neutral rest stored for profile '{profile}' (calibration #{record_id})")
    table.add_column("signal")
    table.add_column("rest", justify="right")
    table.add_column("jitter", justify="right")
    for name in KEY_SIGNALS:
        rest = calibration.value(name)
        jitter = float(calibration.spread[SIGNAL_INDEX[name]])
        table.add_row(name, f"{rest:.4g}", "-" if not math.isfinite(jitter) else f"{jitter:.3g}")
    console.print(table)
    console.print(
        f"method: {calibration.method} over {calibration.frames} frame(s) from {calibration.source}"
    )


def register(app: typer.Typer) -> None:
    """Add ``landmarks`` and ``calibrate`` to the ``facefit`` command."""
    app.command("landmarks", help=_LANDMARKS_HELP)(landmarks)
    app.command("calibrate", help=_CALIBRATE_HELP)(calibrate)
