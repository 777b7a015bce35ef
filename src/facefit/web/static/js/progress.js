// Progress: practice per day, then each photo measurement with its plain-language verdict, drawn with
// its measurement-error band (MDC95) from the server; before/after and a time-lapse of the photos.
import { barChart, lineChart } from "./charts.js";
import { api, el, flash } from "./common.js";

function perDay(sessions, pick) {
  const byDay = new Map();
  for (const s of sessions) { const v = pick(s); if (v !== null && v !== undefined) byDay.set(s.date, (byDay.get(s.date) || 0) + v); }
  const dates = [...byDay.keys()].sort();
  return { dates, values: dates.map((d) => byDay.get(d)) };
}

function tile(title, value, note = "") {
  return el("div", { class: "tile" }, el("h3", { text: title }), el("p", { class: "big", text: value }), note ? el("p", { class: "small", text: note }) : "");
}

function practiceSection(root, data) {
  const reps = data.sessions.reduce((n, s) => n + (s.reps || 0), 0);
  const minutes = data.sessions.reduce((n, s) => n + (s.minutes || 0), 0);
  root.append(el("h2", { text: "Practice" }));
  root.append(el("section", { class: "tiles", "aria-label": "Practice so far" },
    tile("Sessions", String(data.sessions.length)), tile("Reps", String(reps)), tile("Minutes", minutes < 10 ? minutes.toFixed(1) : String(Math.round(minutes))),
    tile("Adherence", data.adherence === null ? "—" : `${Math.round(data.adherence)}%`, data.adherence === null ? "Shown once a planned day is due." : "")));
  const charts = el("div", { class: "charts" });
  const repsDay = perDay(data.sessions, (s) => s.reps || 0);
  if (repsDay.dates.length) charts.append(el("figure", { class: "chart-box" }, el("h3", { text: "Reps per day" }), barChart({ label: "Reps per day", ...repsDay, unit: "reps" })));
  const scored = data.sessions.filter((s) => s.form_score !== null);
  if (scored.length) {
    charts.append(el("figure", { class: "chart-box" }, el("h3", { text: "Reps without a form fault" }),
      el("p", { class: "small", text: "Share of camera-counted reps with no fault (teeth showing, frowning, jerky start…)." }),
      lineChart({ label: "Share of reps without a form fault, per session", dates: scored.map((s) => s.date), values: scored.map((s) => s.form_score), yRange: [0, 100], unit: "%" })));
  }
  if (charts.children.length) root.append(charts);
  else root.append(el("p", { text: "No sessions yet: your first practice shows here." }));
}

function metricCard(m) {
  const box = el("figure", { class: "chart-box", "data-testid": "metric", "data-metric": m.metric });
  box.append(el("h3", { text: m.label + (m.experimental ? " (experimental)" : "") }),
    el("p", { class: `verdict${m.measurable ? " changed" : ""}`, "data-testid": "verdict", text: m.verdict }),
    lineChart({ label: `${m.label} over time, in ${m.unit}. ${m.verdict}`, dates: m.dates, values: m.values, band: m.band, yRange: m.y_range, unit: m.unit }));
  return box;
}

function duration(seconds) {
  const m = Math.floor(Math.round(seconds) / 60), s = Math.round(seconds) % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}

// This week's measured time under tension per muscle on a face diagram (SVG made by the server).
async function muscleSection(root) {
  const week = await api("/api/progress/muscles");
  const map = el("div", { class: "map", "data-testid": "muscle-map" });
  map.append(new DOMParser().parseFromString(week.svg, "image/svg+xml").documentElement);
  const list = el("ul", { class: "plain-list" });
  const trained = Object.entries(week.seconds).filter(([m, s]) => s > 0 && !week.relax.includes(m)).sort((a, b) => b[1] - a[1]);
  for (const [m, s] of trained) list.append(el("li", { "data-muscle": m }, el("strong", { text: week.names[m] || m }), ` · ${duration(s)} under tension`));
  const warned = Object.values(week.engagement).reduce((a, b) => a + b, 0);
  root.append(el("h2", { text: "Where the work went this week" }),
    el("div", { class: "muscles card" }, map, el("div", {},
      el("p", { "data-testid": "muscle-summary", text: week.summary }), list,
      el("p", { class: "notice", "data-testid": "relax-note" }, el("strong", { text: `Relax, don't train (hatched): ${week.relax.map((m) => week.names[m] || m).join(", ")}. ` }), week.relax_advice,
        warned ? ` This week they joined in ${warned} time${warned === 1 ? "" : "s"} (the coach's "relax the forehead" and "let the brows go" warnings).` : ""),
      el("p", { class: "small", text: "Shaded by the hold time the camera measured in coached sets since Monday, given to each muscle the exercise works." }))));
}

