"""Where the work went this week: time under tension per muscle, drawn on a face diagram.

Time under tension is the hold time the camera *measured* in coached sets (a set's ``hold_s`` in a
session that has engine ``rep``/``hold`` events: a timed set without the camera only knows the planned
hold, so it is left out), given to every target muscle of the set's exercise card. The muscles to relax
rather than train (``catalog.guidance.relax_not_train``: frontalis, corrugator, procerus) are never
coloured as training: they are drawn hatched with the relax advice, and the week's forehead-engagement
and frown faults (the engine's warnings that they joined in) are counted beside them.

The diagram is a plain SVG string (no script), the same in the web page and the HTML report.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy.orm import Session

from facefit.catalog.loader import Catalog, load_catalog
from facefit.store import safety_habits as db

ENGAGEMENT_FAULTS = ("forehead-engagement", "frown")
MEASURED_EVENTS = ("rep", "hold")

# Each muscle's region on a 200 x 260 front view of a face (the person's right on the viewer's left):
# one or two SVG paths, mirrored for paired muscles. Muscles deep inside (lateral pterygoid) are shown
# where they act, in front of the ear at the jaw joint.
REGIONS: dict[str, tuple[str, ...]] = {
    "frontalis": ("M48 62 C60 30 140 30 152 62 L148 78 C120 70 80 70 52 78 Z",),
    "corrugator supercilii": ("M82 84 L96 80 L97 86 L84 90 Z", "M118 84 L104 80 L103 86 L116 90 Z"),
    "procerus": ("M96 84 L104 84 L103 104 L97 104 Z",),
    "temporalis": ("M40 70 C34 82 34 100 40 110 L50 104 L50 78 Z",
                   "M160 70 C166 82 166 100 160 110 L150 104 L150 78 Z"),
    "levator labii superioris": ("M86 112 L92 112 L90 140 L84 140 Z",
                                 "M114 112 L108 112 L110 140 L116 140 Z"),
    "zygomaticus minor": ("M64 116 L72 114 L84 142 L80 145 Z", "M136 116 L128 114 L116 142 L120 145 Z"),
    "zygomaticus major": ("M52 120 L60 116 L80 152 L75 156 Z", "M148 120 L140 116 L120 152 L125 156 Z"),
    "masseter": ("M46 128 L58 126 L66 176 L54 182 Z", "M154 128 L142 126 L134 176 L146 182 Z"),
    "buccinator": ("M58 150 L74 154 L74 170 L60 168 Z", "M142 150 L126 154 L126 170 L140 168 Z"),
    "risorius": ("M54 160 L76 158 L76 163 L55 166 Z", "M146 160 L124 158 L124 163 L145 166 Z"),
    "lateral pterygoid": ("M38 118 m-6 0 a6 6 0 1 0 12 0 a6 6 0 1 0 -12 0",
                          "M162 118 m-6 0 a6 6 0 1 0 12 0 a6 6 0 1 0 -12 0"),
    "submental muscles": ("M78 200 C90 212 110 212 122 200 L118 214 C108 222 92 222 82 214 Z",),
    "platysma": ("M60 190 L76 206 L72 250 L50 250 Z", "M140 190 L124 206 L128 250 L150 250 Z"),
}
LANDMARKS = (  # the face's outline and features, for orientation only
    "M100 22 C150 22 166 70 164 120 C162 170 140 206 100 210 C60 206 38 170 36 120 C34 70 50 22 100 22 Z",
    "M64 96 C72 90 86 90 92 96 C86 100 72 100 64 96 Z",
    "M108 96 C114 90 128 90 136 96 C128 100 114 100 108 96 Z",
    "M66 86 C76 80 88 80 94 84", "M106 84 C112 80 124 80 134 86",
    "M100 100 L94 132 C98 136 102 136 106 132 Z", "M80 162 C92 156 108 156 120 162 C108 170 92 170 80 162 Z",
    "M76 208 L72 256", "M124 208 L128 256",
)
ALIASES = {"zygomaticus": ("zygomaticus major", "zygomaticus minor")}
# Each diagram muscle in everyday words, for pages read by people rather than anatomists; the Latin names
# above stay the keys (the catalog's target muscles map onto them).
PLAIN_NAMES = {
    "frontalis": "forehead muscle",
    "corrugator supercilii": "frown muscle",
    "procerus": "muscle between the brows",
    "temporalis": "temple muscle",
    "levator labii superioris": "upper-lip lifter",
    "zygomaticus minor": "small smile muscle",
    "zygomaticus major": "main smile muscle",
    "masseter": "jaw (chewing) muscle",
    "buccinator": "cheek muscle",
    "risorius": "mouth-corner muscle",
    "lateral pterygoid": "jaw-joint muscle",
    "submental muscles": "under-chin muscles",
    "platysma": "neck muscle",
}


def plain_name(muscle: str) -> str:
    """"upper-lip lifter (levator labii superioris)": the everyday name first, the Latin in brackets."""
    plain = PLAIN_NAMES.get(muscle)
    return f"{plain} ({muscle})" if plain else muscle


def muscle_names(name: str) -> tuple[str, ...]:
    """The diagram's muscles for a catalog muscle name ("submental muscles (mylohyoid, digastric)")."""
    base = name.split("(")[0].strip().lower()
    return ALIASES.get(base, (base,))


