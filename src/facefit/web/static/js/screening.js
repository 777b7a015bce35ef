// Screening: yes/no for each condition; the safety stage turns answers into a clearance.
import { api, day, el, flash } from "./common.js";

// The last screening in words: when, what it means, and what was answered (the form below shows those
// answers, so one change does not mean answering every question again).
function lastScreening(c) {
  if (!c) return "You have not been screened yet.";
  const answered = c.conditions.length ? `You answered yes to: ${c.conditions.join(", ")}.` : "You answered no to every question.";
  return `Your screening${c.screened_at ? ` of ${day(c.screened_at)}` : ""}: ${c.sentence} ${answered} If anything has changed, change your answer below and save.`;
}

async function main() {
  const root = document.getElementById("screening-app");
  const data = await api("/api/screening");
  root.textContent = "";
  root.append(el("p", { "data-testid": "clearance", text: lastScreening(data.clearance) }));
  const form = el("form", { id: "screening-form" });
  const last = data.clearance;
  for (const q of data.questions) {
    const yes = el("input", { type: "radio", id: `${q.id}-yes`, name: q.id, value: "yes", required: "" });
    const no = el("input", { type: "radio", id: `${q.id}-no`, name: q.id, value: "no" });
    if (last) (last.conditions.includes(q.name) ? yes : no).checked = true;  // the answers given last time
    form.append(el("fieldset", { class: "choice" }, el("legend", { text: q.name }), el("p", { class: "small", text: q.description }),
      el("div", { class: "segmented" }, yes, el("label", { for: `${q.id}-yes`, text: "Yes" }), no, el("label", { for: `${q.id}-no`, text: "No" }))));
  }
  form.append(el("button", { type: "submit", text: "Save answers" }));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    document.body.dataset.state = "saving";  // "loaded" again only once the page shows the new clearance
    try {
      const result = await api("/api/screening", { method: "POST", body: Object.fromEntries(new FormData(form)) });
      flash(result.sentence); await main();
      const next = document.getElementById("continue"); if (next) next.hidden = false;
    }
    catch (error) { flash(error.message, "error"); document.body.dataset.state = "loaded"; }
  });
  root.append(form);
  document.body.dataset.state = "loaded";
}
main().catch((error) => flash(error.message, "error"));
