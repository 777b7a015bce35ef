// Practice history: every session, newest first, with its sets and what the coach saw (newest first).
import { api, el, flash, when } from "./common.js";

const names = {};
const STATUS = { completed: "finished", stopped: "stopped", interrupted: "not finished", running: "not finished" };
const SOURCE = { "web-offline": " (practised offline)", demo: " (demo: not counted as practice)" };

function eventLine(e) {
  const p = e.payload || {};
  if (e.kind === "rep") return `Rep ${p.index ?? ""}`;
  if (e.kind === "hold") return `Hold ${Number(p.duration_s || 0).toFixed(1)} s`;
  if (e.kind === "fault" || e.kind === "safety") return p.message || p.kind || e.kind;
  return p.message || e.kind;
}

// The details of the session clicked last: an earlier click answered later is not shown over it.
let shown = 0;
async function show(id) {
  const mine = ++shown;
  const s = await api(`/api/sessions/${id}`);
  if (mine !== shown) return;
  const detail = document.getElementById("detail");
  detail.hidden = false; detail.textContent = "";
  detail.append(el("h2", { text: `${names[s.exercise_id || s.routine_id] || s.kind} · ${when(s.started_at)}` }));
  const steps = el("ol");
  for (const step of s.steps) {
    const reps = step.reps_done === null ? "" : `${step.reps_done}${step.reps_target ? ` of ${step.reps_target}` : ""} reps, `;
    steps.append(el("li", { text: step.skipped ? `${names[step.exercise_id] || step.exercise_id}: skipped` : `Set ${step.set_index}: ${reps}${Math.round(step.duration_s)} s${step.note ? ` (${step.note})` : ""}` }));
  }
  if (s.steps.length) detail.append(el("h3", { text: "Sets" }), steps);
  const events = el("ol", { class: "events" });
  for (const e of [...s.events].reverse()) events.append(el("li", { class: `ev-${e.kind}`, text: `${e.t_s.toFixed(1)} s · ${eventLine(e)}` }));
  if (s.events.length) detail.append(el("h3", { text: "What the coach saw (newest first)" }), events);
  detail.scrollIntoView({ behavior: "smooth", block: "start" });
}

async function main() {
  const [sessions, exercises, routines] = await Promise.all([api("/api/sessions"), api("/api/catalog/exercises"), api("/api/catalog/routines")]);
  for (const item of [...exercises, ...routines]) names[item.id] = item.name;
  const rows = document.getElementById("rows");
  for (const s of sessions) {
    const detail = await api(`/api/sessions/${s.id}`);
    const reps = detail.steps.reduce((n, step) => n + (step.skipped ? 0 : step.reps_done || 0), 0) || detail.events.filter((e) => e.kind === "rep").length;
    const open = el("button", { type: "button", class: "link", text: "Details", "aria-label": `Details of the session of ${when(s.started_at)}` });
    open.addEventListener("click", () => show(s.id));
    const id = s.exercise_id || s.routine_id;
    rows.append(el("tr", { id: `s${s.id}` },
      el("td", { "data-label": "Started", text: when(s.started_at) }),
      el("td", { "data-label": "What", text: `${names[id] || id || s.kind}${SOURCE[s.source] || ""}` }),
      el("td", { "data-label": "Status", text: STATUS[s.ended_at ? s.status : "interrupted"] || s.status }),
      el("td", { "data-label": "Sets", text: String(detail.steps.filter((step) => !step.skipped).length) }),
      el("td", { "data-label": "Reps", text: String(reps) }), el("td", {}, open)));
  }
  if (!sessions.length) rows.append(el("tr", {}, el("td", { colspan: "6" }, "No sessions yet. ", el("a", { href: "/practice", text: "Start one on Practice" }))));
  document.body.dataset.state = "loaded";
}
main().catch((error) => flash(error.message, "error"));
