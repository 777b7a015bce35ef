// Practice history: every session with its sets, reps and events.
import { api, el, flash, when } from "./common.js";

async function show(id) {
  const s = await api(`/api/sessions/${id}`);
  const detail = document.getElementById("detail");
  detail.hidden = false; detail.textContent = "";
  detail.append(el("h2", { text: `Session ${s.id}: ${s.exercise_id || s.routine_id || s.kind}` }));
  const steps = el("ol");
  for (const step of s.steps) steps.append(el("li", { text: `set ${step.set_index}: ${step.reps_done ?? "—"} reps, hold ${step.hold_s ?? 0} s, ${step.duration_s} s` }));
  detail.append(steps);
  const events = el("ol", { class: "events" });
  for (const e of s.events) events.append(el("li", { text: `${e.t_s.toFixed(1)} s · ${e.kind} ${e.payload.message || (e.kind === "rep" ? "#" + e.payload.index : "")}` }));
  detail.append(events);
}

async function main() {
  const rows = document.getElementById("rows");
  const sessions = await api("/api/sessions");
  for (const s of sessions) {
    const detail = await api(`/api/sessions/${s.id}`);
    const reps = detail.events.filter((e) => e.kind === "rep").length;
    const open = el("button", { class: "link", text: "details" });
    open.addEventListener("click", () => show(s.id));
    rows.append(el("tr", { id: `s${s.id}` }, el("td", { text: when(s.started_at) }), el("td", { text: s.exercise_id || s.routine_id || s.kind }),
      el("td", { text: s.ended_at ? s.status : "interrupted" }), el("td", { text: String(detail.steps.length) }), el("td", { text: String(reps) }), el("td", {}, open)));
  }
  if (!sessions.length) rows.append(el("tr", {}, el("td", { colspan: "6", text: "No sessions yet." })));
}
main().catch((error) => flash(error.message, "error"));
