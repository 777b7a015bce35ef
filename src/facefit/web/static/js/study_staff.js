// Admin: every study's coordinators and raters; link an account to a study or unlink it.
import { api, confirmAction, el, flash } from "./common.js";

const ROLE = { coordinator: "Coordinators", rater: "Raters" };
const form = document.getElementById("link-form");
const pick = document.getElementById("link-study");

async function post(study, role, email, unlink = false) {
  const path = `/api/study/studies/${encodeURIComponent(study)}/staff${unlink ? "/unlink" : ""}`;
  return (await api(path, { method: "POST", body: { email, role } })).detail;
}

function member(study, m) {
  const who = m.email || m.name;
  const item = el("li", {}, el("span", { text: m.email ? m.email : `${m.name} (no web account)` }));
  if (m.email) {
    const button = el("button", { type: "button", class: "quiet", text: "Unlink", "aria-label": `Unlink ${who} as ${m.role}` });
    button.addEventListener("click", async () => {
      if (!await confirmAction(`Unlink ${who} from ${study.title}?`, { confirm: "Unlink",
        detail: m.role === "rater" ? "Their ratings stay in the study; they can no longer rate its photos."
          : "They can no longer see or run this study." })) return;
      saved(async () => flash(await post(study.study, m.role, m.email, true)));
    });
    item.append(" ", button);
  }
  return item;
}

async function load() {
  const studies = await api("/api/study/staff");
  const chosen = pick.value;
  pick.textContent = "";
  for (const s of studies) pick.append(el("option", { value: s.study, text: s.title }));
  if (chosen) pick.value = chosen;
  const box = document.getElementById("studies"); box.textContent = "";
  if (!studies.length) {
    box.append(el("section", { class: "card" }, el("p", { text: "There is no study on this server yet. Studies are created on the server; each then shows here." })));
    form.querySelector("button[type=submit]").disabled = true;
  }
  studies.forEach((s, k) => {
    const card = el("section", { class: "card", "aria-labelledby": `study-${k}`, "data-study": s.study });
    card.append(el("h2", { id: `study-${k}`, text: s.title }));
    for (const role of ["coordinator", "rater"]) {
      const people = s.staff.filter((m) => m.role === role);
      card.append(el("h3", { text: ROLE[role] }));
      const list = el("ul", { class: "plain-list staff-list" }, ...people.map((m) => member(s, m)));
      if (!people.length) list.append(el("li", { text: role === "rater" ? "No raters yet." : "No coordinators yet." }));
      card.append(list);
    }
    box.append(card);
  });
  document.body.dataset.state = "loaded";
}

// A change, then the lists again: the page says "saving" meanwhile, so "loaded" means the lists show it.
async function saved(change) {
  document.body.dataset.state = "saving";
  try { await change(); await load(); }
  catch (error) { flash(error.message, "error"); document.body.dataset.state = "loaded"; }
}

form.addEventListener("submit", (e) => {
  e.preventDefault();
  const data = new FormData(form);
  saved(async () => {
    flash(await post(data.get("study"), data.get("role"), data.get("email")));
    form.querySelector("input[name=email]").value = "";
  });
});

load().catch((error) => flash(error.message, "error"));
