// Dashboard: today's plan, streak and adherence (the same figures as `facefit plan`), recent sessions.
import { api, el, flash, when } from "./common.js";

const $ = (id) => document.getElementById(id);

const names = {};  // catalog id -> the name a person reads

function sessionLine(s) {
  const id = s.exercise_id || s.routine_id;
  const what = names[id] || id || s.kind;
  const status = { completed: "finished", stopped: "stopped", interrupted: "not finished" }[s.status] || s.status;
  return el("li", {}, el("a", { href: `/history#s${s.id}`, text: `${when(s.started_at)} · ${what}` }), ` · ${status}`);
}

async function enrolForm(plan, message) {
  plan.append(el("p", { text: message }));
  const pick = el("select", { id: "programme" });
  for (const p of await api("/api/catalog/programmes")) pick.append(el("option", { value: p.id, text: `${p.name} (${p.weeks} weeks)` }));
  const enrol = el("button", { type: "button", text: "Start this programme" });
  enrol.addEventListener("click", async () => {
    try { await api("/api/habits/enrol", { method: "POST", body: { programme_id: pick.value } }); location.reload(); }
    catch (error) { flash(error.message, "error"); }
  });
  plan.append(el("label", { for: "programme", text: "Programme" }), pick, el("div", { class: "actions" }, enrol));
}

function showToday(plan, today) {
  if (!today.planned.length) {
    plan.append(el("p", { text: today.today === "outside the programme" ? "Today is outside your programme." : "Rest day: nothing planned. Rest is part of the programme." }));
    return;
  }
  for (const item of today.planned) {
    const pill = el("span", { class: `pill ${item.done ? "done" : "todo"}`, "data-testid": "today-status", text: item.done ? "done" : "to do" });
    plan.append(el("p", { class: "today-item" }, el("strong", { text: item.routine_name }), ` · ${item.minutes} min `, pill));
    // While practice is paused (the server's notice above says why), nothing is offered to start.
    const paused = document.querySelector("[data-testid=paused]") !== null;
    if (!item.done && !paused) plan.append(el("div", { class: "actions" }, el("a", { class: "button", href: `/practice?routine=${item.routine_id}`, text: "Start today's routine" })));
  }
}

async function main() {
  const [sessions, exercises, routines] = await Promise.all([api("/api/sessions?limit=5"), api("/api/catalog/exercises"), api("/api/catalog/routines")]);
  for (const item of [...exercises, ...routines]) names[item.id] = item.name;
  const recent = $("recent");
  if (!sessions.length) recent.append(el("li", {}, "No sessions yet. ", el("a", { href: "/practice", text: "Start one on Practice" })));
  for (const s of sessions) recent.append(sessionLine(s));
  const plan = $("plan");
  try {
    const today = await api("/api/habits/today");
    plan.textContent = "";
    $("streak").textContent = `${today.streak.current} ${today.streak.current === 1 ? "day" : "days"}`;
    $("streak-note").textContent = `Longest: ${today.streak.best}. Rest days do not break it.`;
    $("adherence").textContent = today.adherence === null ? "—" : `${Math.round(100 * today.adherence)}%`;
    $("adherence-note").textContent = today.adherence === null
      ? "Shown once a planned day has passed or been practised."
      : "Planned days so far that you practised.";
    if (!today.enrolled) await enrolForm(plan, today.message);
    else showToday(plan, today);
  } catch (error) {
    plan.textContent = error.message; $("streak").textContent = "—"; $("adherence").textContent = "—";
  }
  document.body.dataset.state = "loaded";
}
main().catch((error) => flash(error.message, "error"));
