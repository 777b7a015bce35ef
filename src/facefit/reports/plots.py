"""The report's pictures: matplotlib figures built with the object API (no pyplot, no GUI backend).

Each function takes plain report values and returns a ``Figure`` (or None when there is nothing to
draw, so the page can say so in words instead of showing an empty chart). :func:`png` turns a
figure into PNG bytes for inlining; the PDF writer saves the same figures.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from facefit.habits.adherence import FREQUENCY_TARGET, DayRecord, PracticeDay, WeekStats
from facefit.habits.lifestyle import TargetSummary
from facefit.reports.data import PhotoData, SessionPoint
from facefit.safety.stops import BLOCKING_KINDS, SafetyRecord

STATUS_COLOURS = {
    "done": "#2e7d32", "extra": "#81c784", "missed": "#e53935", "today": "#ffb300", "rest": "#eeeeee",
    "future": "#bbdefb",
}
STATUS_LABELS = {
    "done": "practised as planned", "extra": "practised on a rest day", "missed": "missed",
    "today": "today (to do)", "rest": "rest day", "future": "planned",
}
DPI = 100


def png(fig: Figure) -> bytes:
    """PNG bytes of ``fig`` (Agg canvas, white background)."""
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white", bbox_inches="tight")
    return buffer.getvalue()


def image_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an RGB uint8 image (the aligned before/after)."""
    from matplotlib.image import imsave

    buffer = io.BytesIO()
    imsave(buffer, np.ascontiguousarray(rgb), format="png")
    return buffer.getvalue()


