"""Pictures of progress: aligned before/after, blink GIF, contact sheet, time-lapse, metric plots.

Photos are aligned with a similarity transform (rotation, uniform scale, shift) fitted on landmarks
that expressions barely move (eye corners, nose bridge, pupils), so what differs between aligned
frames is the face, not where the camera was. No warping beyond that: a view must not invent change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from facefit.fileio import write_atomic
from facefit.photos import landmarks as lm

CANVAS = (480, 600)  # width, height of aligned frames
CANVAS_IPD = 0.24  # IPD as a fraction of the canvas width (room for the jawline)
CANVAS_EYE_Y = 0.36  # pupil line height as a fraction of the canvas height
VIEW_MODE = 0o644  # views are written for the user to look at and share deliberately


@dataclass(frozen=True)
class ViewPhoto:
    """A photo to show: pixels, normalised (478, 2+) landmarks, and its label (usually the date)."""

    rgb: np.ndarray
    landmarks: np.ndarray
    label: str


def canonical_points(reference_landmarks: np.ndarray, reference_size: tuple[int, int]) -> np.ndarray:
    """Where the stable points go on the canvas: the reference face's own shape, levelled and centred."""
    frame = lm.pupil_frame(_as3(reference_landmarks), reference_size)
    width, height = CANVAS
    return frame.u[list(lm.STABLE_POINTS)] * (CANVAS_IPD * width) + np.array(
        [width / 2, CANVAS_EYE_Y * height]
    )


def _as3(landmarks: np.ndarray) -> np.ndarray:
    points = np.asarray(landmarks, dtype=np.float64)
    return points if points.shape[1] == 3 else np.concatenate([points, np.zeros((len(points), 1))], axis=1)


def align(photo: ViewPhoto, target: np.ndarray) -> np.ndarray:
    """``photo`` warped onto the canvas so its stable points best match ``target`` (similarity only)."""
    import cv2

    height, width = photo.rgb.shape[:2]
    src = np.asarray(photo.landmarks, dtype=np.float64)[list(lm.STABLE_POINTS), :2] * np.array(
        [width, height]
    )
    matrix, _ = cv2.estimateAffinePartial2D(
        src.astype(np.float32), target.astype(np.float32), method=cv2.LMEDS
    )
    if matrix is None:
        raise ValueError("could not align the photo (degenerate landmarks)")
    return cv2.warpAffine(
        photo.rgb,
        matrix,
        CANVAS,
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=(0, 0, 0),
    )


def label(rgb: np.ndarray, text: str) -> np.ndarray:
    """The frame with ``text`` in a dark band at the bottom (dates on time-lapse frames)."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.fromarray(rgb)
    draw = ImageDraw.Draw(image)
    size = max(14, rgb.shape[0] // 24)
    try:
        font = ImageFont.truetype("DejaVuSans.ttf", size)
    except OSError:
        font = ImageFont.load_default()
    band = int(size * 1.6)
    draw.rectangle([0, rgb.shape[0] - band, rgb.shape[1], rgb.shape[0]], fill=(0, 0, 0))
    draw.text((8, rgb.shape[0] - band + size * 0.25), text, fill=(255, 255, 255), font=font)
    return np.asarray(image)


def aligned_frames(photos: Sequence[ViewPhoto], reference: ViewPhoto | None = None) -> list[np.ndarray]:
    """All photos aligned to the reference's (default: the first photo's) stable points, labelled."""
    if not photos:
        return []
    ref = reference or photos[0]
    target = canonical_points(ref.landmarks, (ref.rgb.shape[1], ref.rgb.shape[0]))
    return [label(align(p, target), p.label) for p in photos]


def side_by_side(before: ViewPhoto, after: ViewPhoto) -> np.ndarray:
    """Aligned before | after, one image."""
    left, right = aligned_frames([before, after])
    gap = np.full((CANVAS[1], 8, 3), 255, dtype=np.uint8)
    return np.concatenate([left, gap, right], axis=1)


def save_image(rgb: np.ndarray, path: Path) -> Path:
    """Save as PNG/JPEG by suffix, atomically, with no metadata."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    fmt = "JPEG" if path.suffix.lower() in (".jpg", ".jpeg") else "PNG"
    Image.fromarray(rgb).save(buffer, format=fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    write_atomic(path, buffer.getvalue(), mode=VIEW_MODE)
    return path


def blink_gif(before: ViewPhoto, after: ViewPhoto, path: Path, *, period_ms: int = 700) -> Path:
    """An aligned before/after GIF flipping between the two (change shows as movement)."""
    import io

    from PIL import Image

    frames = [Image.fromarray(f) for f in aligned_frames([before, after])]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:], duration=period_ms, loop=0)
    write_atomic(path, buffer.getvalue(), mode=VIEW_MODE)
    return path