// Lines and folds per region, first to latest photo, on a face map (SVG made by the server, coloured
// only where a change is beyond its MDC95), and the eyes/cheekbones/jawline measures in words.
function linesSection(root, photos) {
  if (!photos.regions || !photos.regions.length) return;
  const map = el("div", { class: "map", "data-testid": "lines-map" });
  if (photos.face_map_svg) map.append(new DOMParser().parseFromString(photos.face_map_svg, "image/svg+xml").documentElement);
  const list = el("ul", { class: "plain-list", "data-testid": "lines-list" });
  for (const r of photos.regions) list.append(el("li", { "data-region": r.region, "data-status": r.status }, el("strong", { text: r.label }), `: ${r.words}`));
  root.append(el("h2", { text: "Lines and folds" }), el("div", { class: "muscles card" }, map, el("div", {}, list,
    el("p", { class: "small", text: "From your first to your latest accepted photo. A region is coloured only when its change is bigger than the measurement's own error; one the photos do not show (glasses, hair, a smile) says so instead of giving a number." }))));
  if (photos.structure && photos.structure.length) {
    const items = el("ul", { class: "plain-list", "data-testid": "structure-list" });
    for (const c of photos.structure) items.append(el("li", { "data-metric": c.metric }, el("strong", { text: c.label }),
      `: ${c.measurable ? c.words : "no measurable change (within the measurement error)"}${c.experimental ? " (experimental)" : ""}`));
    root.append(el("h2", { text: "Eyes, cheekbones and jawline" }), items);
  }
}

async function photoSection(root, data) {
  root.append(el("h2", { text: "Photo measurements" }));
  if (!data.photos) {
    root.append(el("p", { text: "No accepted photos yet: take one on the Photos page. A change is only reported when it is bigger than the measurement's own error." }));
    return;
  }
  root.append(el("p", { class: "headline", "data-testid": "photo-headline", text: data.photos.headline }),
    el("p", { class: "small", text: "The blue band is your first photo's value ± its measurement error (MDC95, worked out from re-takes of your baseline). A point inside the band is measurement noise, not progress. Millimetres use your iris (11.7 mm on average) as the ruler." }));
  const charts = el("div", { class: "charts" });
  for (const m of data.photos.metrics) if (m.values.some((v) => v !== null)) charts.append(metricCard(m));
  root.append(charts);
  linesSection(root, data.photos);
  const photos = (await api("/api/photos")).filter((p) => p.accepted);
  if (photos.length > 1) {
    root.append(el("h2", { text: "Before and after" }),
      el("img", { class: "plot", alt: "Your first and latest accepted photos, aligned side by side", src: "/api/progress/before-after" }));
    const frame = el("img", { class: "plot timelapse", alt: "Time-lapse of your accepted photos" });
    let i = 0; const show = () => { frame.src = photos[i % photos.length].image; i += 1; };
    show(); setInterval(show, 900);
    root.append(el("h2", { text: "Time-lapse" }), frame);
  }
}

async function main() {
  const root = document.getElementById("progress-app");
  const data = await api("/api/progress?span=all");
  window.facefitProgress = data;  // the test reads the chart data the page drew
  root.textContent = "";
  practiceSection(root, data);
  await muscleSection(root);
  await photoSection(root, data);
  if (data.notes && data.notes.length) root.append(el("ul", { class: "small" }, ...data.notes.map((n) => el("li", { text: n }))));
  document.body.dataset.state = "loaded";
}
main().catch((error) => { flash(error.message, "error"); document.body.dataset.state = "loaded"; });