def day_axis(ax: Any, days: Sequence[date]) -> None:
    """Whole days on the x axis, labelled like "14 Mar": never hours, even with a single day of data.

    The axis spans at least a day either side of the data, with at most ~8 ticks on whole days.
    """
    from matplotlib.dates import DateFormatter, DayLocator, date2num
    from matplotlib.ticker import NullLocator

    if not days:
        return
    first, last = min(days), max(days)
    pad = max(1, (last - first).days // 20)
    ax.set_xlim(date2num(first - timedelta(days=pad)), date2num(last + timedelta(days=pad)))
    span = (last - first).days + 2 * pad
    ax.xaxis.set_major_locator(DayLocator(interval=max(1, math.ceil(span / 8))))
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    ax.xaxis.set_minor_locator(NullLocator())
    for label in ax.get_xticklabels():
        label.set_rotation(30)
        label.set_horizontalalignment("right")


def calendar_heatmap(records: Sequence[DayRecord]) -> Figure | None:
    """Programme weeks as columns, days of the week as rows, coloured by planned/done/missed/rest."""
    if not records:
        return None
    codes = list(STATUS_COLOURS)
    first = records[0].date - timedelta(days=records[0].date.weekday())
    n_weeks = (records[-1].date - first).days // 7 + 1
    grid = np.full((7, n_weeks), np.nan)
    for record in records:
        column = (record.date - first).days // 7
        grid[record.date.weekday(), column] = codes.index(record.status)
    fig = Figure(figsize=(max(6.0, 0.45 * n_weeks + 2.5), 3.2))
    ax = fig.add_subplot()
    cmap = ListedColormap(list(STATUS_COLOURS.values())).with_extremes(bad="white")
    ax.imshow(np.ma.masked_invalid(grid), cmap=cmap, vmin=-0.5, vmax=len(codes) - 0.5, aspect="equal")
    ax.set_yticks(range(7), ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
    step = max(1, n_weeks // 12)
    ax.set_xticks(range(0, n_weeks, step),
                  [(first + timedelta(weeks=i)).strftime("%d %b") for i in range(0, n_weeks, step)],
                  rotation=45, ha="right")
    ax.set_xticks(np.arange(-0.5, n_weeks, 1), minor=True)
    ax.set_yticks(np.arange(-0.5, 7, 1), minor=True)
    ax.grid(which="minor", color="white", linewidth=2)
    ax.tick_params(which="minor", length=0)
    for spine in ax.spines.values():
        spine.set_visible(False)
    present = [c for c in codes if any(r.status == c for r in records)]
    ax.legend(handles=[Patch(color=STATUS_COLOURS[c], label=STATUS_LABELS[c]) for c in present],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    ax.set_title("Practice calendar (week starting)")
    return fig


def minutes_chart(practice: dict[date, PracticeDay], records: Sequence[DayRecord], first: date,
                  last: date) -> Figure | None:
    """Minutes of exercise per day, with the plan's minutes as a line where there is a plan."""
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    minutes = [practice.get(d, PracticeDay()).minutes for d in days]
    if not any(minutes) and not records:
        return None
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    ax.bar(days, minutes, width=0.8, color="#1976d2", label="minutes of exercise")
    if records:
        planned = [(r.date, r.planned_minutes) for r in records if r.routine_id and first <= r.date <= last]
        if planned:
            ax.plot([d for d, _ in planned], [m for _, m in planned], "_", color="#212121", markersize=7,
                    markeredgewidth=1.5, label="planned (routine length incl. cues and rests)")
    ax.set_ylabel("minutes")
    ax.set_title("Minutes per day")
    ax.legend(fontsize=8, frameon=False, loc="upper left")
    day_axis(ax, days)
    return fig


def reps_form_chart(sessions: Sequence[SessionPoint]) -> Figure | None:
    """Reps per day and, for camera-coached sessions, form score (% of reps without a fault)."""
    if not sessions:
        return None
    days = sorted({s.day for s in sessions})
    reps = [sum(s.reps for s in sessions if s.day == d) for d in days]
    fig = Figure(figsize=(9, 3.2))
    ax = fig.add_subplot()
    ax.bar(days, reps, width=0.8, color="#8d6e63", label="reps")
    ax.set_ylabel("reps per day")
    scored = [s for s in sessions if s.form_score is not None]
    if scored:
        ax2 = ax.twinx()
        ax2.plot([s.day for s in scored], [s.form_score for s in scored], "o-", color="#7b1fa2", markersize=3,
                 label="form score (% clean reps)")
        sym = [s for s in scored if s.symmetry is not None]
        if sym:
            ax2.plot([s.day for s in sym], [s.symmetry for s in sym], "s--", color="#00897b", markersize=3,
                     label="symmetry (100 = even)")
        ax2.set_ylim(0, 105)
        ax2.set_ylabel("score")
        ax2.legend(fontsize=8, frameon=False, loc="lower right")
        ax.set_title("Reps, and form from camera-coached sessions")
    else:
        ax.set_title("Reps per day (no camera-coached sessions: no form score yet)")
    day_axis(ax, days)
    return fig


def frequency_chart(weeks: Sequence[WeekStats]) -> Figure | None:
    """Days practised per programme week against the 5-7 band, with adherence on each bar."""
    if not weeks:
        return None
    fig = Figure(figsize=(9, 3.0))
    ax = fig.add_subplot()
    x = [w.week for w in weeks]
    ax.axhspan(FREQUENCY_TARGET[0], FREQUENCY_TARGET[1], color="#c8e6c9", alpha=0.6, label="5-7 days target")
    bars = ax.bar(x, [w.practised for w in weeks], color=["#2e7d32" if w.frequency_ok else "#ef6c00"
                                                          for w in weeks], width=0.7, label="days practised")
    ax.plot(x, [w.planned for w in weeks], "k_", markersize=18, label="days planned")
    for bar, w in zip(bars, weeks, strict=True):
        if w.planned:
            ax.annotate(f"{w.adherence:.0f}%", (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                        ha="center", va="bottom", fontsize=7)
    ax.set_ylim(0, 7.9)
    ax.set_xticks(x)
    ax.set_xlabel("programme week")
    ax.set_ylabel("days")
    ax.set_title("Weekly frequency and adherence")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def safety_chart(events: Sequence[SafetyRecord], first: date, last: date) -> Figure | None:
    """Safety events on a timeline, one row per kind; blocking kinds in red."""
    if not events:
        return None
    kinds = sorted({e.kind for e in events})
    fig = Figure(figsize=(9, 0.6 * len(kinds) + 1.4))
    ax = fig.add_subplot()
    for e in events:
        ax.scatter([e.at.astimezone().date()], [kinds.index(e.kind)], s=60, marker="X" if e.blocking else "o",
                   color="#c62828" if e.kind in BLOCKING_KINDS else "#f9a825", zorder=3)
    ax.set_yticks(range(len(kinds)), kinds)
    ax.set_ylim(-0.7, len(kinds) - 0.3)
    ax.grid(axis="x", alpha=0.3)
    ax.set_title("Safety events (X = stopped the session and needed acknowledgement)")
    day_axis(ax, [first, last])
    return fig


def photo_metrics_chart(photos: PhotoData) -> Figure | None:
    """Each metric over time in display units (mm where a scale exists) with the band first photo +/-
    MDC95: inside it, change is not detectable. The y-range always holds the whole band."""
    views = photos.views()
    if not views:
        return None
    cols = 2
    rows = (len(views) + 1) // cols
    fig = Figure(figsize=(9, 2.6 * rows))
    dates = [d.astimezone().date() if d.tzinfo else d.date() for d in photos.dates]
    for i, view in enumerate(views):
        ax = fig.add_subplot(rows, cols, i + 1)
        ax.plot(dates, [np.nan if v is None else v for v in view.values], "o-", color="#37474f", markersize=4)
        if view.band is not None:
            ax.axhspan(*view.band, color="#90caf9", alpha=0.4,
                       label="first photo +/- MDC95 (no detectable change)")
            if i == 0:
                ax.legend(fontsize=7, frameon=False, loc="upper left")
        ax.set_ylim(*view.y_range)
        day_axis(ax, dates)
        title = f"{view.label} ({view.unit})"
        if view.band is None:
            title += " - error not measured yet"
        ax.set_title(title, fontsize=9)
        ax.tick_params(labelsize=7)
    fig.tight_layout()
    return fig


def lifestyle_chart(targets: Sequence[TargetSummary]) -> Figure | None:
    """Days on target out of days logged, per lifestyle target."""
    if not any(t.logged for t in targets):
        return None
    fig = Figure(figsize=(9, 3.0))
    ax = fig.add_subplot()
    y = np.arange(len(targets))
    ax.barh(y, [t.logged for t in targets], color="#e0e0e0", label="days logged")
    ax.barh(y, [t.met for t in targets], color="#43a047", label="days on target")
    ax.set_yticks(y, [t.text for t in targets])
    ax.invert_yaxis()
    from matplotlib.ticker import MaxNLocator

    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # whole days, never "0.5 days"
    ax.set_xlim(0, max(3, max(t.logged for t in targets)) + 0.3)
    ax.set_xlabel("days")
    ax.set_title("Lifestyle targets")
    ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    return fig


def expectations_chart(week: int | None, programme_weeks: int | None) -> Figure:
    """The honest timeline: habit first, subtle change at 4-6 weeks, contour change (if any) at 8-12."""
    end = max(14, (programme_weeks or 12) + 2)
    fig = Figure(figsize=(9, 1.9))
    ax = fig.add_subplot()
    zones = [(0, 4, "#eceff1", "building the habit"), (4, 6, "#c5e1a5", "subtle\nchange\npossible"),
             (6, 8, "#e6ee9c", "keep\ngoing"), (8, 12, "#fff59d", "contour change,\nif any"),
             (12, end, "#eceff1", "maintain")]
    for start, stop, colour, text in zones:
        ax.barh(0, stop - start, left=start, color=colour, edgecolor="white")
        ax.text((start + stop) / 2, 0, text, ha="center", va="center", fontsize=8)
    if week is not None:
        here = min(week - 0.5, end - 0.2)
        ax.axvline(here, color="#d32f2f", linewidth=2)
        text = f"you: week {week}" if programme_weeks is None or week <= programme_weeks else \
            f"programme done ({programme_weeks} weeks)"
        ax.text(here, 0.55, text, color="#d32f2f", ha="center", fontsize=9)
    ax.set_xlim(0, end)
    ax.set_ylim(-0.6, 0.8)
    ax.set_yticks([])
    ax.set_xlabel("weeks of regular practice")
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    return fig
