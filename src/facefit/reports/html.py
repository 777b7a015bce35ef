"""Render the report as one self-contained HTML page: inline CSS, images as base64 PNG, no scripts.

A person would rather look than read, so every section leads with its picture; where there is no
data the section says so plainly ("no photos yet") instead of drawing an empty chart.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from jinja2 import Environment, select_autoescape
from markupsafe import Markup

from facefit.reports.data import ReportData, describe_event
from facefit.reports.face_map import headline_with_lines
from facefit.reports.muscles import MuscleWeek, muscle_map_svg, plain_name, summary
from facefit.reports.photo_change import headline

EXPECTATIONS = [
    "Weeks 1-4: the aim is the habit (5-7 days a week). Little visible change is normal.",
    "Weeks 4-6: subtle change is possible - muscle tone, how the face feels, sometimes a fresher look.",
    "Weeks 8-12: contour change, if any, shows here; it is modest and varies a lot between people.",
    "Stopping loses the gains over time, like any training.",
    "Facial exercise complements, and does not replace, daily sunscreen, not smoking, sleep, and medical or "
    "dermatological treatment. Photos only count a change when it is bigger than the measurement error "
    "(MDC95).",
]


@dataclass(frozen=True)
class Picture:
    """One inline image: the section it belongs to, alt text, PNG bytes."""

    key: str
    alt: str
    data: bytes

    @property
    def src(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.data).decode("ascii")


TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>FaceFit report - {{ who }}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:24px auto;
padding:0 16px;color:#212121;background:#fafafa}
h1{margin-bottom:0}.sub{color:#616161;margin-top:4px}
section{background:#fff;border:1px solid #e0e0e0;border-radius:8px;padding:12px 18px;margin:16px 0}
h2{font-size:1.15em;margin:4px 0 10px}
img{max-width:100%;height:auto;display:block;margin:6px 0}
.tiles{display:flex;flex-wrap:wrap;gap:10px}
.tile{flex:1 1 140px;background:#f5f5f5;border-radius:6px;padding:8px 12px}
.tile b{display:block;font-size:1.6em}
.banner{padding:8px 12px;border-radius:6px;margin:8px 0}
.ok{background:#e8f5e9}.modified{background:#fff8e1}.consult-first{background:#ffebee}.none{background:#eceff1}
.empty{color:#616161;font-style:italic}
table{border-collapse:collapse;width:100%;font-size:.92em}
td,th{border-bottom:1px solid #eee;padding:4px 6px;text-align:left;vertical-align:top}
.note{color:#616161;font-size:.9em}
.muscles{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}.muscles .map{width:220px}
.muscles svg{width:100%;height:auto}.muscles>div:last-child{flex:1 1 280px}
@page{size:A4;margin:12mm}
@media print{body{max-width:none;margin:0;padding:0;background:#fff}
section{break-inside:avoid;border-color:#bdbdbd}img{max-height:230mm;object-fit:contain}
h1{margin-top:0}}
</style></head><body>
<h1>FaceFit report</h1>
<p class="sub">{{ who }} &middot; {{ d.first.isoformat() }} to {{ d.last.isoformat() }}
 ({{ span_text }}) &middot; made {{ d.today.isoformat() }}</p>
{% if d.clearance %}
<div class="banner {{ d.clearance.level.value }}"><b>Screening ({{ d.clearance.screened_at.date().isoformat()
 if d.clearance.screened_at else "" }}):</b> {{ d.clearance.summary() }}</div>
{% else %}<div class="banner none"><b>Not screened yet:</b> {% if web %}answer the health screening on the
Screening page{% else %}run <code>facefit screen</code>{% endif %}.</div>{% endif %}
{% for note in d.notes %}<p class="note">{{ note }}</p>{% endfor %}

<section id="summary"><h2>At a glance</h2><div class="tiles">
<div class="tile"><b>{{ "%.0f%%"|format(d.adherence) if d.adherence is not none else "-" }}</b>adherence</div>
<div class="tile"><b>{{ d.streaks.current }}</b>day streak (longest {{ d.streaks.longest }})</div>
<div class="tile"><b>{{ sessions }}</b>sessions</div>
<div class="tile"><b>{{ "%.0f"|format(minutes) }}</b>minutes of exercise</div>
<div class="tile"><b>{{ d.safety|length }}</b>safety events</div>
</div>
{% if d.programme_name %}<p>Programme: {{ d.programme_name }},
started {{ d.enrolment.start_date.isoformat() }}
{%- if d.programme_week and d.programme_week <= d.programme_weeks %} - now in week
{{ d.programme_week }} of {{ d.programme_weeks }}{% elif d.programme_week %} - all
{{ d.programme_weeks }} weeks are behind you; keep a maintenance routine to keep the gains{% endif %}.</p>
{% endif %}
</section>

<section id="adherence"><h2>Adherence calendar</h2>
{% if pics.calendar %}<img alt="{{ pics.calendar.alt }}" src="{{ pics.calendar.src }}">
{% else %}<p class="empty">No programme yet: {% if web %}choose one on the Today page{% else %}enrol with
<code>facefit enrol</code>{% endif %} to see planned and done days.</p>{% endif %}
{% if pics.frequency %}<img alt="{{ pics.frequency.alt }}" src="{{ pics.frequency.src }}">{% endif %}
</section>

<section id="minutes"><h2>Session minutes</h2>
{% if pics.minutes %}<img alt="{{ pics.minutes.alt }}" src="{{ pics.minutes.src }}">
{% else %}<p class="empty">No sessions in this period.</p>{% endif %}</section>

<section id="reps"><h2>Reps and form</h2>
{% if pics.reps %}<img alt="{{ pics.reps.alt }}" src="{{ pics.reps.src }}">
{% else %}<p class="empty">No sessions in this period.</p>{% endif %}</section>

{% if muscles %}<section id="muscles"><h2>Where the work went this week</h2>
<div class="muscles"><div class="map">{{ muscles_svg }}</div><div>
<p>{{ muscle_summary }}</p>
<p class="note">Shaded by the hold time the camera measured in coached sets
({{ muscles.first.isoformat() }} to {{ muscles.last.isoformat() }}), given to each muscle the exercise works.
Hatched: {{ relax_names|join(", ") }}, to relax rather than train. {{ muscles.relax_advice }}</p>
</div></div></section>{% endif %}

<section id="safety"><h2>Safety</h2>
{% if pics.safety %}<img alt="{{ pics.safety.alt }}" src="{{ pics.safety.src }}">
<table><tr><th>date</th><th>what</th><th>from</th><th>what to do</th></tr>
{% for e in events %}<tr><td>{{ e.date }}</td>
<td>{{ e.kind }}{% if e.blocking %} (paused practice){% endif %}</td>
<td>{{ e.source }}</td><td>{{ e.what_to_do }}</td></tr>{% endfor %}</table>
{% else %}<p class="empty">No safety events in this period.</p>{% endif %}</section>

<section id="photos"><h2>Photo metrics</h2>
{% if pics.photos %}<p><b>{{ photo_headline }}</b></p>
<img alt="{{ pics.photos.alt }}" src="{{ pics.photos.src }}">
<p class="note">A change counts only when it leaves the blue band (first photo +/- MDC95, the smallest change
the measurement can detect).</p>
<ul class="verdicts">{% for v in views %}<li><b>{{ v.label }}</b>: {{ v.verdict }}</li>{% endfor %}</ul>
{% if d.photos.regions %}<h3>Lines and folds, first to latest photo</h3>
{% if d.photos.face_map %}<div class="face-map">{{ d.photos.face_map | safe }}</div>{% endif %}
<ul class="verdicts">{% for r in d.photos.regions %}<li><b>{{ r.label }}</b>: {{ r.words }}</li>
{% endfor %}</ul>{% endif %}
{% if d.photos.structure %}<h3>Eyes, cheekbones and jawline, first to latest photo</h3>
<ul class="verdicts">{% for c in d.photos.structure %}<li><b>{{ c.label }}</b>:
{% if c.measurable %}{{ c.words }}{% else %}no measurable change (within the measurement error){% endif %}
{% if c.experimental %}(experimental){% endif %}</li>{% endfor %}</ul>{% endif %}
{% else %}<p class="empty">No photos yet: add progress photos {% if web %}on the Photos page{% else %}with
<code>facefit photo add</code>{% endif %} (same light, distance and neutral face each time) to see measured
change.</p>
{% endif %}
{% if pics.before_after %}<h2>Before and after (aligned)</h2>
<img alt="{{ pics.before_after.alt }}" src="{{ pics.before_after.src }}">{% endif %}
{% if d.photos and d.photos.note %}<p class="note">{{ d.photos.note }}</p>{% endif %}
</section>

<section id="lifestyle"><h2>Lifestyle targets</h2>
{% if pics.lifestyle %}<img alt="{{ pics.lifestyle.alt }}" src="{{ pics.lifestyle.src }}">
<table><tr><th>target</th><th>days on target</th><th>days logged</th></tr>
{% for t in d.lifestyle %}<tr><td>{{ t.text }}</td><td>{{ t.met }}</td><td>{{ t.logged }}</td></tr>
{% endfor %}
</table>{% else %}<p class="empty">Nothing logged in this period{% if web %}: note sunscreen, sleep, water
and the rest on the Lifestyle page{% else %}: <code>facefit log spf=yes sleep=7.5h
calcium=1100mg vitamin_d=800iu water=1.8l smoking=no moisturiser=yes</code>{% endif %}.</p>{% endif %}
</section>

<section id="expectations"><h2>What to expect, honestly</h2>
<img alt="{{ pics.expectations.alt }}" src="{{ pics.expectations.src }}">
<ul>{% for line in expectations %}<li>{{ line }}</li>{% endfor %}</ul></section>
</body></html>
"""


def render_html(data: ReportData, pictures: dict[str, Picture], *, muscles: MuscleWeek | None = None) -> str:
    """The page as a string (jinja2 with autoescaping: stored text cannot inject markup; the muscle map
    is FaceFit's own SVG, its text escaped where it is made)."""
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    template = env.from_string(TEMPLATE)
    span_text = {"week": "last 7 days", "month": "last 30 days", "all": "everything"}[data.span]
    views = data.photos.views() if data.photos is not None else []
    return template.render(
        d=data, pics=pictures, span_text=span_text, who=data.profile.removeprefix("web:"),
        web=data.profile.startswith("web:"),  # a web account's report names pages, not terminal commands
        sessions=len(data.sessions),
        minutes=sum(s.minutes for s in data.sessions), events=[describe_event(e) for e in data.safety],
        expectations=EXPECTATIONS, views=views, photo_headline=headline_with_lines(
            headline(views), *((data.photos.regions, data.photos.structure) if data.photos else ([], []))
        ), muscles=muscles,
        muscles_svg=Markup(muscle_map_svg(muscles)) if muscles else "",
        muscle_summary=summary(muscles) if muscles else "",
        relax_names=[plain_name(m) for m in muscles.relax] if muscles else [],
    )
