// Progress: practice numbers, photo metrics with their measurement error (MDC95), before/after, time-lapse.
import { lineChart } from "./charts.js";
import { api, el, flash } from "./common.js";

async function main() {
  const root = document.getElementById("progress-app");
  const data = await api("/api/progress?span=all");
  root.textContent = "";
  const reps = data.sessions.reduce((n, s) => n + (s.reps || 0), 0);
  root.append(el("div", { class: "grid" },
    el("div", {}, el("h2", { text: "Sessions" }), el("p", { class: "big", text: String(data.sessions.length) })),
    el("div", {}, el("h2", { text: "Reps" }), el("p", { class: "big", text: String(reps) })),
    el("div", {}, el("h2", { text: "Adherence" }), el("p", { class: "big", text: data.adherence === null ? "—" : `${data.adherence}%` })),
    el("div", {}, el("h2", { text: "Streak" }), el("p", { class: "big", text: `${data.streak.current} days` }))));
  const charts = el("div", { class: "charts" });
  const dated = data.sessions.filter((s) => s.form_score !== null);
  if (dated.length) charts.append(lineChart("Form score per session", dated.map((s) => s.date), dated.map((s) => s.form_score)));
  const withReps = data.sessions.filter((s) => s.reps);
  if (withReps.length) charts.append(lineChart("Reps per session", withReps.map((s) => s.date), withReps.map((s) => s.reps)));
  root.append(el("h2", { text: "Practice" }), charts);
  root.append(el("h2", { text: "Photo measurements" }));
  if (!data.photos) {
    root.append(el("p", { text: "No accepted photos yet: take one on the Photos page. Changes are only reported when they exceed the measurement's own error (MDC95)." }));
  } else {
    const photoCharts = el("div", { class: "charts" });
    for (const [name, values] of Object.entries(data.photos.series)) {
      if (values.every((v) => v === null)) continue;
      photoCharts.append(lineChart(name, data.photos.dates, values, { band: data.photos.mdc95[name] ?? null, unit: data.photos.units[name] || "" }));
    }
    root.append(el("p", { class: "small", text: "The shaded band is the first photo's value ± MDC95: changes inside it are measurement noise, not progress." }), photoCharts);
    const pair = el("img", { class: "plot", alt: "first and latest photo, aligned", src: "/api/progress/before-after" });
    pair.addEventListener("error", () => pair.replaceWith(el("p", { text: "Before/after needs two accepted photos." })));
    root.append(el("h2", { text: "Before / after" }), pair);
    const photos = (await api("/api/photos")).filter((p) => p.accepted);
    if (photos.length > 1) {
      const frame = el("img", { class: "plot timelapse", alt: "time-lapse of accepted photos" });
      let i = 0; const show = () => { frame.src = photos[i % photos.length].image; i += 1; };
      show(); setInterval(show, 800);
      root.append(el("h2", { text: "Time-lapse" }), frame);
    }
  }
  if (data.notes && data.notes.length) root.append(el("ul", {}, ...data.notes.map((n) => el("li", { text: n }))));
  document.body.dataset.state = "loaded";
}
main().catch((error) => { flash(error.message, "error"); document.body.dataset.state = "loaded"; });
