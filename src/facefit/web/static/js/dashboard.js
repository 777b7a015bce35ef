// Dashboard: today's plan, streak and adherence from the habits stage; recent sessions.
import { api, el, flash, when } from "./common.js";

const $ = (id) => document.getElementById(id);

async function main() {
  const sessions = await api("/api/sessions?limit=5");
  const recent = $("recent");
  if (!sessions.length) recent.append(el("li", { text: "No sessions yet." }));
  for (const s of sessions) recent.append(el("li", {}, el("a", { href: `/history#s${s.id}`, text: `${when(s.started_at)} · ${s.exercise_id || s.routine_id || s.kind} · ${s.status}` })));
  try {
    const today = await api("/api/habits/today");
    $("streak").textContent = `${today.streak.current} days (best ${today.streak.best})`;
    $("adherence").textContent = today.adherence === null ? "—" : `${Math.round(100 * today.adherence)}%`;
    const plan = $("plan"); plan.textContent = "";
    if (!today.enrolled) {
      plan.append(el("p", { text: today.message }));
      const pick = el("select", { id: "programme", "aria-label": "Programme" });
      for (const p of await api("/api/catalog/programmes")) pick.append(el("option", { value: p.id, text: p.name }));
      const enrol = el("button", { text: "Enrol" });
      enrol.addEventListener("click", async () => {
        try { await api("/api/habits/enrol", { method: "POST", body: { programme_id: pick.value } }); location.reload(); }
        catch (error) { flash(error.message, "error"); }
      });
      plan.append(el("p", {}, pick, " ", enrol));
    }
    else if (!today.planned.length) plan.append(el("p", { text: "Rest day: nothing planned." }));
    for (const item of today.planned) plan.append(el("p", {}, el("a", { href: `/practice?routine=${item.routine_id}`, text: `${item.routine_name} (${item.minutes} min)` }), el("span", { text: item.done ? " · done" : "" })));
  } catch (error) {
    $("plan").textContent = error.message; $("streak").textContent = "—"; $("adherence").textContent = "—";
  }
}
main();