@dataclass(frozen=True)
class MuscleWeek:
    """Seconds under tension per muscle from coached sets since ``first`` (Monday), and the warnings."""

    first: date
    last: date
    seconds: dict[str, float]
    relax: tuple[str, ...]
    relax_advice: str
    engagement: dict[str, int]  # fault kind -> times this week

    @property
    def trained(self) -> dict[str, float]:
        return {m: s for m, s in self.seconds.items() if m not in self.relax and s > 0}

    def to_dict(self) -> dict[str, Any]:
        return {"first": self.first.isoformat(), "last": self.last.isoformat(),
                "seconds": {m: round(s, 1) for m, s in sorted(self.seconds.items())},
                "relax": list(self.relax), "relax_advice": self.relax_advice, "engagement": self.engagement,
                "names": {m: plain_name(m) for m in REGIONS},
                "summary": summary(self), "svg": muscle_map_svg(self)}


def _local_day(moment: datetime) -> date:
    from facefit.habits.service import local_date

    return local_date(moment)


def muscle_week(
    *, session: Session, profile_id: int, today: date, catalog: Catalog | None = None
) -> MuscleWeek:
    """This calendar week's (Monday to ``today``) measured time under tension per muscle."""
    catalog = catalog or load_catalog()
    first = today - timedelta(days=today.weekday())
    since = datetime.combine(first - timedelta(days=1), time.min).astimezone()  # local days: filter below
    relax = tuple(m for name in catalog.guidance.relax_not_train.muscles for m in muscle_names(name))
    seconds: dict[str, float] = dict.fromkeys(REGIONS, 0.0)
    engagement = dict.fromkeys(ENGAGEMENT_FAULTS, 0)
    for row in db.list_practice_sessions(session=session, profile_id=profile_id, since=since):
        if not first <= _local_day(row.started_at) <= today:
            continue
        kinds = {e.kind for e in row.events}
        for event in row.events:
            fault = (event.payload or {}).get("fault")
            if event.kind == "fault" and fault in engagement:
                engagement[fault] += 1
        if not kinds & set(MEASURED_EVENTS):
            continue  # no camera: the hold was never measured
        for step in row.steps:
            if step.skipped or not step.hold_s or step.exercise_id not in catalog.exercises:
                continue
            for name in catalog.exercises[step.exercise_id].target_muscles:
                for muscle in muscle_names(name):
                    seconds[muscle] = seconds.get(muscle, 0.0) + float(step.hold_s)
    return MuscleWeek(first, today, seconds, relax, catalog.guidance.relax_not_train.statement, engagement)


def _duration(seconds: float) -> str:
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s" if minutes else f"{rest} s"


def summary(week: MuscleWeek) -> str:
    """One sentence: which muscles worked most this week (named by :func:`plain_name`), and the relax
    warnings."""
    trained = sorted(week.trained.items(), key=lambda kv: -kv[1])
    if not trained:
        text = "No camera-coached holds yet this week: the map fills in as you practise with the camera."
    else:
        worked = ", ".join(f"{plain_name(m)} {_duration(s)}" for m, s in trained[:4])
        text = f"This week's measured holds: {worked}."
    warned = sum(week.engagement.values())
    if warned:
        text += (f" The forehead or frown muscles joined in {warned} time{'s' if warned != 1 else ''}: "
                 "relax them while other muscles work.")
    return text


def _colour(share: float) -> str:
    """Light grey (no work) to deep teal (the week's most-worked muscle)."""
    low, high = (229, 231, 235), (15, 118, 110)
    mix = [round(a + (b - a) * share) for a, b in zip(low, high, strict=True)]
    return "#{:02x}{:02x}{:02x}".format(*mix)


def muscle_map_svg(week: MuscleWeek) -> str:
    """The face diagram: trained muscles shaded by time under tension, relax muscles hatched amber."""
    most = max(week.trained.values(), default=0.0)
    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 260" class="muscle-map" role="img" '
        f'aria-label="{html.escape(summary(week))}">',
        '<defs><pattern id="relax-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" fill="#fef3c7"/>'
        '<line x1="0" y1="0" x2="0" y2="6" stroke="#b45309" stroke-width="2"/></pattern></defs>',
    ]
    parts += [f'<path d="{d}" fill="none" stroke="#9ca3af" stroke-width="1.2"/>' for d in LANDMARKS[:1]]
    for muscle, paths in REGIONS.items():
        secs = week.seconds.get(muscle, 0.0)
        if muscle in week.relax:
            fill, stroke, title = "url(#relax-hatch)", "#b45309", f"{plain_name(muscle)}: relax, don't train"
        else:
            fill, stroke = _colour(secs / most if most else 0.0), "#6b7280"
            title = f"{plain_name(muscle)}: {_duration(secs)} under tension this week"
        parts.append(f'<g class="muscle" data-muscle="{html.escape(muscle)}" data-seconds="{secs:.1f}">'
                     f"<title>{html.escape(title)}</title>")
        parts += [f'<path d="{d}" fill="{fill}" stroke="{stroke}" stroke-width="0.8"/>' for d in paths]
        parts.append("</g>")
    parts += [f'<path d="{d}" fill="none" stroke="#6b7280" stroke-width="1"/>' for d in LANDMARKS[1:]]
    parts.append("</svg>")
    return "".join(parts)