def contact_sheet(photos: Sequence[ViewPhoto], *, columns: int = 4, thumb_width: int = 240) -> np.ndarray:
    """All photos aligned and labelled, in a grid (oldest first)."""
    import cv2

    frames = aligned_frames(photos)
    if not frames:
        raise ValueError("no photos to show")
    thumb_height = round(thumb_width * CANVAS[1] / CANVAS[0])
    thumbs = [cv2.resize(f, (thumb_width, thumb_height), interpolation=cv2.INTER_AREA) for f in frames]
    columns = max(1, min(columns, len(thumbs)))
    rows = -(-len(thumbs) // columns)
    sheet = np.full((rows * (thumb_height + 4) + 4, columns * (thumb_width + 4) + 4, 3), 255, dtype=np.uint8)
    for i, thumb in enumerate(thumbs):
        r, c = divmod(i, columns)
        y, x = 4 + r * (thumb_height + 4), 4 + c * (thumb_width + 4)
        sheet[y : y + thumb_height, x : x + thumb_width] = thumb
    return sheet


def write_timelapse(
    photos: Sequence[ViewPhoto], path: Path, *, seconds_per_photo: float = 1.0, fps: int = 10
) -> Path:
    """An H.264 MP4 of the aligned, dated photos, encoded in memory and written atomically."""
    import io

    from facefit.vision.sources import import_av

    av = import_av()

    frames = aligned_frames(photos)
    if not frames:
        raise ValueError("no photos for a time-lapse")
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height = CANVAS
        stream.pix_fmt = "yuv420p"
        repeat = max(1, round(seconds_per_photo * fps))
        for frame in frames:
            video_frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
            for _ in range(repeat):
                for packet in stream.encode(video_frame):
                    container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    write_atomic(path, buffer.getvalue(), mode=VIEW_MODE)
    return path


def plot_metric(
    dates: Sequence[datetime],
    values: Sequence[float],
    *,
    metric: str,
    unit: str,
    mdc95: float | None,
    path: Path,
    experimental: bool = False,
) -> Path:
    """One metric over time with the band of +/- MDC95 around the first (baseline) value.

    Points inside the band are indistinguishable from the baseline; the plot says so in its legend.
    """
    import io

    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 3.6), dpi=110)
    axes = figure.subplots()
    axes.plot(list(dates), list(values), "o-", color="#1f5fa8", label=metric)
    if mdc95 is not None and values:
        base = values[0]
        axes.axhspan(
            base - mdc95,
            base + mdc95,
            color="#999999",
            alpha=0.25,
            label=f"baseline +/- MDC95 ({mdc95:.3g} {unit}): no measurable change inside",
        )
    title = f"{metric} ({unit})" + (" - EXPERIMENTAL" if experimental else "")
    axes.set_title(title)
    axes.set_ylabel(unit)
    axes.legend(loc="best", fontsize=8)
    figure.autofmt_xdate()
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    write_atomic(path, buffer.getvalue(), mode=VIEW_MODE)
    return path
