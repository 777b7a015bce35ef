"""A small face map: the line and fold regions on the user's own face outline, coloured by change.

Drawn as inline SVG (no image library, no files) from the landmarks of one stored photo, with the
regions placed exactly as :mod:`facefit.photos.lines` measures them. A region is coloured only when its
change is beyond its MDC95 (more or deeper lines in orange, fewer or shallower in blue: a pair that
colour-blind readers tell apart); within the error it is grey, and a region a photo could not show is
left white with a dashed outline. Every region carries a ``<title>`` with its plain words, and the map
has a legend in words, so colour is never the only carrier of the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from html import escape
from typing import Any

import numpy as np

from facefit.photos.compare import (
    MetricChange,
    RegionChange,
    compare_metrics,
    region_changes,
    unmeasurable_regions,
)
from facefit.photos.lines import feature_outlines, region_polygons
from facefit.photos.metrics import STRUCTURE_METRICS

FILL = {
    "more": "#e66100",
    "fewer": "#5d9cec",
    "no measurable change": "#d9d9d9",
    "no error yet": "#eeeeee",
    "one photo so far": "#eeeeee",
    "not measurable": "#ffffff",
}
LEGEND = (
    ("more", "more or deeper lines"),
    ("fewer", "fewer or shallower lines"),
    ("no measurable change", "no measurable change"),
    ("not measurable", "not measurable in these photos"),
)
LEGEND_NOTE = "Coloured only beyond the measurement error."
WIDTH = 260.0
ONE_PHOTO = "one photo so far"


def _path(points: np.ndarray, *, closed: bool = True) -> str:
    parts = [f"{x:.1f},{y:.1f}" for x, y in points]
    return "M" + " L".join(parts) + (" Z" if closed else "")


def face_map_svg(landmarks: np.ndarray, image_size: tuple[int, int], regions: Sequence[RegionChange]) -> str:
    """An SVG face map (a string to put inline in HTML) from normalised (478, 2+) landmarks."""
    points = np.asarray(landmarks, dtype=np.float64)[:, :2] * np.array(image_size, dtype=np.float64)
    polygons = region_polygons(points)
    outlines = feature_outlines(points)
    oval = outlines.pop("face")[0]
    low = oval.min(axis=0) - 6.0
    high = oval.max(axis=0) + 6.0
    scale = WIDTH / float(high[0] - low[0])
    height = float(high[1] - low[1]) * scale

    def fit(p: np.ndarray) -> np.ndarray:
        return (p - low) * scale

    shapes = [f'<path d="{_path(fit(oval))}" fill="#fbf6f1" stroke="#666" stroke-width="1.2"/>']
    for outline, closed in outlines.values():
        shapes.append(
            f'<path d="{_path(fit(outline), closed=closed)}" fill="none" stroke="#999" stroke-width="1"/>'
        )
    for change in regions:
        fill = FILL.get(change.status, "#ffffff")
        dash = ' stroke-dasharray="3 2"' if change.status == "not measurable" else ""
        title = escape(f"{change.label}: {change.words}")
        for polygon in polygons.get(change.region, []):
            shapes.append(
                f'<path d="{_path(fit(polygon))}" fill="{fill}" fill-opacity="0.85" stroke="#333" '
                f'stroke-width="0.8"{dash} data-region="{change.region}" '
                f'data-status="{escape(change.status)}">'
                f"<title>{title}</title></path>"
            )
    legend_y = height + 14.0
    legend = []
    for i, (status, words) in enumerate(LEGEND):
        y = legend_y + 16.0 * i
        dash = ' stroke-dasharray="3 2"' if status == "not measurable" else ""
        legend.append(
            f'<rect x="4" y="{y - 9:.1f}" width="12" height="10" fill="{FILL[status]}" stroke="#333"'
            f' stroke-width="0.8"{dash}/>'
            f'<text x="22" y="{y:.1f}" font-size="10" fill="#222">{escape(words)}</text>'
        )
    note_y = legend_y + 16.0 * len(LEGEND)
    legend.append(f'<text x="4" y="{note_y:.1f}" font-size="10" fill="#222">{escape(LEGEND_NOTE)}</text>')
    total = note_y + 8.0
    summary = "; ".join(f"{c.label}: {c.words}" for c in regions)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH:.0f} {total:.0f}" width="{WIDTH:.0f}" '
        f'height="{total:.0f}" role="img" aria-label="Face map of lines and folds. {escape(summary)}" '
        f'class="face-map">' + "".join(shapes) + "".join(legend) + "</svg>"
    )


def line_changes(
    accepted: Sequence[Any], errors: Mapping[str, Any], mm_per_ipd: float | None
) -> tuple[list[RegionChange], str | None, list[MetricChange]]:
    """Lines and structure from the first to the latest accepted photo (``store.photos.Photo`` rows):
    each line region's change and the face map drawn on the first photo, and the structure metrics'
    changes (each judged against its MDC95; an empty table judges nothing)."""
    if not accepted:
        return [], None, []
    first, last = accepted[0], accepted[-1]
    unmeasurable = unmeasurable_regions(first.measurement, last.measurement)
    regions = region_changes(first.metrics, last.metrics, errors, unmeasurable)
    if len(accepted) < 2:
        regions = [
            r
            if r.status == "not measurable"
            else replace(
                r,
                status=ONE_PHOTO,
                words=f"{ONE_PHOTO}: the next photo is compared with this one",
                ratio=None,
            )
            for r in regions
        ]
    try:
        face_map = face_map_svg(np.asarray(first.landmarks), (first.width, first.height), regions)
    except (ValueError, IndexError):  # landmarks missing or damaged in an old row: no map, the words stay
        face_map = None
    names = [spec.name for spec in STRUCTURE_METRICS]
    structure = (
        [
            c
            for c in compare_metrics(first.metrics, last.metrics, errors, mm_per_ipd=mm_per_ipd).changes
            if c.metric in names
        ]
        if len(accepted) >= 2
        else []
    )
    return regions, face_map, structure


def headline_with_lines(
    headline: str, regions: Sequence[RegionChange], structure: Sequence[MetricChange]
) -> str:
    """The photo headline with the line regions and structure metrics that changed beyond MDC95 added
    (the headline's charts do not include them); experimental metrics never make it."""
    parts = [
        f"{r.label}: {'more or deeper lines' if r.status == 'more' else 'fewer or shallower lines'}"
        for r in regions
        if r.status in ("more", "fewer")
    ]
    parts += [
        f"{c.label}: {'larger' if c.change > 0 else 'smaller'}"
        for c in structure
        if c.measurable and not c.experimental
    ]
    if not parts:
        return headline
    if headline.startswith(("No measurable change", "Not enough yet")):
        return "Measurable change: " + "; ".join(parts) + "."
    return headline.rstrip(".") + "; " + "; ".join(parts) + "."
