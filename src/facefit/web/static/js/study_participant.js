// My study: each study I take part in, my visits (with a photo upload for an open one) and my programme.
import { api, el, flash } from "./common.js";

const day = (iso) => new Date(`${iso}T12:00:00`).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" });
const STATUS = { complete: "done", missed: "missed", open: "to do", due: "due now", upcoming: "later",
  overdue: "overdue", "not-yet-randomised": "after randomisation" };

function visitRow(study, visit) {
  const li = el("li", { class: "card" }, el("h3", { text: visit.label }),
    el("p", { text: `${STATUS[visit.status] || visit.status} · ${visit.photos} of ${visit.needed} photos` +
      (visit.opens ? ` · between ${day(visit.opens)} and ${day(visit.closes)}` : "") }));
  const canAdd = ["open", "due", "overdue"].includes(visit.status) && (visit.visit === "baseline" ? study.status === "enrolled" : study.status === "randomised");
  if (canAdd) {
    const input = el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", id: `file-${visit.visit}` });
    const label = el("label", { for: `file-${visit.visit}`, text: "Add a visit photo (neutral face, same light and distance as your first)" });
    const button = el("button", { type: "button", text: "Upload" });
    button.addEventListener("click", async () => {
      if (!input.files.length) { flash("Choose a photo first.", "error"); return; }
      const body = new FormData(); body.append("file", input.files[0]);
      try {
        const done = await api(`/api/study/me/${study.study}/visits/${visit.visit}/photos`, { method: "POST", body });
        flash(done.complete ? "Visit complete: thank you." : `Photo accepted (${done.position} of ${done.needed}).`);
        main();
      } catch (error) { flash(error.message, "error"); }
    });
    li.append(label, input, el("div", { class: "actions" }, button));
  }
  return li;
}

// Read again after every photo; only the newest answer is shown (a photo sent while the last one's read
// was still on its way could end with the older count on screen).
let asked = 0;
async function main() {
  const app = document.getElementById("study-app");
  const mine = ++asked;
  const studies = await api("/api/study/me");
  if (mine !== asked) return;
  app.textContent = "";
  if (!studies.length) { app.append(el("p", { text: "You are not taking part in a study." })); return; }
  for (const study of studies) {
    const box = el("section", { class: "card", "aria-label": study.title });
    box.append(el("h2", { text: study.title }));
    const arm = study.arm ? `Your group: ${study.arm_label}.` : "Your group is decided after your first visit.";
    box.append(el("p", { text: `Participant ${study.code} · ${arm}` }));
    if (study.programme) {
      const a = study.adherence;
      const done = a.planned_days ? `practice days done: ${a.practised_days} of ${a.planned_days}` + (a.percent === null ? "" : ` (${Math.round(a.percent)}%)`)
        : "no practice day due yet";
      box.append(el("p", { text: `Programme: ${study.programme} · ${done}` }), el("p", {}, el("a", { href: "/practice", text: "Practise now" })));
    }
    if (study.status === "withdrawn") box.append(el("p", { class: "notice", text: "You have left the study. Thank you for taking part." }));
    const list = el("ol", { class: "plain-list" });
    for (const visit of study.visits) list.append(visitRow(study, visit));
    box.append(el("h3", { text: "Visits" }), list);
    app.append(box);
  }
}
main().catch((error) => flash(error.message, "error"));
